package syncproto_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// ProductBody returns the body of a product record with one GTIN.
func ProductBody(tb testing.TB, gtin string) []byte {
	tb.Helper()
	b, err := proto.Marshal(&pb.ProductRecord{Name: "Tea 茶", Unit: "pcs", Price: 1250, Gtins: []string{gtin}})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// MasterBatch returns a valid batch of n product records after rev from.
func MasterBatch(tb testing.TB, from uint64, n int) *pb.MasterBatch {
	tb.Helper()
	b := &pb.MasterBatch{Tenant: "acme", Site: "store-1", FromRev: from, ToRev: from + uint64(n), Complete: true}
	for i := range n {
		b.Records = append(b.Records, &pb.MasterRecord{Kind: syncproto.KindProduct, Key: fmt.Sprintf("SKU-%d", i),
			Revision: from + uint64(i) + 1, Body: ProductBody(tb, "4006381333931")})
	}
	return b
}

func TestMasterBatchRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 3000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			b := MasterBatch(t, 7, n)
			wire, err := syncproto.EncodeMasterBatch(b)
			if err != nil {
				t.Fatal(err)
			}
			if n == 3000 && len(wire) > 20*n {
				t.Errorf("%d records take %d bytes: not compressed?", n, len(wire))
			}
			got, err := syncproto.DecodeMasterBatch(wire)
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, b) {
				t.Errorf("decoded %v, want %v", got, b)
			}
		})
	}
}

func TestDecodeMasterBatchRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(b *pb.MasterBatch)
		want   error
	}{
		{"no tenant", func(b *pb.MasterBatch) { b.Tenant = "" }, syncproto.ErrMalformed},
		{"site with a slash", func(b *pb.MasterBatch) { b.Site = "a/b" }, syncproto.ErrMalformed},
		{"to before from", func(b *pb.MasterBatch) { b.FromRev, b.ToRev = 9, 8; b.Records = nil }, syncproto.ErrMalformed},
		{"revision at from", func(b *pb.MasterBatch) { b.Records[0].Revision = b.FromRev }, syncproto.ErrMalformed},
		{"revision beyond to", func(b *pb.MasterBatch) { b.Records[1].Revision = b.ToRev + 1 }, syncproto.ErrMalformed},
		{"revisions out of order", func(b *pb.MasterBatch) {
			b.Records[0].Revision, b.Records[1].Revision = b.Records[1].Revision, b.Records[0].Revision
		}, syncproto.ErrMalformed},
		{"key twice", func(b *pb.MasterBatch) { b.Records[1].Key = b.Records[0].Key }, syncproto.ErrMalformed},
		{"empty key", func(b *pb.MasterBatch) { b.Records[0].Key = "" }, syncproto.ErrInvalidEvent},
		{"key with NUL", func(b *pb.MasterBatch) { b.Records[0].Key = "a\x00" }, syncproto.ErrInvalidEvent},
		{"kind upper case", func(b *pb.MasterBatch) { b.Records[0].Kind = "Product" }, syncproto.ErrInvalidEvent},
		{"deleted with body", func(b *pb.MasterBatch) { b.Records[0].Deleted = true }, syncproto.ErrInvalidEvent},
		{"body too large", func(b *pb.MasterBatch) { b.Records[0].Body = make([]byte, syncproto.MaxMasterBody+1) }, syncproto.ErrInvalidEvent},
		{"revision beyond int64", func(b *pb.MasterBatch) { b.ToRev = 1 << 63 }, syncproto.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := MasterBatch(t, 10, 3)
			b.Version = syncproto.Version
			tt.change(b)
			body, err := proto.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			_, err = syncproto.DecodeMasterBatch(append([]byte{0}, body...))
			if !errors.Is(err, tt.want) {
				t.Fatalf("DecodeMasterBatch: %v, want %v", err, tt.want)
			}
			if _, err := syncproto.EncodeMasterBatch(b); err == nil {
				t.Errorf("EncodeMasterBatch accepted what DecodeMasterBatch refuses")
			}
		})
	}
}

func TestDecodeMasterBatchLimits(t *testing.T) {
	t.Run("no version", func(t *testing.T) {
		body, _ := proto.Marshal(MasterBatch(t, 0, 1))
		if _, err := syncproto.DecodeMasterBatch(append([]byte{0}, body...)); !errors.Is(err, syncproto.ErrVersion) {
			t.Fatalf("got %v, want ErrVersion", err)
		}
	})
	t.Run("too many empty records", func(t *testing.T) {
		// Millions of empty records compress to a few bytes; the decoder
		// must count them before allocating each.
		var body []byte
		body = protowire.AppendTag(body, 1, protowire.VarintType)
		body = protowire.AppendVarint(body, 1)
		for range syncproto.MaxMasterRecords + 1 {
			body = protowire.AppendTag(body, 6, protowire.BytesType)
			body = protowire.AppendBytes(body, nil)
		}
		if _, err := syncproto.DecodeMasterBatch(append([]byte{0}, body...)); !errors.Is(err, syncproto.ErrTooLarge) {
			t.Fatalf("got %v, want ErrTooLarge", err)
		}
	})
	t.Run("over the wire size", func(t *testing.T) {
		if _, err := syncproto.DecodeMasterBatch(make([]byte, syncproto.MaxWireSize+1)); !errors.Is(err, syncproto.ErrTooLarge) {
			t.Fatalf("got %v, want ErrTooLarge", err)
		}
	})
	t.Run("encode too many", func(t *testing.T) {
		if _, err := syncproto.EncodeMasterBatch(MasterBatch(t, 0, syncproto.MaxMasterRecords+1)); !errors.Is(err, syncproto.ErrTooLarge) {
			t.Fatalf("got %v, want ErrTooLarge", err)
		}
	})
}

func TestFitMasterBatch(t *testing.T) {
	var recs []*pb.MasterRecord
	for i := range 40 {
		recs = append(recs, &pb.MasterRecord{Kind: "device_profile", Key: fmt.Sprint("p", i), Revision: uint64(i + 1),
			Body: []byte(strings.Repeat(fmt.Sprint(i%10), 16<<10))})
	}
	n := syncproto.FitMasterBatch(recs)
	if n == 0 || n == len(recs) {
		t.Fatalf("FitMasterBatch = %d of %d records of 16 KiB", n, len(recs))
	}
	b := &pb.MasterBatch{Tenant: "t", Site: "s", ToRev: uint64(n), Records: recs[:n]}
	if _, err := syncproto.EncodeMasterBatch(b); err != nil {
		t.Fatalf("a batch FitMasterBatch chose does not encode: %v", err)
	}
}

func TestDecodeProductRecord(t *testing.T) {
	tests := []struct {
		name string
		p    *pb.ProductRecord
		ok   bool
	}{
		{"valid", &pb.ProductRecord{Name: "茶", Gtins: []string{"4006381333931", "96385074"}}, true},
		{"no gtin", &pb.ProductRecord{Name: "x"}, true},
		{"pack", &pb.ProductRecord{Name: "x", Packs: []*pb.PackRecord{{Unit: "箱", Factor: 12, Gtins: []string{"14006381333938"}}}}, true},
		{"pack factor 1", &pb.ProductRecord{Name: "x", Packs: []*pb.PackRecord{{Unit: "箱", Factor: 1}}}, false},
		{"pack without unit", &pb.ProductRecord{Name: "x", Packs: []*pb.PackRecord{{Factor: 12}}}, false},
		{"pack bad gtin", &pb.ProductRecord{Name: "x", Packs: []*pb.PackRecord{{Unit: "箱", Factor: 12, Gtins: []string{"14006381333930"}}}}, false},
		{"weight decimals 4", &pb.ProductRecord{Name: "x", ByWeight: true, WeightDecimals: 4}, false},
		{"vat 101", &pb.ProductRecord{Name: "x", VatRate: 101}, false},
		{"bad check digit", &pb.ProductRecord{Gtins: []string{"4006381333932"}}, false},
		{"letters", &pb.ProductRecord{Gtins: []string{"400638133393a"}}, false},
		{"negative price", &pb.ProductRecord{Price: -1, Gtins: []string{"4006381333931"}}, false},
		{"control in unit", &pb.ProductRecord{Unit: "k\ng", Gtins: []string{"4006381333931"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _ := proto.Marshal(tt.p)
			_, err := syncproto.DecodeProductRecord(body)
			if (err == nil) != tt.ok {
				t.Fatalf("DecodeProductRecord: %v, want ok=%v", err, tt.ok)
			}
			var ve *syncproto.ValidationError
			if err != nil && !errors.As(err, &ve) {
				t.Errorf("%v is not a *ValidationError (no Chinese text)", err)
			}
		})
	}
	if _, err := syncproto.DecodeProductRecord([]byte{0xff}); !errors.Is(err, syncproto.ErrMalformed) {
		t.Errorf("garbage body: %v, want ErrMalformed", err)
	}
}

func FuzzDecodeMasterBatch(f *testing.F) {
	for _, n := range []int{0, 2, 200} {
		w, err := syncproto.EncodeMasterBatch(MasterBatch(f, 5, n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(w)
	}
	f.Add([]byte{formatZstd, 0x28, 0xb5, 0x2f, 0xfd})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, wire []byte) {
		b, err := syncproto.DecodeMasterBatch(wire)
		if err != nil {
			if b != nil {
				t.Fatalf("DecodeMasterBatch returned a batch with error %v", err)
			}
			if !isCodecError(err) {
				t.Fatalf("DecodeMasterBatch error %v is none of the sentinel errors", err)
			}
			return
		}
		prev := b.GetFromRev()
		for _, r := range b.GetRecords() {
			if r.GetRevision() <= prev || r.GetRevision() > b.GetToRev() {
				t.Fatalf("accepted revisions out of order: %v", b)
			}
			prev = r.GetRevision()
			if r.GetKind() == syncproto.KindProduct {
				syncproto.DecodeProductRecord(r.GetBody()) // must not panic
			}
		}
		again, err := syncproto.EncodeMasterBatch(b)
		if err != nil {
			if errors.Is(err, syncproto.ErrTooLarge) && wire[0] == formatZstd {
				return
			}
			t.Fatalf("EncodeMasterBatch of a decoded batch: %v", err)
		}
		b2, err := syncproto.DecodeMasterBatch(again)
		if err != nil || !proto.Equal(b, b2) {
			t.Fatalf("re-encoded batch decodes to %v, %v; want %v", b2, err, b)
		}
	})
}

func TestDecodeStatus(t *testing.T) {
	good := &pb.Status{Replica: 7, Site: "s1", Online: true, Devices: []*pb.DeviceHealth{{Device: "gate-1", Kind: "reader"}}}
	wire, err := syncproto.Encode(good)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := syncproto.DecodeStatus(wire); err != nil || s.GetDevices()[0].GetDevice() != "gate-1" {
		t.Fatalf("DecodeStatus = %v, %v", s, err)
	}
	for name, s := range map[string]*pb.Status{
		"bad site":         {Site: "a/b"},
		"unnamed device":   {Site: "s1", Devices: []*pb.DeviceHealth{{Kind: "reader"}}},
		"control in error": {Site: "s1", Devices: []*pb.DeviceHealth{{Device: "d", Error: "x\x00"}}},
	} {
		wire, err := syncproto.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := syncproto.DecodeStatus(wire); !errors.Is(err, syncproto.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
	if _, err := syncproto.DecodeStatus([]byte{0xff, 0xff}); err == nil {
		t.Error("garbage decoded")
	}
	noVersion, _ := proto.Marshal(&pb.Status{Site: "s1"})
	if _, err := syncproto.DecodeStatus(noVersion); !errors.Is(err, syncproto.ErrVersion) {
		t.Errorf("no version: %v", err)
	}
}
