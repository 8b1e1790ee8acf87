package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Process is a program a test runs, that it can stop, kill and start again
// with the same arguments. Its output is appended to Log, a file in the
// test's temporary folder whose tail is printed when the test fails.
type Process struct {
	Name string
	Log  string

	tb   testing.TB
	path string
	args []string
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// StartProcess starts path with args, and stops it (SIGTERM) at cleanup.
func StartProcess(tb testing.TB, name, path string, args ...string) *Process {
	tb.Helper()
	p := NewProcess(tb, name, path, args...)
	p.Start()
	return p
}

// NewProcess prepares a process without starting it.
func NewProcess(tb testing.TB, name, path string, args ...string) *Process {
	p := &Process{Name: name, Log: filepath.Join(tb.TempDir(), name+".log"), tb: tb, path: path, args: args}
	tb.Cleanup(func() {
		p.Signal(syscall.SIGTERM)
		if tb.Failed() {
			b, _ := os.ReadFile(p.Log)
			if len(b) > 8000 {
				b = b[len(b)-8000:]
			}
			tb.Logf("--- %s log (tail) ---\n%s", name, b)
		}
	})
	return p
}

// Start starts the process unless it is running.
func (p *Process) Start() {
	p.tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return
	}
	f, err := os.OpenFile(p.Log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		p.tb.Fatal(err)
	}
	cmd := exec.Command(p.path, p.args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		p.tb.Fatalf("start %s: %v", p.Name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }()
	p.cmd, p.done = cmd, done
}

// Exited returns a channel closed when the running process exits, or nil
// when none runs.
func (p *Process) Exited() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return nil
	}
	return p.done
}

// Signal sends sig and waits for the process to exit (SIGKILL after 15s).
func (p *Process) Signal(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	p.cmd = nil
}
