package e2e_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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

// e2eTenant and e2ePassword: every jxc-cloud the tests start creates the
// administrator of tenant e2e (the agents' tenant) with this password, set
// through the environment the processes inherit; cloudJSON signs in with
// it.
const (
	e2eTenant   = "e2e"
	e2ePassword = "e2e-admin-password"
)

func TestMain(m *testing.M) {
	os.Setenv("JXC_ADMIN_PASSWORD", e2ePassword)
	os.Setenv("JXC_TENANT", e2eTenant)
	code := m.Run()
	if bin.dir != "" {
		os.RemoveAll(bin.dir)
	}
	os.Exit(code)
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

// cloudJSON signs in to the cloud at base (http://host:port) as the e2e
// administrator and gets path into v with the session cookie.
func cloudJSON(base, path string, v any) error {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	c := http.Client{Timeout: 10 * time.Second, Jar: jar}
	body := fmt.Sprintf(`{"tenant":%q,"username":"admin","password":%q}`, e2eTenant, e2ePassword)
	resp, err := c.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sign in to %s: %s: %s", base, resp.Status, b)
	}
	resp, err = c.Get(base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s%s: %s: %s", base, path, resp.Status, b)
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
