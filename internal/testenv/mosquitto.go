package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	proc *Process
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
	m := &Mosquitto{Addr: fmt.Sprintf("127.0.0.1:%d", port), tb: tb, proc: NewProcess(tb, "mosquitto", bin, "-c", conf)}
	m.URL = "tcp://" + m.Addr
	m.Start()
	return m
}

// Start starts the broker (again) on its port and waits until it accepts
// connections.
func (m *Mosquitto) Start() {
	m.tb.Helper()
	m.proc.Start()
	exited := m.proc.Exited()
	if err := Poll(10*time.Second, func() error {
		select {
		case <-exited:
			return fmt.Errorf("mosquitto exited; see %s", m.proc.Log)
		default:
		}
		return dial(m.Addr)
	}); err != nil {
		m.tb.Fatalf("mosquitto on %s: %v", m.Addr, err)
	}
}

// Stop stops the broker gracefully (SIGTERM: it saves its persistent state)
// and waits for it to exit.
func (m *Mosquitto) Stop() { m.proc.Signal(syscall.SIGTERM) }

// Kill stops the broker with SIGKILL.
func (m *Mosquitto) Kill() { m.proc.Signal(syscall.SIGKILL) }
