package gs1_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strconv"
	"testing"

	"github.com/jxc-edge/jxc/drivers/gs1"
)

func mustHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatalf("hex %q: %v", s, err)
	}
	return b
}

func TestDecodeEPC(t *testing.T) {
	tests := []struct {
		name    string
		hex     string
		want    gs1.EPC
		uri     string
		tagURI  string
		wantErr bool
	}{
		{
			// The TDS example: urn:epc:tag:sgtin-96:3.0614141.812345.6789.
			name: "tds example",
			hex:  "3074257BF7194E4000001A85",
			want: gs1.EPC{Scheme: "sgtin-96", Hex: "3074257BF7194E4000001A85", Bits: 96, Filter: 3,
				CompanyPrefix: "0614141", ItemReference: "812345", GTIN: "80614141123458", Serial: "6789"},
			uri:    "urn:epc:id:sgtin:0614141.812345.6789",
			tagURI: "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
		},
		{
			name: "partition 0, 12-digit prefix, indicator only",
			hex:  "",
			want: gs1.EPC{Scheme: "sgtin-96", Bits: 96, Filter: 1,
				CompanyPrefix: "095011015300", ItemReference: "0", GTIN: "00950110153007", Serial: "0"},
			uri: "urn:epc:id:sgtin:095011015300.0.0",
		},
		{
			name: "partition 6, 6-digit prefix, max serial",
			hex:  "",
			want: gs1.EPC{Scheme: "sgtin-96", Bits: 96, Filter: 7,
				CompanyPrefix: "000123", ItemReference: "1000045", GTIN: "10001230000454", Serial: "274877906943"},
			uri: "urn:epc:id:sgtin:000123.1000045.274877906943",
		},
		{
			name: "other header kept raw",
			hex:  "E2801160600002054A6C1B2F",
			want: gs1.EPC{Scheme: "raw", Hex: "E2801160600002054A6C1B2F", Bits: 96},
			uri:  "urn:epc:raw:96.xE2801160600002054A6C1B2F",
		},
		{
			name: "short raw",
			hex:  "AB12",
			want: gs1.EPC{Scheme: "raw", Hex: "AB12", Bits: 16},
			uri:  "urn:epc:raw:16.xAB12",
		},
		{
			name:    "sgtin header with 128 bits",
			hex:     "3074257BF7194E4000001A8500000000",
			want:    gs1.EPC{Scheme: "raw", Hex: "3074257BF7194E4000001A8500000000", Bits: 128},
			wantErr: true,
		},
		{
			name:    "partition 7",
			hex:     "307C257BF7194E4000001A85",
			want:    gs1.EPC{Scheme: "raw", Hex: "307C257BF7194E4000001A85", Bits: 96},
			wantErr: true,
		},
		{
			// Partition 6: a 20-bit company prefix of 0xFFFFF = 1048575 has
			// 7 digits, not 6.
			name:    "company prefix too long for partition",
			hex:     "3038FFFFF000000000000000",
			want:    gs1.EPC{Scheme: "raw", Hex: "3038FFFFF000000000000000", Bits: 96},
			wantErr: true,
		},
		{
			name:    "empty",
			hex:     "",
			want:    gs1.EPC{Scheme: "raw", Hex: "", Bits: 0},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := mustHex(t, tt.hex)
			if tt.hex == "" && tt.want.Scheme == "sgtin-96" {
				// Build the bytes from the expected fields, then decode.
				serial, _ := strconv.ParseUint(tt.want.Serial, 10, 64)
				var err error
				in, err = gs1.EncodeSGTIN96(tt.want.GTIN, serial, int(tt.want.Filter), len(tt.want.CompanyPrefix))
				if err != nil {
					t.Fatalf("EncodeSGTIN96: %v", err)
				}
				tt.want.Hex = hex.EncodeToString(in)
				tt.want.Hex = string(bytes.ToUpper([]byte(tt.want.Hex)))
			}
			got, err := gs1.DecodeEPC(in)
			if tt.wantErr {
				if !errors.Is(err, gs1.ErrEPCInvalid) {
					t.Fatalf("err = %v, want ErrEPCInvalid", err)
				}
			} else if err != nil {
				t.Fatalf("DecodeEPC: %v", err)
			}
			if got != tt.want {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
			if tt.uri != "" && got.URI() != tt.uri {
				t.Fatalf("URI() = %q, want %q", got.URI(), tt.uri)
			}
			if tt.tagURI != "" && got.TagURI() != tt.tagURI {
				t.Fatalf("TagURI() = %q, want %q", got.TagURI(), tt.tagURI)
			}
		})
	}
}

func TestEncodeSGTIN96(t *testing.T) {
	tests := []struct {
		name     string
		gtin     string
		serial   uint64
		filter   int
		cpDigits int
		want     string
		wantErr  bool
	}{
		{name: "tds example", gtin: "80614141123458", serial: 6789, filter: 3, cpDigits: 7, want: "3074257BF7194E4000001A85"},
		{name: "bad check digit", gtin: "80614141123459", serial: 1, filter: 3, cpDigits: 7, wantErr: true},
		{name: "13 digits", gtin: "0614141123458", serial: 1, filter: 3, cpDigits: 7, wantErr: true},
		{name: "letters", gtin: "8061414112345X", serial: 1, filter: 3, cpDigits: 7, wantErr: true},
		{name: "serial too large", gtin: "80614141123458", serial: 1 << 38, filter: 3, cpDigits: 7, wantErr: true},
		{name: "filter 8", gtin: "80614141123458", serial: 1, filter: 8, cpDigits: 7, wantErr: true},
		{name: "prefix 5 digits", gtin: "80614141123458", serial: 1, filter: 3, cpDigits: 5, wantErr: true},
		{name: "prefix 13 digits", gtin: "80614141123458", serial: 1, filter: 3, cpDigits: 13, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := gs1.EncodeSGTIN96(tt.gtin, tt.serial, tt.filter, tt.cpDigits)
			if tt.wantErr {
				if !errors.Is(err, gs1.ErrEPCInvalid) {
					t.Fatalf("err = %v, want ErrEPCInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("EncodeSGTIN96: %v", err)
			}
			if want := mustHex(t, tt.want); !bytes.Equal(got, want) {
				t.Fatalf("got %X, want %X", got, want)
			}
		})
	}
}

// TestSGTIN96RoundTrip encodes every partition and decodes it back.
func TestSGTIN96RoundTrip(t *testing.T) {
	gtins := []string{"80614141123458", "00950110153007", "10001230000454", "95012345678903"}
	for _, gtin := range gtins {
		for cp := 6; cp <= 12; cp++ {
			for _, serial := range []uint64{0, 1, 6789, 1<<38 - 1} {
				name := gtin + "/" + strconv.Itoa(cp) + "/" + strconv.FormatUint(serial, 10)
				t.Run(name, func(t *testing.T) {
					b, err := gs1.EncodeSGTIN96(gtin, serial, 1, cp)
					if err != nil {
						t.Fatalf("EncodeSGTIN96: %v", err)
					}
					got, err := gs1.DecodeEPC(b)
					if err != nil {
						t.Fatalf("DecodeEPC: %v", err)
					}
					if got.GTIN != gtin || got.Serial != strconv.FormatUint(serial, 10) || len(got.CompanyPrefix) != cp || got.Filter != 1 {
						t.Fatalf("got %+v", got)
					}
				})
			}
		}
	}
}

// FuzzDecodeEPC checks DecodeEPC never panics, always keeps the raw hex,
// and that every SGTIN-96 it accepts encodes back to the same bytes.
func FuzzDecodeEPC(f *testing.F) {
	f.Add(mustHex(f, "3074257BF7194E4000001A85"))
	f.Add(mustHex(f, "E2801160600002054A6C1B2F"))
	f.Add(mustHex(f, "307C257BF7194E4000001A85"))
	f.Add(mustHex(f, "3038FFFFF000000000000000"))
	f.Add([]byte{0x30})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := gs1.DecodeEPC(in)
		if got.Bits != 8*len(in) || len(got.Hex) != 2*len(in) {
			t.Fatalf("DecodeEPC(%X) = %+v", in, got)
		}
		if err != nil {
			if !errors.Is(err, gs1.ErrEPCInvalid) || got.Scheme != "raw" {
				t.Fatalf("DecodeEPC(%X) = %+v, %v", in, got, err)
			}
			return
		}
		if got.Scheme != "sgtin-96" {
			return
		}
		serial, perr := strconv.ParseUint(got.Serial, 10, 64)
		if perr != nil {
			t.Fatalf("serial %q: %v", got.Serial, perr)
		}
		again, err := gs1.EncodeSGTIN96(got.GTIN, serial, int(got.Filter), len(got.CompanyPrefix))
		if err != nil {
			t.Fatalf("EncodeSGTIN96(%+v): %v", got, err)
		}
		// Bits 8..13 and the fields re-encode exactly; nothing in SGTIN-96
		// is free, so the bytes must match.
		if !bytes.Equal(again, in) {
			t.Fatalf("re-encoded %X, decoded from %X (%+v)", again, in, got)
		}
	})
}
