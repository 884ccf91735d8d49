package report_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartelsim/cartelsim/report"
)

// chromium finds a Chromium to run headless, or skips the test: Debian's package
// (apt-get install chromium; .ci/report-browser.sh installs it in CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CARTELSIM_REQUIRE_BROWSER") != "" { // .ci/report-browser.sh installed it
		t.Fatal("no chromium on PATH, and CARTELSIM_REQUIRE_BROWSER is set")
	}
	t.Skip("no chromium on PATH (apt-get install chromium): the page is not opened in a browser")
	return ""
}

// shotHeight is the screenshot's height in pixels: room for the core parameters' table,
// whose sources wrap to several lines each, above the plots.
const shotHeight = 4500

// consoleLine is what Chromium logs, with --enable-logging=stderr, for a message of the
// page's console: an error, an uncaught exception, a refused load.
var consoleLine = regexp.MustCompile(`:CONSOLE(\(\d+\)|:\d+)\]`)

// browse opens page headless in Chromium, takes a screenshot of it at 1200 x shotHeight and
// returns the screenshot and the page's console messages.
func browse(t *testing.T, page string) (shot []byte, console []string) {
	t.Helper()
	bin := chromium(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a bound, not a measure
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--enable-logging=stderr", "--v=0",
		"--window-size=1200,"+strconv.Itoa(shotHeight), "--screenshot="+out, "file://"+file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if consoleLine.MatchString(line) {
			console = append(console, line)
		}
	}
	shot, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v\n%s", err, stderr.String())
	}
	return shot, console
}

// The check itself: a page with a console error and an uncaught exception is caught.
func TestBrowserCatchesConsoleErrors(t *testing.T) {
	_, console := browse(t, `<!DOCTYPE html><html><body><p>x</p><script>console.error("boom"); undefinedFn();</script></body></html>`)
	if len(console) != 2 {
		t.Errorf("%d console messages, want the error and the exception: %q", len(console), console)
	}
}

// A run's page opens in a real browser with no console message, and the screenshot
// shows the plots: pixels in the colours the plots draw their lines with.
func TestReportInHeadlessChromium(t *testing.T) {
	dir := tinyRun(t)
	var page bytes.Buffer
	// The core parameters only, as the scenario uses: a short page whose plots are all
	// within the screenshot's height.
	core := func(report.ScenarioRef) ([]string, error) { return []string{"parameters"}, nil }
	if err := report.Render(&page, dir, report.Options{ScenarioSections: core}); err != nil {
		t.Fatal(err)
	}
	shot, console := browse(t, page.String())
	if len(console) > 0 {
		t.Errorf("the page logged to the console:\n%s", strings.Join(console, "\n"))
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != shotHeight {
		t.Errorf("screenshot %v, want 1200 x %d", b, shotHeight)
	}
	// The colours of the plots' lines, from the SVG files (black and grey are the axes and
	// the grid, which text and tables could also show).
	svgs, _ := filepath.Glob(filepath.Join(dir, "plots", "*.svg"))
	colours := map[[3]int]bool{}
	stroke := regexp.MustCompile(`stroke:#([0-9A-Fa-f]{6})`)
	for _, f := range svgs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range stroke.FindAllStringSubmatch(string(b), -1) {
			v, _ := strconv.ParseUint(m[1], 16, 32)
			c := [3]int{int(v >> 16), int(v >> 8 & 0xff), int(v & 0xff)}
			if c[0] != c[1] || c[1] != c[2] { // not black, white or grey
				colours[c] = true
			}
		}
	}
	if len(colours) == 0 {
		t.Fatal("the plots draw no coloured line")
	}
	near := func(r, g, b, _ uint32) bool {
		for c := range colours {
			if abs(int(r>>8)-c[0]) <= 12 && abs(int(g>>8)-c[1]) <= 12 && abs(int(b>>8)-c[2]) <= 12 {
				return true
			}
		}
		return false
	}
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			if near(img.At(x, y).RGBA()) {
				n++
			}
		}
	}
	// A median line across a plot 600 pixels wide is hundreds of pixels.
	if n < 300 {
		t.Errorf("%d pixels in the plots' line colours %v: the plots do not show", n, fmt.Sprint(colours))
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
