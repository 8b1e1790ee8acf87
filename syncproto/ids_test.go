package syncproto_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/syncproto"
)

func TestReplicaIDString(t *testing.T) {
	tests := []struct {
		name string
		id   syncproto.ReplicaID
		want string
	}{
		{name: "one", id: 1, want: "0000000000000001"},
		{name: "mixed", id: 0x00c0ffee12345678, want: "00c0ffee12345678"},
		{name: "max", id: 1<<64 - 1, want: "ffffffffffffffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.id.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			got, err := syncproto.ParseReplicaID(tt.want)
			if err != nil {
				t.Fatalf("ParseReplicaID(%q): %v", tt.want, err)
			}
			if got != tt.id {
				t.Errorf("ParseReplicaID(%q) = %v, want %v", tt.want, got, tt.id)
			}
		})
	}
}

func TestParseReplicaIDErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "empty", in: ""},
		{name: "zero", in: "0000000000000000"},
		{name: "short", in: "c0ffee"},
		{name: "long", in: "000000000000000001"},
		{name: "not hex", in: "000000000000000g"},
		{name: "sign", in: "+000000000000001"},
		{name: "hex prefix", in: "0x00000000000001"},
		{name: "space", in: " 000000000000001"},
		{name: "underscore", in: "0000_00000000001"},
		// The topic form is lowercase: an uppercase alias of a replica's
		// topic would dodge broker ACLs written for the canonical one.
		{name: "uppercase", in: "00C0FFEE12345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := syncproto.ParseReplicaID(tt.in)
			if !errors.Is(err, syncproto.ErrBadReplica) {
				t.Fatalf("ParseReplicaID(%q) = %v, %v; want ErrBadReplica", tt.in, got, err)
			}
		})
	}
}

func TestNewReplicaID(t *testing.T) {
	seen := make(map[syncproto.ReplicaID]bool)
	for range 100 {
		id, err := syncproto.NewReplicaID()
		if err != nil {
			t.Fatalf("NewReplicaID: %v", err)
		}
		if id == 0 {
			t.Fatal("NewReplicaID returned 0")
		}
		if seen[id] {
			t.Fatalf("NewReplicaID returned %v twice", id)
		}
		seen[id] = true
		back, err := syncproto.ParseReplicaID(id.String())
		if err != nil || back != id {
			t.Fatalf("ParseReplicaID(%q) = %v, %v; want %v", id.String(), back, err, id)
		}
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{name: "simple", in: "store-042", ok: true},
		{name: "one byte", in: "s", ok: true},
		{name: "64 bytes", in: strings.Repeat("a", 64), ok: true},
		{name: "chinese", in: "上海仓", ok: true},
		{name: "dots and underscores", in: "acme_co.cn", ok: true},
		{name: "empty", in: ""},
		{name: "65 bytes", in: strings.Repeat("a", 65)},
		{name: "22 chinese characters are 66 bytes", in: strings.Repeat("仓", 22)},
		{name: "slash", in: "a/b"},
		{name: "plus wildcard", in: "a+"},
		{name: "hash wildcard", in: "#"},
		{name: "dollar", in: "$SYS"},
		{name: "space", in: "a b"},
		{name: "tab", in: "a\tb"},
		{name: "newline", in: "a\n"},
		{name: "carriage return", in: "a\rb"},
		{name: "nul", in: "a\x00"},
		{name: "other control", in: "a\x01b"},
		{name: "escape", in: "\x1b[31m"},
		{name: "delete", in: "a\x7f"},
		{name: "C1 control", in: "a\u0085b"},
		// MQTT topics must be UTF-8: a broker drops the connection of a
		// client that publishes to an invalid one.
		{name: "invalid utf-8", in: "a\xffb"},
		{name: "truncated utf-8", in: "\xe4\xb8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := syncproto.ValidName(tt.in)
			if tt.ok && err != nil {
				t.Errorf("ValidName(%q) = %v, want nil", tt.in, err)
			}
			if !tt.ok && !errors.Is(err, syncproto.ErrBadName) {
				t.Errorf("ValidName(%q) = %v, want ErrBadName", tt.in, err)
			}
		})
	}
}
