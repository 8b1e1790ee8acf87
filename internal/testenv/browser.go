package testenv

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Chromium finds Chromium for the browser tests: $JXC_CHROMIUM,
// /usr/bin/chromium, or chromium on the PATH. Missing, the test fails under
// CI=true and is skipped otherwise.
func Chromium(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{os.Getenv("JXC_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	msg := "chromium not found ($JXC_CHROMIUM, /usr/bin/chromium, PATH): scripts/services.sh installs Debian's chromium"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg + "; skipping the browser tests")
	return ""
}

// ScreenshotDir is $JXC_SCREENSHOTS (created) or a temporary folder.
func ScreenshotDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("JXC_SCREENSHOTS")
	if dir == "" {
		return tb.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// SaveScreenshot writes the PNG buf as name.png in dir and fails the test
// if the picture is blank: almost one colour, or too few colours for a
// page with text.
func SaveScreenshot(tb testing.TB, dir, name string, buf []byte) {
	tb.Helper()
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		tb.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	if colors, share := inked(img); colors < 16 || share < 0.02 {
		tb.Errorf("screenshot %s looks blank: %d colours, %.1f%% of pixels off the background (%s)", name, colors, share*100, file)
	}
}

// inked returns how many distinct colours img has and the share of its
// pixels that differ from the most common colour.
func inked(img image.Image) (colors int, share float64) {
	count := map[uint32]int{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			count[(r>>11)<<10|(g>>11)<<5|b>>11]++
		}
	}
	most := 0
	for _, n := range count {
		most = max(most, n)
	}
	total := bounds.Dx() * bounds.Dy()
	return len(count), float64(total-most) / float64(total)
}

// Binaries builds commands of this module (jxc-cloud, jxc-agent) once per
// test binary, so that what a test runs is what ships; Path returns one.
type Binaries struct {
	once sync.Once
	dir  string
	err  error
}

// Path builds every name (once) into a temporary folder and returns the
// path of name. Remove removes the folder (TestMain calls it).
func (b *Binaries) Path(tb testing.TB, name string, names ...string) string {
	tb.Helper()
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "jxc-bin-*"); b.err != nil {
			return
		}
		for _, n := range append([]string{name}, names...) {
			out, err := exec.Command("go", "build", "-o", filepath.Join(b.dir, n), "github.com/jxc-edge/jxc/cmd/"+n).CombinedOutput()
			if err != nil {
				b.err = fmt.Errorf("go build %s: %v\n%s", n, err, out)
				return
			}
		}
	})
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return filepath.Join(b.dir, name)
}

// Remove deletes the built binaries.
func (b *Binaries) Remove() {
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}
