package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/sqlite"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// productRecord returns a product master record.
func productRecord(tb testing.TB, sku string, rev uint64, price int64, gtins ...string) *pb.MasterRecord {
	tb.Helper()
	body, err := proto.Marshal(&pb.ProductRecord{Name: "商品 " + sku, Unit: "pcs", Price: price, Gtins: gtins})
	if err != nil {
		tb.Fatal(err)
	}
	return &pb.MasterRecord{Kind: syncproto.KindProduct, Key: sku, Revision: rev, Body: body}
}

func masterBatch(from, to uint64, recs ...*pb.MasterRecord) *pb.MasterBatch {
	return &pb.MasterBatch{Version: syncproto.Version, Tenant: testTenant, Site: testSite, FromRev: from, ToRev: to, Records: recs, Complete: true}
}

func mustApplyMaster(tb testing.TB, l *sqlite.Ledger, b *pb.MasterBatch, want bool) {
	tb.Helper()
	got, err := l.ApplyMaster(context.Background(), b)
	if err != nil {
		tb.Fatal(err)
	}
	if got != want {
		tb.Fatalf("ApplyMaster %d..%d at revision %d = %v, want %v", b.FromRev, b.ToRev, l.MasterRev(), got, want)
	}
}

func wantProduct(tb testing.TB, l agent.Ledger, gtin, sku string, price int64) {
	tb.Helper()
	p, ok, err := l.ProductByGTIN(context.Background(), gtin)
	if err != nil {
		tb.Fatal(err)
	}
	switch {
	case sku == "" && ok:
		tb.Fatalf("GTIN %s is %+v, want none", gtin, p)
	case sku != "" && (!ok || p.SKU != sku || p.Price != price):
		tb.Fatalf("GTIN %s is %+v (found %v), want SKU %s at %d fen", gtin, p, ok, sku, price)
	}
}

func TestApplyMaster(t *testing.T) {
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	if l.MasterRev() != 0 {
		t.Fatalf("new ledger at master revision %d", l.MasterRev())
	}
	// A standalone entry of the same SKU is replaced by the master record.
	if err := l.PutProducts(context.Background(), []agent.Product{{GTIN: "12345670", SKU: "TEA"}}); err != nil {
		t.Fatal(err)
	}
	mustApplyMaster(t, l, masterBatch(0, 4,
		productRecord(t, "TEA", 1, 1250, "4006381333931", "96385074"),
		productRecord(t, "RICE", 3, 800, "012345678905"),
		&pb.MasterRecord{Kind: "bin", Key: "A-01", Revision: 4, Body: []byte(`{"zone":"A"}`)},
	), true)
	if l.MasterRev() != 4 {
		t.Fatalf("master revision %d, want 4", l.MasterRev())
	}
	wantProduct(t, l, "4006381333931", "TEA", 1250)
	wantProduct(t, l, "96385074", "TEA", 1250)
	wantProduct(t, l, "12345670", "", 0)
	wantProduct(t, l, "012345678905", "RICE", 800)

	// Batches that do not follow on are ignored: a gap, a repeat.
	mustApplyMaster(t, l, masterBatch(5, 6, productRecord(t, "X", 6, 1, "12345670")), false)
	mustApplyMaster(t, l, masterBatch(0, 4, productRecord(t, "X", 2, 1, "12345670")), false)
	wantProduct(t, l, "12345670", "", 0)

	// An update replaces the SKU's GTINs; a delete removes them.
	mustApplyMaster(t, l, masterBatch(4, 9,
		productRecord(t, "TEA", 7, 1300, "4006381333931"),
		&pb.MasterRecord{Kind: syncproto.KindProduct, Key: "RICE", Revision: 9, Deleted: true},
	), true)
	wantProduct(t, l, "4006381333931", "TEA", 1300)
	wantProduct(t, l, "96385074", "", 0)
	wantProduct(t, l, "012345678905", "", 0)

	// Refused: nothing changes.
	for _, tt := range []struct {
		name string
		b    *pb.MasterBatch
		want error
	}{
		{"other site", func() *pb.MasterBatch { b := masterBatch(9, 10); b.Site = "elsewhere"; return b }(), agent.ErrWrongSite},
		{"other tenant", func() *pb.MasterBatch { b := masterBatch(9, 10); b.Tenant = "other"; return b }(), agent.ErrWrongSite},
		{"bad check digit", masterBatch(9, 11, productRecord(t, "TEA", 10, 1, "4006381333931"), productRecord(t, "Y", 11, 1, "4006381333932")), agent.ErrInvalid},
		{"undecodable body", masterBatch(9, 10, &pb.MasterRecord{Kind: syncproto.KindProduct, Key: "Y", Revision: 10, Body: []byte{0xff}}), agent.ErrInvalid},
	} {
		applied, err := l.ApplyMaster(context.Background(), tt.b)
		if applied || !errors.Is(err, tt.want) {
			t.Errorf("%s: ApplyMaster = %v, %v; want %v", tt.name, applied, err, tt.want)
		}
		var ie *agent.InvalidError
		if errors.Is(err, agent.ErrInvalid) && (!errors.As(err, &ie) || ie.ErrorZH() == "") {
			t.Errorf("%s: %v has no Chinese text", tt.name, err)
		}
	}
	if l.MasterRev() != 9 {
		t.Fatalf("refused batches moved the revision to %d", l.MasterRev())
	}
	wantProduct(t, l, "4006381333931", "TEA", 1300)

	// The revision and the records survive a reopen.
	l.Close()
	l = MustOpenLedgerDir(t, dir, sqlite.Options{})
	if l.MasterRev() != 9 {
		t.Fatalf("reopened at master revision %d, want 9", l.MasterRev())
	}
	wantProduct(t, l, "4006381333931", "TEA", 1300)
	mustApplyMaster(t, l, masterBatch(9, 12), true)
	if l.MasterRev() != 12 {
		t.Fatalf("empty batch 9..12 left revision %d", l.MasterRev())
	}
}

// TestApplyMasterConcurrent sends the same chain of batches from several
// goroutines at once: each batch is applied exactly once, whatever shares
// a group commit with what.
func TestApplyMasterConcurrent(t *testing.T) {
	l := MustOpenLedger(t)
	const n = 50
	var batches []*pb.MasterBatch
	for i := range n {
		rev := uint64(i + 1)
		batches = append(batches, masterBatch(rev-1, rev, productRecord(t, fmt.Sprint("SKU-", i), rev, int64(i), gtin(i))))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	applied := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l.MasterRev() < n {
				b := batches[l.MasterRev()]
				ok, err := l.ApplyMaster(context.Background(), b)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					applied++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if applied != n || l.Stats().MasterApplied != n {
		t.Fatalf("applied %d batches (%d records), want %d", applied, l.Stats().MasterApplied, n)
	}
	wantProduct(t, l, gtin(n-1), fmt.Sprint("SKU-", n-1), n-1)
}

// gtin returns a valid GTIN-13 made from i.
func gtin(i int) string {
	d := fmt.Sprintf("200%09d", i)
	return d + string(syncproto.GTINCheckDigit(d))
}

const gateYAML = "kind: reader\nname: gate-1\naddress: 10.0.0.5\nantennas:\n  - {port: 1, role: outer}\n  - {port: 2, role: inner}\ngate:\n  bin: DOOR\n"

func TestApplyMasterDeviceProfiles(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedgerDir(t, t.TempDir(), sqlite.Options{})
	prof := func(key string, rev uint64, body string) *pb.MasterRecord {
		return &pb.MasterRecord{Kind: syncproto.KindDeviceProfile, Key: key, Revision: rev, Body: []byte(body)}
	}
	mustApplyMaster(t, l, masterBatch(0, 2, prof("gate-1.yaml", 1, gateYAML)), true)

	bad := strings.Replace(gateYAML, "role: inner", "role: middle", 1)
	for _, tt := range []struct {
		name string
		rec  *pb.MasterRecord
		want string
	}{
		{"bad field", prof("gate-1.yaml", 3, bad), `records[1]: device profile: gate-1.yaml: antennas[1].role: "middle" is not outer or inner (line 6)`},
		{"bad key", prof("../gate-1.yaml", 3, gateYAML), "records[1]: device profile: ../gate-1.yaml: is not a profile file name"},
		{"deleted with bad key", &pb.MasterRecord{Kind: syncproto.KindDeviceProfile, Key: "gate", Revision: 3, Deleted: true}, "gate: is not a profile file name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// A valid product before it is not applied either.
			_, err := l.ApplyMaster(ctx, masterBatch(2, 3, productRecord(t, "TEA", 2, 1, "96385074"), tt.rec))
			var ie *agent.InvalidError
			if !errors.Is(err, agent.ErrInvalid) || !errors.Is(err, profiles.ErrInvalid) || !errors.As(err, &ie) {
				t.Fatalf("ApplyMaster = %v, want an *agent.InvalidError wrapping the profile's", err)
			}
			if !strings.Contains(ie.Msg, tt.want) || !strings.Contains(ie.MsgZH, strings.TrimPrefix(tt.want, "records[1]: device profile: ")) {
				t.Errorf("reasons %q / %q do not hold %q", ie.Msg, ie.MsgZH, tt.want)
			}
		})
	}
	if l.MasterRev() != 2 {
		t.Fatalf("master revision %d after refused batches, want 2", l.MasterRev())
	}
	wantProduct(t, l, "96385074", "", 0)
	mustApplyMaster(t, l, masterBatch(2, 3, &pb.MasterRecord{Kind: syncproto.KindDeviceProfile, Key: "old.yaml", Revision: 3, Deleted: true}), true)
	recs, err := l.MasterRecords(ctx, syncproto.KindDeviceProfile)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, fmt.Sprintf("%s@%d deleted=%v %d bytes", r.Key, r.Revision, r.Deleted, len(r.Body)))
	}
	if want := []string{fmt.Sprintf("gate-1.yaml@1 deleted=false %d bytes", len(gateYAML)), "old.yaml@3 deleted=true 0 bytes"}; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("MasterRecords =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
