package webui_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestBuildReproducible builds both entries of web/ the way make web
// does (npm ci, then the console and the handheld pages), in a copy of
// web/ under a temporary folder and into temporary folders, and fails if
// a result differs from its committed dist (cloud/webui/dist, the
// console; agent/webui/dist, the handheld pages jxc-agent serves): the
// sources and the embedded builds must agree, and the builds must not
// depend on the time or on where the tree is.
func TestBuildReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the console with npm (about a minute); not in -short")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("npm not found; scripts/services.sh installs nodejs and npm: %v", err)
		}
		t.Skipf("npm not found, cannot check the console's build (install nodejs and npm, or run make test): %v", err)
	}
	web, err := filepath.Abs(filepath.Join("..", "..", "web"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	src := filepath.Join(tmp, "web")
	if err := copyTree(web, src); err != nil {
		t.Fatalf("copy web/: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, npm, args...)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false")
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Run(); err != nil {
			t.Fatalf("npm %s: %v\n%s", strings.Join(args, " "), err, buf.String())
		}
	}
	run("ci", "--no-audit", "--no-fund")
	for _, b := range []struct{ script, dist string }{
		{"build:console", "dist"},
		{"build:handheld", filepath.Join("..", "..", "agent", "webui", "dist")},
	} {
		out := filepath.Join(tmp, b.script[len("build:"):])
		run("run", b.script, "--", "--outDir", out, "--emptyOutDir")
		compareTrees(t, b.dist, out)
	}
}

// compareTrees fails t if the files under out differ from the committed
// ones under dist.
func compareTrees(t *testing.T, dist, out string) {
	t.Helper()
	want, err := readTree(dist)
	if err != nil {
		t.Fatalf("read the committed %s: %v", dist, err)
	}
	got, err := readTree(out)
	if err != nil {
		t.Fatalf("read the built %s: %v", out, err)
	}
	var diffs []string
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			diffs = append(diffs, "only in the committed "+dist+": "+name)
		case !bytes.Equal(g, w):
			diffs = append(diffs, "differs: "+name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			diffs = append(diffs, "only in the new build: "+name)
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		t.Fatalf("the committed %s is not what web/ builds to (run make web and commit dist):\n  %s",
			dist, strings.Join(diffs, "\n  "))
	}
	if len(want) == 0 {
		t.Fatalf("the committed %s is empty", dist)
	}
}

// copyTree copies the files of dir to dst, leaving out node_modules.
func copyTree(dir, dst string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}

// readTree returns every file under dir by slash-separated relative name.
func readTree(dir string) (map[string][]byte, error) {
	files := make(map[string][]byte)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	return files, err
}
