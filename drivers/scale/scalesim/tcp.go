package scalesim

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// ServeTCP serves the scale on TCP at addr (e.g. "127.0.0.1:0"; Addr
// returns the address bound), one session per client connection.
func ServeTCP(addr string, opts Options) (*Sim, error) {
	s, err := newSim(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("scalesim: listen: %w", err)
	}
	t := &tcpTransport{s: s, ln: ln, conns: make(map[net.Conn]chan struct{})}
	s.transport = t
	t.wg.Add(1)
	go t.accept()
	return s, nil
}

type tcpTransport struct {
	s  *Sim
	ln net.Listener
	wg sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]chan struct{} // connection → its stop channel
	closed bool
}

func (t *tcpTransport) accept() {
	defer t.wg.Done()
	for {
		c, err := t.ln.Accept()
		if err != nil {
			return
		}
		stop := make(chan struct{})
		t.mu.Lock()
		if t.closed {
			// Accepted just as close ran: close missed it, so it is
			// closed here rather than served with no one to stop it.
			t.mu.Unlock()
			c.Close()
			return
		}
		t.conns[c] = stop
		t.mu.Unlock()
		t.s.log.Debug("client connected", "remote", c.RemoteAddr())
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			t.s.serve(tcpWriter{c}, stop)
			t.closeConn(c)
		}()
	}
}

// tcpWriter bounds writes, so that a client that stopped reading cannot
// hang the scale.
type tcpWriter struct{ net.Conn }

func (w tcpWriter) Write(b []byte) (int, error) {
	if err := w.Conn.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return 0, err
	}
	return w.Conn.Write(b)
}

func (t *tcpTransport) closeConn(c net.Conn) {
	t.mu.Lock()
	stop, ok := t.conns[c]
	delete(t.conns, c)
	t.mu.Unlock()
	if ok {
		close(stop)
		c.Close()
	}
}

func (t *tcpTransport) path() string { return "" }
func (t *tcpTransport) addr() string { return t.ln.Addr().String() }

func (t *tcpTransport) drop() error {
	t.mu.Lock()
	conns := make([]net.Conn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()
	for _, c := range conns {
		t.closeConn(c)
	}
	return nil
}

func (t *tcpTransport) close() error {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	err := t.ln.Close()
	t.drop()
	t.wg.Wait()
	return err
}
