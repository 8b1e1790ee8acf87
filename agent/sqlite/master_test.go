package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/sqlite"
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
		binRecord(t, "A-01", 4, "A 区 1 号"),
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
		{"other site", func() *pb.MasterBatch {
			b := masterBatch(9, 10, productRecord(t, "TEA", 10, 1, "4006381333931"))
			b.Site = "elsewhere"
			return b
		}(), agent.ErrWrongSite},
		{"other tenant", func() *pb.MasterBatch {
			b := masterBatch(9, 10, productRecord(t, "TEA", 10, 1, "4006381333931"))
			b.Tenant = "other"
			return b
		}(), agent.ErrWrongSite},
		{"revisions backwards", masterBatch(9, 8), agent.ErrInvalid},
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
	if n := l.Stats().MasterSkipped; n != nil {
		t.Errorf("refused batches counted skipped records: %v", n)
	}

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

func binRecord(tb testing.TB, code string, rev uint64, name string) *pb.MasterRecord {
	tb.Helper()
	body, err := proto.Marshal(&pb.BinRecord{Name: name})
	if err != nil {
		tb.Fatal(err)
	}
	return &pb.MasterRecord{Kind: syncproto.KindBin, Key: code, Revision: rev, Body: body}
}

func limitRecord(tb testing.TB, sku string, rev uint64, min, max int64) *pb.MasterRecord {
	tb.Helper()
	body, err := proto.Marshal(&pb.StockLimitRecord{Min: min, Max: max})
	if err != nil {
		tb.Fatal(err)
	}
	return &pb.MasterRecord{Kind: syncproto.KindStockLimit, Key: sku, Revision: rev, Body: body}
}

// masterRecordsOf returns the stored records of kind as "key@rev", with
// " deleted" for a tombstone.
func masterRecordsOf(tb testing.TB, l *sqlite.Ledger, kind string) string {
	tb.Helper()
	recs, err := l.MasterRecords(context.Background(), kind)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		s := fmt.Sprintf("%s@%d", r.Key, r.Revision)
		if r.Deleted {
			s += " deleted"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// TestApplyMasterSkipsBadRecords puts one bad record in the middle of a
// good batch: the others are applied, the bad one is skipped (its previous
// version kept) and counted once by its reason, and the revision advances.
func TestApplyMasterSkipsBadRecords(t *testing.T) {
	badProduct := func(body []byte) *pb.MasterRecord {
		return &pb.MasterRecord{Kind: syncproto.KindProduct, Key: "TEA", Revision: 3, Body: body}
	}
	mustBody := func(m proto.Message) []byte {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tt := range []struct {
		name   string
		bad    *pb.MasterRecord
		reason string
		// kind of the bad record, and what is stored of it before
		// and after
		kind, stored string
	}{
		{"undecodable product body", badProduct([]byte{0xff}), agent.MasterSkipBody, syncproto.KindProduct, "RICE@2 SALT@4 TEA@1"},
		{"bad GTIN check digit", productRecord(t, "TEA", 3, 1, "4006381333932"), agent.MasterSkipGTIN, syncproto.KindProduct, "RICE@2 SALT@4 TEA@1"},
		{"bad pack GTIN", badProduct(mustBody(&pb.ProductRecord{Name: "茶", Gtins: []string{"96385074"},
			Packs: []*pb.PackRecord{{Unit: "箱", Factor: 12, Gtins: []string{"1234"}}}})), agent.MasterSkipGTIN, syncproto.KindProduct, "RICE@2 SALT@4 TEA@1"},
		{"a GTIN twice", badProduct(mustBody(&pb.ProductRecord{Name: "茶", Gtins: []string{"96385074"},
			Packs: []*pb.PackRecord{{Unit: "箱", Factor: 12, Gtins: []string{"96385074"}}}})), agent.MasterSkipGTIN, syncproto.KindProduct, "RICE@2 SALT@4 TEA@1"},
		{"negative price", badProduct(mustBody(&pb.ProductRecord{Name: "茶", Price: -1})), agent.MasterSkipRecord, syncproto.KindProduct, "RICE@2 SALT@4 TEA@1"},
		{"pack factor 1", badProduct(mustBody(&pb.ProductRecord{Name: "茶", Packs: []*pb.PackRecord{{Unit: "箱", Factor: 1}}})), agent.MasterSkipRecord, syncproto.KindProduct, "RICE@2 SALT@4 TEA@1"},
		{"bad device profile", &pb.MasterRecord{Kind: syncproto.KindDeviceProfile, Key: "gate-1.yaml", Revision: 3,
			Body: []byte(strings.Replace(gateYAML, "role: inner", "role: middle", 1))}, agent.MasterSkipProfile, syncproto.KindDeviceProfile, "gate-1.yaml@1"},
		{"profile key not a file name", &pb.MasterRecord{Kind: syncproto.KindDeviceProfile, Key: "gate-1", Revision: 3, Deleted: true},
			agent.MasterSkipProfile, syncproto.KindDeviceProfile, "gate-1.yaml@1"},
		{"undecodable bin", &pb.MasterRecord{Kind: syncproto.KindBin, Key: "A-01", Revision: 3, Body: []byte{0xff}},
			agent.MasterSkipBody, syncproto.KindBin, "A-01@1"},
		{"stock limit min above max", limitRecord(t, "TEA", 3, 10, 5), agent.MasterSkipRecord, syncproto.KindStockLimit, "TEA@1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := MustOpenLedger(t)
			first := map[string]*pb.MasterRecord{
				syncproto.KindProduct:       productRecord(t, "TEA", 1, 1250, "96385074"),
				syncproto.KindDeviceProfile: {Kind: syncproto.KindDeviceProfile, Key: "gate-1.yaml", Revision: 1, Body: []byte(gateYAML)},
				syncproto.KindBin:           binRecord(t, "A-01", 1, "A 区"),
				syncproto.KindStockLimit:    limitRecord(t, "TEA", 1, 2, 20),
			}[tt.kind]
			mustApplyMaster(t, l, masterBatch(0, 1, first), true)

			mustApplyMaster(t, l, masterBatch(1, 5,
				productRecord(t, "RICE", 2, 800, "012345678905"),
				tt.bad,
				productRecord(t, "SALT", 4, 300, "4006381333931"),
			), true)
			if l.MasterRev() != 5 {
				t.Errorf("master revision %d, want 5: a skipped record still advances it", l.MasterRev())
			}
			wantProduct(t, l, "012345678905", "RICE", 800)
			wantProduct(t, l, "4006381333931", "SALT", 300)
			if got := masterRecordsOf(t, l, tt.kind); got != tt.stored {
				t.Errorf("%s records %q, want %q (the bad one's previous version kept)", tt.kind, got, tt.stored)
			}
			if tt.kind == syncproto.KindProduct {
				wantProduct(t, l, "96385074", "TEA", 1250)
			}
			st := l.Stats()
			if len(st.MasterSkipped) != 1 || st.MasterSkipped[tt.reason] != 1 {
				t.Errorf("skipped %v, want {%s: 1}", st.MasterSkipped, tt.reason)
			}
			if st.MasterApplied != 3 {
				t.Errorf("%d records applied, want 3 (1 + 2)", st.MasterApplied)
			}
			var metrics strings.Builder
			l.WriteMetrics(&metrics)
			if want := fmt.Sprintf("jxc_agent_master_records_skipped_total{reason=%q} 1\n", tt.reason); !strings.Contains(metrics.String(), want) {
				t.Errorf("metrics lack %q:\n%s", want, metrics.String())
			}

			// Sent again, the batch does not follow on: not counted twice.
			mustApplyMaster(t, l, masterBatch(1, 5, tt.bad), false)
			if n := l.Stats().MasterSkipped[tt.reason]; n != 1 {
				t.Errorf("a batch not applied counted a skip: %d", n)
			}
			// The cloud's next version of the record is applied as usual.
			good := proto.Clone(first).(*pb.MasterRecord)
			good.Revision = 6
			mustApplyMaster(t, l, masterBatch(5, 6, good), true)
			if got := masterRecordsOf(t, l, tt.kind); !strings.Contains(got, good.Key+"@6") {
				t.Errorf("%s records %q after the next version", tt.kind, got)
			}
		})
	}
}

// TestApplyMasterMisaddressed: a batch of another tenant or site changes
// nothing and is not counted as skipped records.
func TestApplyMasterMisaddressed(t *testing.T) {
	l := MustOpenLedger(t)
	mustApplyMaster(t, l, masterBatch(0, 1, productRecord(t, "TEA", 1, 1250, "96385074")), true)
	for _, tt := range []struct{ name, tenant, site string }{
		{"other site", testTenant, "elsewhere"},
		{"other tenant", "other", testSite},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := masterBatch(1, 3, productRecord(t, "TEA", 2, 1, "4006381333931"), binRecord(t, "A-01", 3, "A"))
			b.Tenant, b.Site = tt.tenant, tt.site
			applied, err := l.ApplyMaster(context.Background(), b)
			if applied || !errors.Is(err, agent.ErrWrongSite) {
				t.Fatalf("ApplyMaster = %v, %v; want agent.ErrWrongSite", applied, err)
			}
			if l.MasterRev() != 1 {
				t.Errorf("master revision %d, want 1", l.MasterRev())
			}
			wantProduct(t, l, "96385074", "TEA", 1250)
			wantProduct(t, l, "4006381333931", "", 0)
			if got := masterRecordsOf(t, l, syncproto.KindBin); got != "" {
				t.Errorf("bins %q, want none", got)
			}
			if st := l.Stats(); st.MasterApplied != 1 || st.MasterSkipped != nil {
				t.Errorf("stats %+v after a misaddressed batch", st)
			}
		})
	}
}

// TestApplyMasterPacks: a product record's packs put their GTINs in the
// catalogue with the pack's size (in grams for goods sold by weight); an
// update that drops a pack removes its GTIN.
func TestApplyMasterPacks(t *testing.T) {
	l := MustOpenLedger(t)
	mustBody := func(m proto.Message) []byte {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	water := &pb.ProductRecord{Name: "矿泉水 550ml", Unit: "瓶", Price: 200, Gtins: []string{"6970000000017"},
		Packs: []*pb.PackRecord{{Unit: "箱", Factor: 24, Gtins: []string{"16970000000014"}}}}
	apples := &pb.ProductRecord{Name: "苹果", Unit: "kg", Price: 1290, ByWeight: true, WeightDecimals: 3,
		Packs: []*pb.PackRecord{{Unit: "箱", Factor: 10, Gtins: []string{"6970000000024"}}}}
	mustApplyMaster(t, l, masterBatch(0, 2,
		&pb.MasterRecord{Kind: syncproto.KindProduct, Key: "WATER", Revision: 1, Body: mustBody(water)},
		&pb.MasterRecord{Kind: syncproto.KindProduct, Key: "APPLE", Revision: 2, Body: mustBody(apples)},
	), true)
	for _, tt := range []struct {
		gtin, sku string
		factor    int64
	}{
		{"6970000000017", "WATER", 0},
		{"16970000000014", "WATER", 24},
		{"6970000000024", "APPLE", 10000},
	} {
		p, ok, err := l.ProductByGTIN(context.Background(), tt.gtin)
		if err != nil || !ok || p.SKU != tt.sku || p.Factor != tt.factor {
			t.Errorf("GTIN %s: %+v, %v, %v; want %s with factor %d", tt.gtin, p, ok, err, tt.sku, tt.factor)
		}
	}
	water.Packs = nil
	mustApplyMaster(t, l, masterBatch(2, 3, &pb.MasterRecord{Kind: syncproto.KindProduct, Key: "WATER", Revision: 3, Body: mustBody(water)}), true)
	wantProduct(t, l, "16970000000014", "", 0)
	wantProduct(t, l, "6970000000017", "WATER", 200)
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
	for i, tt := range []struct {
		name string
		rec  *pb.MasterRecord
		want string
	}{
		{"bad field", prof("gate-1.yaml", 3, bad), `records[1]: device profile: gate-1.yaml: antennas[1].role: "middle" is not outer or inner (line 6)`},
		{"bad key", prof("../gate-1.yaml", 3, gateYAML), "records[1]: device profile: ../gate-1.yaml: is not a profile file name"},
		{"deleted with bad key", &pb.MasterRecord{Kind: syncproto.KindDeviceProfile, Key: "gate", Revision: 3, Deleted: true}, "gate: is not a profile file name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Skipped, with the reason logged; the product beside it is
			// applied.
			var logs strings.Builder
			l := MustOpenLedgerDir(t, t.TempDir(), sqlite.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			mustApplyMaster(t, l, masterBatch(0, 2, prof("gate-1.yaml", 1, gateYAML)), true)
			mustApplyMaster(t, l, masterBatch(2, 3, productRecord(t, "TEA", 2, 1, "96385074"), tt.rec), true)
			wantProduct(t, l, "96385074", "TEA", 1)
			if got := masterRecordsOf(t, l, syncproto.KindDeviceProfile); got != "gate-1.yaml@1" {
				t.Errorf("profiles %q, want gate-1.yaml@1 kept", got)
			}
			if n := l.Stats().MasterSkipped[agent.MasterSkipProfile]; n != 1 {
				t.Errorf("%d profiles skipped, want 1", n)
			}
			log := logs.String()
			for _, want := range []string{"kind=device_profile", "key=" + tt.rec.Key, "reason=" + agent.MasterSkipProfile,
				strings.TrimPrefix(tt.want, "records[1]: device profile: "), "设备配置文件无效"} {
				if !strings.Contains(log, want) && !strings.Contains(log, strings.ReplaceAll(want, `"`, `\"`)) {
					t.Errorf("case %d: log lacks %q:\n%s", i, want, log)
				}
			}
		})
	}
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

// FuzzApplyMasterRecord applies a batch of one record of each known kind
// with the fuzzed body, between two good products: whatever the body, the
// batch is applied, the good records with it, and the revision advances.
// (A fuzzed product may take the first one's GTIN, as a real one may.)
func FuzzApplyMasterRecord(f *testing.F) {
	good, err := proto.Marshal(&pb.ProductRecord{Name: "茶", Unit: "瓶", Price: 350, Gtins: []string{"96385074"},
		Packs: []*pb.PackRecord{{Unit: "箱", Factor: 24, Gtins: []string{"4006381333931"}}}})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{good, {0xff}, []byte(gateYAML), {0x08, 0x96, 0x01}, nil} {
		f.Add(seed)
	}
	l := MustOpenLedger(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		rev := l.MasterRev()
		var recs []*pb.MasterRecord
		recs = append(recs, productRecord(t, "RICE", rev+1, 800, "012345678905"))
		for i, kind := range []string{syncproto.KindProduct, syncproto.KindBin, syncproto.KindStockLimit, syncproto.KindDeviceProfile, "other"} {
			key := "k"
			if kind == syncproto.KindDeviceProfile {
				key = "k.yaml"
			}
			recs = append(recs, &pb.MasterRecord{Kind: kind, Key: key, Revision: rev + 2 + uint64(i), Body: body})
		}
		recs = append(recs, productRecord(t, "SALT", rev+7, 300, "4006381333931"))
		ok, err := l.ApplyMaster(context.Background(), masterBatch(rev, rev+7, recs...))
		if err != nil || !ok {
			t.Fatalf("ApplyMaster = %v, %v", ok, err)
		}
		if l.MasterRev() != rev+7 {
			t.Fatalf("master revision %d, want %d", l.MasterRev(), rev+7)
		}
		// The last record's GTIN is its, whatever the fuzzed product
		// before it claimed.
		wantProduct(t, l, "4006381333931", "SALT", 300)
	})
}

// TestApplyMasterPurchaseOrders: a purchase order is stored and listed; a
// malformed or invalid one is skipped and counted, the previous version
// kept; a tombstone replaces it.
func TestApplyMasterPurchaseOrders(t *testing.T) {
	l := MustOpenLedger(t)
	po := func(rev uint64, qty int64, base int64) *pb.MasterRecord {
		body, err := proto.Marshal(&pb.DocumentRecord{Partner: "SUP", Lines: []*pb.DocumentLine{
			{Line: 1, Sku: "CUP-1", Unit: "箱", Factor: 12, Qty: qty, QtyBase: base}}})
		if err != nil {
			t.Fatal(err)
		}
		return &pb.MasterRecord{Kind: syncproto.KindPurchaseOrder, Key: "CG20261125-0001", Revision: rev, Body: body}
	}
	mustApplyMaster(t, l, masterBatch(0, 1, po(1, 2, 24)), true)
	bad := po(2, 2, 25) // qty_base is not qty × factor
	garbage := &pb.MasterRecord{Kind: syncproto.KindPurchaseOrder, Key: "CG20261125-0002", Revision: 3, Body: []byte{0xff}}
	mustApplyMaster(t, l, masterBatch(1, 3, bad, garbage), true)
	st := l.Stats()
	if st.MasterSkipped[agent.MasterSkipRecord] != 1 || st.MasterSkipped[agent.MasterSkipBody] != 1 {
		t.Errorf("skipped %v", st.MasterSkipped)
	}
	recs, err := l.MasterRecords(context.Background(), syncproto.KindPurchaseOrder)
	if err != nil || len(recs) != 1 || recs[0].GetRevision() != 1 {
		t.Fatalf("purchase orders %v, %v", recs, err)
	}
	mustApplyMaster(t, l, masterBatch(3, 4, &pb.MasterRecord{Kind: syncproto.KindPurchaseOrder, Key: "CG20261125-0001", Revision: 4, Deleted: true}), true)
	if recs, err := l.MasterRecords(context.Background(), syncproto.KindPurchaseOrder); err != nil || len(recs) != 1 || !recs[0].GetDeleted() {
		t.Fatalf("after the tombstone: %v, %v", recs, err)
	}
}
