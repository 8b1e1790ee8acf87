package e2e_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/internal/testenv"
)

// bin holds the binaries built once for the whole package.
var bin struct {
	once       sync.Once
	dir, err   string
	agent, cld string
}

// buildBinaries builds jxc-agent and jxc-cloud into a temporary folder.
func buildBinaries(t *testing.T) (agent, cloud string) {
	t.Helper()
	bin.once.Do(func() {
		dir, err := os.MkdirTemp("", "jxc-e2e-bin-*")
		if err != nil {
			bin.err = err.Error()
			return
		}
		bin.dir = dir
		for _, c := range []string{"jxc-agent", "jxc-cloud"} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(dir, c), "github.com/jxc-edge/jxc/cmd/"+c).CombinedOutput()
			if err != nil {
				bin.err = fmt.Sprintf("go build %s: %v\n%s", c, err, out)
				return
			}
		}
		bin.agent, bin.cld = filepath.Join(dir, "jxc-agent"), filepath.Join(dir, "jxc-cloud")
	})
	if bin.err != "" {
		t.Fatal(bin.err)
	}
	return bin.agent, bin.cld
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bin.dir != "" {
		os.RemoveAll(bin.dir)
	}
	os.Exit(code)
}

// proc is one process of the system under test; its output goes to a log
// file in the test's folder, printed when the test fails.
type proc struct {
	t    *testing.T
	name string
	path string
	args []string
	log  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

func startProc(t *testing.T, name, path string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, path: path, args: args, log: filepath.Join(t.TempDir(), name+".log")}
	p.start()
	t.Cleanup(func() {
		p.signal(syscall.SIGTERM)
		if t.Failed() {
			b, _ := os.ReadFile(p.log)
			if len(b) > 8000 {
				b = b[len(b)-8000:]
			}
			t.Logf("--- %s log (tail) ---\n%s", name, b)
		}
	})
	return p
}

func (p *proc) start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	cmd := exec.Command(p.path, p.args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start %s: %v", p.name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }()
	p.cmd, p.done = cmd, done
}

// signal sends sig and waits for the process to exit.
func (p *proc) signal(sig syscall.Signal) {
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

func getJSON(url string, v any) error {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	return json.Unmarshal(b, v)
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	testenv.WaitFor(t, 30*time.Second, func() error {
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return nil
	})
}
