package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Mosquitto is a Mosquitto broker process of one test, on its own port, with
// persistence in the test's temporary directory.
type Mosquitto struct {
	// Addr is host:port; URL is tcp://Addr for MQTT clients.
	Addr, URL string

	tb   testing.TB
	bin  string
	conf string
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// MosquittoBinary finds the mosquitto executable: $JXC_MOSQUITTO, then PATH,
// then /usr/sbin/mosquitto (Debian's place, not on a user's PATH).
func MosquittoBinary() (string, error) {
	if p := os.Getenv("JXC_MOSQUITTO"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/mosquitto"); err == nil {
		return "/usr/sbin/mosquitto", nil
	}
	return "", fmt.Errorf("mosquitto not found in $JXC_MOSQUITTO, PATH or /usr/sbin: run `make test`, which installs it (Debian package mosquitto)")
}

// StartMosquitto starts a broker for the test and stops it at cleanup. extra
// lines are appended to its configuration.
func StartMosquitto(tb testing.TB, extra ...string) *Mosquitto {
	tb.Helper()
	bin, err := MosquittoBinary()
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	port := FreePort(tb)
	conf := filepath.Join(dir, "mosquitto.conf")
	text := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location %s/\nautosave_interval 1\n", port, dir)
	for _, l := range extra {
		text += l + "\n"
	}
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	m := &Mosquitto{Addr: fmt.Sprintf("127.0.0.1:%d", port), tb: tb, bin: bin, conf: conf}
	m.URL = "tcp://" + m.Addr
	m.Start()
	tb.Cleanup(m.Stop)
	return m
}

// Start starts the broker (again) on its port and waits until it accepts
// connections.
func (m *Mosquitto) Start() {
	m.tb.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil {
		return
	}
	cmd := exec.Command(m.bin, "-c", m.conf)
	log, err := os.OpenFile(m.conf+".log", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		m.tb.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		m.tb.Fatalf("start mosquitto: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); log.Close(); close(done) }()
	m.cmd, m.done = cmd, done
	if err := Poll(10*time.Second, func() error {
		select {
		case <-done:
			return fmt.Errorf("mosquitto exited; see %s.log", m.conf)
		default:
		}
		return dial(m.Addr)
	}); err != nil {
		m.tb.Fatalf("mosquitto on %s: %v", m.Addr, err)
	}
}

// Stop stops the broker gracefully (SIGTERM: it saves its persistent state)
// and waits for it to exit.
func (m *Mosquitto) Stop() { m.signal(syscall.SIGTERM) }

// Kill stops the broker with SIGKILL.
func (m *Mosquitto) Kill() { m.signal(syscall.SIGKILL) }

func (m *Mosquitto) signal(sig syscall.Signal) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return
	}
	m.cmd.Process.Signal(sig)
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
		m.cmd.Process.Kill()
		<-m.done
	}
	m.cmd = nil
}
