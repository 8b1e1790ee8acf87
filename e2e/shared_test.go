package e2e_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// TestTwoCloudsOneSharedSubscription runs two cloud processes on one shared
// MQTT subscription and one PostgreSQL database, with one of them killed
// with SIGKILL mid-stream and restarted: no movement is lost and none is
// counted twice.
func TestTwoCloudsOneSharedSubscription(t *testing.T) {
	agentBin, cloudBin := buildBinaries(t)
	st := stores(t)[1]
	broker := testenv.StartMosquitto(t)
	var clouds []*testenv.Process
	var addrs []string
	for i := range 2 {
		addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
		clouds = append(clouds, testenv.StartProcess(t, fmt.Sprintf("cloud%d", i+1), cloudBin, "--db", st.db,
			"--broker", broker.URL, "--listen", addr, "--client-id", fmt.Sprintf("e2e-cloud-%d", i+1), "--metrics-open"))
		addrs = append(addrs, addr)
		waitHTTP(t, "http://"+addr+"/healthz")
	}
	agents := []*agentProc{
		startAgent(t, agentBin, "a1", "s1", broker.URL),
		startAgent(t, agentBin, "a2", "s1", broker.URL),
		startAgent(t, agentBin, "a3", "s2", broker.URL),
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i, a := range agents {
		for w := range 3 {
			wg.Add(1)
			go func() { defer wg.Done(); a.record(ctx, uint64(100+i*10+w)) }()
		}
	}
	waitMore(t, agents, 300)
	t.Log("killing cloud1 with SIGKILL mid-stream")
	clouds[0].Signal(syscall.SIGKILL)
	waitMore(t, agents, 300)
	clouds[0].Start()
	waitHTTP(t, "http://"+addrs[0]+"/healthz")
	waitMore(t, agents, 300)
	stop()
	wg.Wait()
	waitSynced(t, agents)

	// Both processes serve the same books.
	var rows [2]struct{ Rows []cloud.StockRow }
	for i, addr := range addrs {
		if err := cloudJSON("http://"+addr, "/api/v1/stock", &rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(rows[0].Rows) != fmt.Sprint(rows[1].Rows) {
		t.Fatalf("the two cloud processes disagree:\n%v\n%v", rows[0].Rows, rows[1].Rows)
	}
	// The shared subscription split the load: both processes stored batches
	// (cloud1 counts since its restart).
	for i, addr := range addrs {
		if n := metric(t, "http://"+addr+"/metrics", "jxc_ingest_batches_total"); n == 0 {
			t.Errorf("cloud%d stored no batch", i+1)
		}
	}
	for _, c := range clouds {
		c.Signal(syscall.SIGTERM)
	}
	for _, a := range agents {
		a.Signal(syscall.SIGTERM)
	}
	verify(t, agents, rows[0].Rows, st.open(t))
}

// metric reads one unlabelled counter from a Prometheus text page.
func metric(t *testing.T, url, name string) float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %q: %v", url, line, err)
			}
			return f
		}
	}
	t.Fatalf("%s has no %s", url, name)
	return 0
}
