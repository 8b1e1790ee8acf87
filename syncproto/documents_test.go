package syncproto_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

func TestParseDocLine(t *testing.T) {
	for _, c := range []struct {
		doc    string
		number string
		line   int
		ok     bool
	}{
		{"CG20261125-0001#3", "CG20261125-0001", 3, true},
		{syncproto.DocLine("CG20261125-0012", 1000), "CG20261125-0012", 1000, true},
		{"CG20261125-0001", "", 0, false},
		{"CG20261125-0001#", "", 0, false},
		{"#3", "", 0, false},
		{"CG1#0", "", 0, false},
		{"CG1#03", "", 0, false},
		{"CG1#1001", "", 0, false},
		{"CG1#x", "", 0, false},
		{"", "", 0, false},
	} {
		number, line, ok := syncproto.ParseDocLine(c.doc)
		if number != c.number || line != c.line || ok != c.ok {
			t.Errorf("ParseDocLine(%q) = %q, %d, %v; want %q, %d, %v", c.doc, number, line, ok, c.number, c.line, c.ok)
		}
	}
}

func TestDecodeDocumentRecord(t *testing.T) {
	good := &pb.DocumentRecord{Partner: "S1", Lines: []*pb.DocumentLine{
		{Line: 1, Sku: "A", Unit: "箱", Factor: 12, Qty: 2, QtyBase: 24}}}
	body, _ := proto.Marshal(good)
	if _, err := syncproto.DecodeDocumentRecord(syncproto.KindPurchaseOrder, body); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(r *pb.DocumentRecord){
		"no supplier": func(r *pb.DocumentRecord) { r.Partner = "" },
		"no lines":    func(r *pb.DocumentRecord) { r.Lines = nil },
		"line 0":      func(r *pb.DocumentRecord) { r.Lines[0].Line = 0 },
		"base":        func(r *pb.DocumentRecord) { r.Lines[0].QtyBase = 23 },
		"factor":      func(r *pb.DocumentRecord) { r.Lines[0].Factor = 0 },
	} {
		r := proto.Clone(good).(*pb.DocumentRecord)
		mut(r)
		b, _ := proto.Marshal(r)
		if _, err := syncproto.DecodeDocumentRecord(syncproto.KindPurchaseOrder, b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := syncproto.DecodeDocumentRecord(syncproto.KindPurchaseOrder, []byte{0xff}); err == nil {
		t.Error("garbage accepted")
	}
}

// FuzzDecodeDocumentRecord: no body panics the decoder, and what it
// accepts is valid again after a re-encode.
func FuzzDecodeDocumentRecord(f *testing.F) {
	good, _ := proto.Marshal(&pb.DocumentRecord{Partner: "S1", Date: "2026-11-25", Lines: []*pb.DocumentLine{
		{Line: 1, Sku: "A", Unit: "箱", Factor: 12, Qty: 2, QtyBase: 24}, {Line: 2, Sku: "B", Unit: "个", Factor: 1, Qty: 5, QtyBase: 5}}})
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0x2a, 0x02, 0x08, 0x01})
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := syncproto.DecodeDocumentRecord(syncproto.KindPurchaseOrder, body)
		if err != nil {
			return
		}
		again, err := proto.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := syncproto.DecodeDocumentRecord(syncproto.KindPurchaseOrder, again); err != nil {
			t.Fatalf("accepted %x, refused its re-encoding: %v", body, err)
		}
	})
}

// FuzzParseDocLine: a doc that parses is rebuilt exactly by DocLine.
func FuzzParseDocLine(f *testing.F) {
	for _, s := range []string{"CG20261125-0001#3", "CG1#1000", "#1", "a#b#2", "CG1#01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		number, line, ok := syncproto.ParseDocLine(doc)
		if ok && syncproto.DocLine(number, line) != doc {
			t.Fatalf("%q parsed as %q, %d", doc, number, line)
		}
	})
}
