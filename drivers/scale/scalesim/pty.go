//go:build linux

package scalesim

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// ptyWriteTimeout bounds a write to the pseudo-terminal: when nobody reads
// the slave its buffer fills, and the scale drops what it sends, as a UART
// does with no one listening. It is long because Go checks a deadline
// before it writes: a short one would drop replies whenever the goroutine
// is scheduled late.
const ptyWriteTimeout = 2 * time.Second

// ServePTY opens a pseudo-terminal (github.com/creack/pty) and serves the
// scale on it. A client opens Path() as a serial port (e.g. with
// go.bug.st/serial); the line settings it applies (speed, 7E1) have no
// effect on a pseudo-terminal, see Options.Parity. The slave is put in raw
// mode, and the scale keeps it open itself so that clients may come and go.
func ServePTY(opts Options) (*Sim, error) {
	s, err := newSim(opts)
	if err != nil {
		return nil, err
	}
	s.parity = s.opts.Parity
	p := &ptyTransport{s: s, link: s.opts.Link}
	if err := p.open(); err != nil {
		return nil, err
	}
	s.transport = p
	return s, nil
}

type ptyTransport struct {
	s    *Sim
	link string

	mu     sync.Mutex
	master *os.File
	slave  *os.File
	name   string
	stop   chan struct{}
	done   chan struct{}
}

// open opens a new pseudo-terminal, points the link at it and starts
// serving it.
func (p *ptyTransport) open() error {
	master, slave, err := pty.Open()
	if err != nil {
		return fmt.Errorf("scalesim: open pty: %w", err)
	}
	// pty.Open leaves the master in blocking mode, where a write to a full
	// buffer hangs and deadlines do nothing: use a non-blocking duplicate,
	// which os.NewFile registers with the runtime poller.
	fd, err := unix.Dup(int(master.Fd()))
	master.Close()
	if err != nil {
		slave.Close()
		return fmt.Errorf("scalesim: dup pty: %w", err)
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		slave.Close()
		return fmt.Errorf("scalesim: pty non-blocking: %w", err)
	}
	m := os.NewFile(uintptr(fd), "/dev/ptmx")
	if _, err := term.MakeRaw(int(slave.Fd())); err != nil {
		m.Close()
		slave.Close()
		return err
	}
	if p.link != "" {
		tmp := p.link + ".new"
		os.Remove(tmp)
		if err := os.Symlink(slave.Name(), tmp); err != nil {
			m.Close()
			slave.Close()
			return fmt.Errorf("scalesim: link: %w", err)
		}
		if err := os.Rename(tmp, p.link); err != nil {
			m.Close()
			slave.Close()
			return fmt.Errorf("scalesim: link: %w", err)
		}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	p.mu.Lock()
	p.master, p.slave, p.name, p.stop, p.done = m, slave, slave.Name(), stop, done
	p.mu.Unlock()
	p.s.log.Debug("serving", "pty", slave.Name(), "link", p.link)
	go func() {
		defer close(done)
		p.s.serve(deadlineWriter{m}, stop)
	}()
	return nil
}

// deadlineWriter writes with ptyWriteTimeout and drops what does not fit.
type deadlineWriter struct{ f *os.File }

func (w deadlineWriter) Read(b []byte) (int, error) { return w.f.Read(b) }

func (w deadlineWriter) Write(b []byte) (int, error) {
	if err := w.f.SetWriteDeadline(time.Now().Add(ptyWriteTimeout)); err != nil {
		return 0, err
	}
	n, err := w.f.Write(b)
	if os.IsTimeout(err) {
		return len(b), nil // nobody is reading: the bytes are lost
	}
	return n, err
}

func (p *ptyTransport) path() string {
	if p.link != "" {
		return p.link
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.name
}

func (p *ptyTransport) addr() string { return "" }

// hangUp stops serving the present pseudo-terminal and closes it, which
// hangs up the client's side.
func (p *ptyTransport) hangUp() {
	if p.link != "" {
		// First, so that a client reconnecting meanwhile cannot open the
		// old device, nor its number reused by another pseudo-terminal.
		os.Remove(p.link)
	}
	p.mu.Lock()
	master, slave, stop, done := p.master, p.slave, p.stop, p.done
	p.master, p.slave = nil, nil
	p.mu.Unlock()
	if master == nil {
		return
	}
	close(stop)
	master.Close()
	slave.Close()
	<-done
}

func (p *ptyTransport) drop() error {
	select {
	case <-p.s.closed:
		return fmt.Errorf("scalesim: closed")
	default:
	}
	p.hangUp()
	return p.open()
}

func (p *ptyTransport) close() error {
	p.hangUp()
	return nil
}
