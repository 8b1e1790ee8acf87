package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// testCountConflicts: two handhelds count one key without seeing each
// other; the cloud keeps both observations and shows the conflict open; a
// recount that saw both closes it, and the observations stay.
func (su *suite) testCountConflicts(t *testing.T) {
	ctx := context.Background()
	tenant := su.tenant()
	a, b, c := su.replica(tenant, "s1"), su.replica(tenant, "s1"), su.replica(tenant, "s1")
	a.Move(t, "B1", "tea", "", 10)
	ca := a.Count(t, "B1", "tea", "", 9, syncproto.VV{a.ID: 1})
	b.Clock = a.Clock + 5
	cb := b.Count(t, "B1", "tea", "", 12, nil)
	for _, x := range []*Replica{b, a} {
		su.apply(t, su.s, x.Batch(t, 1, x.Seq()))
	}
	f := cloud.ConflictFilter{Tenant: tenant, Open: true}
	got, err := su.s.CountConflicts(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Open || got[0].SKU != "tea" || len(got[0].Observations) != 2 {
		t.Fatalf("open conflicts = %+v, want one open conflict of tea with 2 observations", got)
	}
	k := got[0]
	if k.Winner != (cloud.CountID{Replica: cb.Replica.String(), Seq: cb.Seq}) || k.OnHand != 12+10 {
		// b counted 12 without seeing a's +10, so a's +10 is added.
		t.Fatalf("winner %+v on-hand %d, want b's count and 22", k.Winner, k.OnHand)
	}
	for i, want := range []syncproto.Event{ca, cb} { // by HLC
		o := k.Observations[i]
		if o.Replica != want.Replica.String() || o.Seq != want.Seq || o.HLC != want.HLC ||
			o.Counted != want.Msg.GetCount().GetCounted() || !o.Live || o.Operator != "test" || o.Device != "storetest" {
			t.Errorf("observation %d = %+v, want %s/%d", i, o, want.Replica, want.Seq)
		}
	}
	// The conflict is kept through a rebuild.
	if err := su.s.RebuildOnHand(ctx); err != nil {
		t.Fatal(err)
	}
	if again, err := su.s.CountConflicts(ctx, f); err != nil || len(again) != 1 || len(again[0].Observations) != 2 {
		t.Fatalf("after rebuild: %+v, %v", again, err)
	}

	// A recount that saw both closes it, whatever its clock.
	c.Clock = 1
	cc := c.Count(t, "B1", "tea", "", 20, syncproto.VV{a.ID: 2, b.ID: 1})
	su.apply(t, su.s, c.Batch(t, 1, 1))
	if open, err := su.s.CountConflicts(ctx, f); err != nil || len(open) != 0 {
		t.Fatalf("open conflicts after the recount: %+v, %v", open, err)
	}
	all, err := su.s.CountConflicts(ctx, cloud.ConflictFilter{Tenant: tenant})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Open || len(all[0].Observations) != 2 || all[0].OnHand != 20 ||
		all[0].Winner != (cloud.CountID{Replica: cc.Replica.String(), Seq: cc.Seq}) {
		t.Fatalf("all conflicts after the recount = %+v, want the closed one with c's count winning at 20", all)
	}
	for _, o := range all[0].Observations {
		if o.Live {
			t.Errorf("observation %s/%d still live after the recount", o.Replica, o.Seq)
		}
	}
}

// testManyCounts merges a long history of counts of one key, each seeing
// the one before, plus a batch of concurrent ones, against OnHandAll and a
// rebuild. The merge is incremental (one count's context at a time), so a
// history like this costs each new count the same.
func (su *suite) testManyCounts(t *testing.T) {
	tenant := su.tenant()
	var rs []*Replica
	for range 20 {
		rs = append(rs, su.replica(tenant, "s1"))
	}
	seen := syncproto.VV{}
	for i := range 300 {
		r := rs[i%len(rs)]
		if i%7 == 0 {
			r.Move(t, "B1", "rice", "", int64(i))
		}
		ctx := syncproto.VV{}
		for k, v := range seen {
			ctx[k] = v
		}
		r.Count(t, "B1", "rice", "", int64(i), ctx)
		seen[r.ID] = r.Seq()
	}
	// Five concurrent counts that saw nothing.
	for _, r := range rs[:5] {
		r.Count(t, "B1", "rice", "", 1000, nil)
	}
	var all []syncproto.Event
	for _, r := range rs {
		all = append(all, r.Events...)
		for from := uint64(1); from <= r.Seq(); from += 16 {
			su.apply(t, su.s, r.Batch(t, from, min(from+15, r.Seq())))
		}
	}
	tenantOf := func(syncproto.ReplicaID) string { return tenant }
	checkStock(t, su.s, "many counts", []string{tenant}, WantStock(all, tenantOf))
	if err := su.s.RebuildOnHand(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkStock(t, su.s, "many counts, rebuilt", []string{tenant}, WantStock(all, tenantOf))
}

// testEPCLocations: an EPC's location is its movement with the greatest
// (hlc, replica, seq), in any order of delivery and after a rebuild.
func (su *suite) testEPCLocations(t *testing.T) {
	ctx := context.Background()
	for _, order := range []string{"forward", "reverse"} {
		tenant := su.tenant()
		dock, store := su.replica(tenant, "wh"), su.replica(tenant, "shop")
		epc := "3034257BF400B7800004CB2F"
		mv := func(r *Replica, bin string, qty int64) syncproto.Event {
			return r.Add(t, &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{
				Bin: bin, Sku: "shirt", Epc: epc, Qty: qty, Reason: "gate"}}})
		}
		mv(dock, "DOCK", 1)
		store.Clock = dock.Clock + 10
		mv(dock, "DOCK", -1) // shipped out: earlier than the store's receipt
		dock.Clock = store.Clock - 5
		want := mv(store, "FLOOR", 1)
		bs := []*syncproto.Batch{dock.Batch(t, 1, 1), dock.Batch(t, 2, 2), store.Batch(t, 1, 1)}
		if order == "reverse" {
			slices.Reverse(bs)
		}
		for _, b := range bs {
			su.apply(t, su.s, b)
		}
		check := func(what string) {
			t.Helper()
			loc, ok, err := su.s.EPCLocation(ctx, tenant, epc)
			if err != nil || !ok {
				t.Fatalf("%s: EPCLocation = %v, %v", what, ok, err)
			}
			if loc.Site != "shop" || loc.Bin != "FLOOR" || !loc.In || loc.Replica != want.Replica.String() ||
				loc.Seq != 1 || loc.HLC != want.HLC || loc.SKU != "shirt" {
				t.Fatalf("%s: location %+v, want the store's receipt", what, loc)
			}
		}
		check(order)
		if err := su.s.RebuildOnHand(ctx); err != nil {
			t.Fatal(err)
		}
		check(order + ", rebuilt")
		if _, ok, err := su.s.EPCLocation(ctx, tenant, "unknown"); ok || err != nil {
			t.Fatalf("unknown EPC: %v, %v", ok, err)
		}
	}
}
