package work_test

import (
	"context"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/work"
)

func TestRouteDevice(t *testing.T) {
	l := mustOpen(t)
	seed(t, l)
	s := work.New(l, nil)
	ctx := as(clerk)
	pass := func(sku string, qty int64) agent.MovementInput {
		return agent.MovementInput{SKU: sku, Bin: "DOCK", Qty: qty, Reason: "receive", Device: "dock-1"}
	}
	// No session at the door: nothing is routed.
	ms := []agent.MovementInput{pass("A", 1)}
	if refused, err := s.RouteDevice(context.Background(), "dock-1", ms); err != nil || refused != nil || ms[0].Doc != "" {
		t.Fatalf("no session: %v %v %+v", refused, err, ms)
	}
	if _, err := s.OpenSession(ctx, "o1", work.SessionRequest{Type: "receipt", Device: "dock-1"}); code(err) != work.CodeInvalid {
		t.Fatalf("device session without a PO: %v", err)
	}
	open, err := s.OpenSession(ctx, "o2", work.SessionRequest{Type: "receipt", Ref: "CG1", Device: "dock-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenSession(ctx, "o3", work.SessionRequest{Type: "receipt", Ref: "CG1", Device: "dock-1"}); code(err) != work.CodeSessionState {
		t.Fatalf("second session at the door: %v", err)
	}
	if id, po, ok, err := s.DeviceSession(context.Background(), "dock-1"); err != nil || !ok || id != open.ID || po != "CG1" {
		t.Fatalf("device session %s %s %v %v", id, po, ok, err)
	}
	// A handheld received 8 of line 1 (10 + 10 %: 11 allowed).
	if _, err := s.Receive(ctx, "k1", work.ReceiveRequest{PO: "CG1", Scan: work.Scan{SKU: "A", Qty: 8}}); err != nil {
		t.Fatal(err)
	}
	ms = []agent.MovementInput{pass("A", 1), pass("A", 1), pass("B", 1), pass("A", 1), pass("Z", 1), pass("A", 12),
		{SKU: "A", Bin: "DOCK", Qty: -1, Reason: "ship", Device: "dock-1"}}
	refused, err := s.RouteDevice(context.Background(), "dock-1", ms)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ doc, code string }{{"CG1#1", ""}, {"CG1#1", ""}, {"CG1#2", ""}, {"CG1#1", ""}, {"CG1", work.CodeNotOnDocument},
		{"CG1", work.CodeOverReceipt}, {"", ""}}
	for i, w := range want {
		got := ""
		if refused[i] != nil {
			got = code(refused[i])
		}
		if ms[i].Doc != w.doc || got != w.code {
			t.Errorf("movement %d: doc %q refused %q; want %q %q", i, ms[i].Doc, got, w.doc, w.code)
		}
	}
	if _, err := l.RecordMovements(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	// The 12th A is over: 8 + 3 = 11 taken.
	ms = []agent.MovementInput{pass("A", 1)}
	if refused, err := s.RouteDevice(context.Background(), "dock-1", ms); err != nil || code(refused[0]) != work.CodeOverReceipt || ms[0].Doc != "CG1" {
		t.Fatalf("over tolerance: %v %v %+v", refused, err, ms)
	}
	if got := s.Refused(); got[work.CodeOverReceipt] != 2 || got[work.CodeNotOnDocument] != 1 {
		t.Errorf("refusals counted %v", got)
	}
	// Another device is not routed.
	ms = []agent.MovementInput{pass("B", 1)}
	if refused, err := s.RouteDevice(context.Background(), "dock-2", ms); err != nil || refused != nil || ms[0].Doc != "" {
		t.Fatalf("other device: %v %v %+v", refused, err, ms)
	}
	// Closing the session sums what the handheld and the door received,
	// and ends the routing.
	d, err := s.CloseSession(ctx, "c1", open.ID, work.CloseRequest{})
	if err != nil {
		t.Fatal(err)
	}
	sums := map[int]int64{}
	for _, ln := range d.Doc.Lines {
		sums[ln.RefLine] += ln.Qty
	}
	if sums[1] != 11 || sums[2] != 1 || sums[0] != 13 {
		t.Errorf("session lines %+v", d.Doc.Lines)
	}
	ms = []agent.MovementInput{pass("B", 1)}
	if refused, err := s.RouteDevice(context.Background(), "dock-1", ms); err != nil || refused != nil || ms[0].Doc != "" {
		t.Fatalf("after close: %v %v %+v", refused, err, ms)
	}
	if _, _, ok, _ := s.DeviceSession(context.Background(), "dock-1"); ok {
		t.Fatal("session still at the door after close")
	}
	// A session on an order the site does not hold: unplanned, refusing nothing.
	if _, err := s.OpenSession(ctx, "o4", work.SessionRequest{Type: "receipt", Ref: "CG77", Device: "dock-1"}); err != nil {
		t.Fatal(err)
	}
	ms = []agent.MovementInput{pass("Q", 5)}
	if refused, err := s.RouteDevice(context.Background(), "dock-1", ms); err != nil || refused != nil || ms[0].Doc != "CG77" {
		t.Fatalf("unplanned: %v %v %+v", refused, err, ms)
	}
}
