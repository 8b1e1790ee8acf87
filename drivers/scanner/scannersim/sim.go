package scannersim

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// Sim is a serial barcode scanner on a pseudo-terminal. It is safe for
// concurrent use.
type Sim struct {
	mu     sync.Mutex
	master *os.File
	slave  *os.File // held open so the terminal keeps its raw settings
	term   string
	closed bool
}

// New starts a scanner on a new pseudo-terminal in raw mode. Codes end with
// CRLF until SetTerminator says otherwise.
func New() (*Sim, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("scannersim: open pty: %w", err)
	}
	// Raw mode, as cfmakeraw(3): no echo, no line editing, no CR/LF
	// translation, 8-bit characters.
	if _, err := term.MakeRaw(int(slave.Fd())); err != nil {
		master.Close()
		slave.Close()
		return nil, fmt.Errorf("scannersim: raw mode: %w", err)
	}
	return &Sim{master: master, slave: slave, term: "\r\n"}, nil
}

// Path returns the device of the terminal's slave side, where the scanner
// driver reads: /dev/pts/N.
func (s *Sim) Path() string { return s.slave.Name() }

// SetTerminator sets what Scan sends after each code: "\r\n", "\r", "\n",
// "\t" or anything else a scanner may be set to.
func (s *Sim) SetTerminator(t string) {
	s.mu.Lock()
	s.term = t
	s.mu.Unlock()
}

// Scan sends code and the terminator, as the scanner does when it reads
// code. It blocks while the terminal's buffer is full (nobody reads).
func (s *Sim) Scan(code string) error {
	s.mu.Lock()
	t := s.term
	s.mu.Unlock()
	_, err := s.Write([]byte(code + t))
	return err
}

// Write sends raw bytes, for line noise, partial codes and the like.
func (s *Sim) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errors.New("scannersim: closed")
	}
	return s.master.Write(p)
}

// Close unplugs the scanner: the driver's reads fail and the device goes
// away.
func (s *Sim) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return errors.Join(s.master.Close(), s.slave.Close())
}
