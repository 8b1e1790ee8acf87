package e2e_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/mqtt"
	agentsqlite "github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/ingest"
	"github.com/jxc-edge/jxc/cloud/postgres"
	cloudsqlite "github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// quiet keeps logs out of the benchmark output that scripts/benchreport reads.
var quiet = slog.New(slog.DiscardHandler)

// benchMovements is how many movements one iteration syncs.
const benchMovements = 100000

// BenchmarkSyncEndToEnd measures movements/s from a ledger through the real
// Mosquitto into the cloud store, until the cloud's ack for the last one has
// reached the agent.
func BenchmarkSyncEndToEnd(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			broker := testenv.StartMosquitto(b)
			var store cloud.Store
			var err error
			if name == "sqlite" {
				store, err = cloudsqlite.Open(filepath.Join(b.TempDir(), "cloud.db"), cloudsqlite.Options{Logger: quiet})
			} else {
				store, err = postgres.Open(context.Background(), testenv.PostgresDSN(b), postgres.Options{Logger: quiet})
			}
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			in := ingest.New(store, ingest.Options{Broker: broker.URL, ClientID: "bench-cloud", Logger: quiet})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go in.Run(ctx)

			var total time.Duration
			for i := 0; i < b.N; i++ {
				l, err := agentsqlite.Open(filepath.Join(b.TempDir(), fmt.Sprint("agent", i)), agentsqlite.Options{Tenant: "bench", Site: "s1", Logger: quiet})
				if err != nil {
					b.Fatal(err)
				}
				fill(b, l, benchMovements)
				c := mqtt.New(l, mqtt.Options{Broker: broker.URL, Tenant: "bench", Logger: quiet})
				cctx, ccancel := context.WithCancel(ctx)
				start := time.Now()
				go c.Run(cctx)
				testenv.WaitFor(b, 5*time.Minute, func() error {
					if l.AckedSeq() < l.LastSeq() {
						return fmt.Errorf("acked %d of %d", l.AckedSeq(), l.LastSeq())
					}
					return nil
				})
				total += time.Since(start)
				ccancel()
				l.Close()
			}
			b.ReportMetric(float64(benchMovements*b.N)/total.Seconds(), "movements/s")
		})
	}
}

// fill records n movements with 64 concurrent writers.
func fill(tb testing.TB, l agent.Ledger, n int) {
	tb.Helper()
	var next atomic.Int64
	errs := make(chan error, 64)
	for w := 0; w < 64; w++ {
		go func() {
			for {
				i := next.Add(1)
				if i > int64(n) {
					errs <- nil
					return
				}
				_, err := l.RecordMovement(context.Background(), agent.MovementInput{SKU: fmt.Sprintf("SKU-%03d", i%50),
					Bin: fmt.Sprintf("A-%02d", i%8), Qty: 1 + i%7, Reason: "receive"})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for w := 0; w < 64; w++ {
		if err := <-errs; err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkRawQoS1 is the broker's limit the sync is compared with: one paho
// client publishes QoS 1 messages of one movement's size (with up to 64 in
// flight) and another receives them at QoS 1, on the same Mosquitto.
func BenchmarkRawQoS1(b *testing.B) {
	broker := testenv.StartMosquitto(b)
	sub := paho.NewClient(paho.NewClientOptions().AddBroker(broker.URL).SetClientID("raw-sub"))
	if tok := sub.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		b.Fatal(tok.Error())
	}
	defer sub.Disconnect(0)
	var got atomic.Int64
	if tok := sub.Subscribe("raw/bench", 1, func(paho.Client, paho.Message) { got.Add(1) }); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		b.Fatal(tok.Error())
	}
	pub := paho.NewClient(paho.NewClientOptions().AddBroker(broker.URL).SetClientID("raw-pub"))
	if tok := pub.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		b.Fatal(tok.Error())
	}
	defer pub.Disconnect(0)
	payload := make([]byte, 40)
	var total time.Duration
	var received, dropped int64
	for i := 0; i < b.N; i++ {
		got.Store(0)
		start := time.Now()
		window := make(chan paho.Token, 64)
		go func() {
			for j := 0; j < benchMovements; j++ {
				window <- pub.Publish("raw/bench", 1, false, payload)
			}
			close(window)
		}()
		for tok := range window {
			tok.Wait()
		}
		// Wait for the last message, or until nothing more arrives: the
		// broker may drop QoS 1 messages to a slow subscriber (DESIGN.md §4).
		last, lastAt := int64(-1), time.Now()
		testenv.WaitFor(b, time.Minute, func() error {
			n := got.Load()
			if n >= benchMovements || (n == last && time.Since(lastAt) > 2*time.Second) {
				return nil
			}
			if n != last {
				last, lastAt = n, time.Now()
			}
			return fmt.Errorf("received %d of %d", n, benchMovements)
		})
		elapsed := time.Since(start)
		if got.Load() < benchMovements {
			elapsed = lastAt.Sub(start)
			dropped += benchMovements - got.Load()
		}
		received += got.Load()
		total += elapsed
	}
	b.ReportMetric(float64(received)/total.Seconds(), "msgs/s")
	b.ReportMetric(float64(dropped), "dropped")
}
