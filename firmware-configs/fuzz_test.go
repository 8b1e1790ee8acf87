package profiles_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	profiles "github.com/jxc-edge/jxc/firmware-configs"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, every
// error must be a profile error, and a success is one profile with a
// version that parsing again reproduces.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("devices/*.yaml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{readerYAML, scaleYAML, scannerYAML, "", "kind: reader\n", "- a\n- b\n", "a: &x [*x]\n",
		"kind: reader\nantennas: [{port: 1.5}]\n", "kind: scanner\nsymbology_prefixes: {a: 1}\n", "kind: reader\n<<: {name: x}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := profiles.Parse("fuzz.yaml", data)
		if err != nil {
			if s != nil {
				t.Fatal("set with an error")
			}
			if !errors.Is(err, profiles.ErrInvalid) {
				t.Fatalf("error is not ErrInvalid: %v", err)
			}
			return
		}
		if s.Len() != 1 || len(s.Version()) != 64 {
			t.Fatalf("set of %d, version %q", s.Len(), s.Version())
		}
		again, err := profiles.Parse("fuzz.yaml", data)
		if err != nil || again.Version() != s.Version() {
			t.Fatalf("parsing again: %v, version %s vs %s", err, again.Version(), s.Version())
		}
	})
}
