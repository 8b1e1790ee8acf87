package agent_test

import (
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/agent"
)

func TestNormalizeGTIN(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, wantErr string
	}{
		{name: "EAN-13", in: "4006381333931", want: "04006381333931"},
		{name: "EAN-13 China prefix", in: "6901234567892", want: "06901234567892"},
		{name: "UPC-A", in: "036000291452", want: "00036000291452"},
		{name: "GTIN-8", in: "96385074", want: "00000096385074"},
		{name: "GTIN-14", in: "10614141000415", want: "10614141000415"},
		{name: "already padded", in: "00614141000418", want: "00614141000418"},
		{name: "empty", in: "", wantErr: "0 characters"},
		{name: "too short", in: "1234567", wantErr: "7 characters"},
		{name: "between lengths", in: "12345678901", wantErr: "11 characters"},
		{name: "too long", in: "123456789012345", wantErr: "15 characters"},
		{name: "very long", in: strings.Repeat("1", 100), wantErr: "100 characters"},
		{name: "letter", in: "400638133393X", wantErr: "not a digit"},
		{name: "space", in: "4006381 33931", wantErr: "not a digit"},
		{name: "bad check digit", in: "4006381333932", wantErr: "check digit 2, want 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := agent.NormalizeGTIN(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %q, %v; want error containing %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
