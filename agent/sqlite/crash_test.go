package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/syncproto"
)

// crashChildEnv names the ledger directory a re-executed test binary
// appends to until it is killed.
const crashChildEnv = "JXC_LEDGER_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// crashChild appends from 16 goroutines forever, printing "seq hlc" for
// every acknowledged append, until the parent kills it.
func crashChild(dir string) {
	l, err := sqlite.Open(dir, sqlite.Options{Tenant: testTenant, Site: testSite})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				var r struct {
					Seq uint64
					HLC syncproto.HLC
				}
				if i%10 == 9 {
					rc, err := l.RecordCount(context.Background(), count("A1", "sku1", "", int64(i)))
					if err != nil {
						fmt.Fprintln(os.Stderr, err)
						os.Exit(2)
					}
					r.Seq, r.HLC = rc.Seq, rc.HLC
				} else {
					rc, err := l.RecordMovement(context.Background(), move("A1", fmt.Sprint("sku", w%3), "", 1))
					if err != nil {
						fmt.Fprintln(os.Stderr, err)
						os.Exit(2)
					}
					r.Seq, r.HLC = rc.Seq, rc.HLC
				}
				mu.Lock()
				fmt.Fprintf(out, "%d %d\n", r.Seq, uint64(r.HLC))
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// TestSIGKILLLosesNothingAcknowledged kills a process that is appending
// and checks that every append it had acknowledged is in the ledger after
// reopening, with its HLC, and that on-hand is consistent.
func TestSIGKILLLosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := make(map[uint64]syncproto.HLC)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && len(acked) < 3000 {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			t.Fatalf("child printed %q", sc.Text())
		}
		seq, err1 := strconv.ParseUint(f[0], 10, 64)
		h, err2 := strconv.ParseUint(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("child printed %q", sc.Text())
		}
		acked[seq] = syncproto.HLC(h)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()
	if len(acked) < 3000 {
		t.Fatalf("child acknowledged only %d appends", len(acked))
	}

	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	evs := ownEvents(t, l)
	if uint64(len(evs)) != l.LastSeq() {
		t.Fatalf("%d events but last seq %d", len(evs), l.LastSeq())
	}
	for seq, h := range acked {
		if seq > uint64(len(evs)) {
			t.Fatalf("acknowledged seq %d lost: ledger ends at %d", seq, len(evs))
		}
		if evs[seq-1].HLC != h {
			t.Fatalf("seq %d: hlc %v, acknowledged %v", seq, evs[seq-1].HLC, h)
		}
	}
	checkAll(t, l, nil, true)
	r := mustMove(t, l, move("A1", "sku1", "", 1))
	if r.Seq != uint64(len(evs))+1 {
		t.Fatalf("next seq %d, want %d", r.Seq, len(evs)+1)
	}
	t.Logf("killed after %d acknowledged appends; ledger had %d", len(acked), len(evs))
}
