package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser test's checks of every page it visits, at each width it
// walks at: axe-core's WCAG 2.1 A and AA rules (axe-core from npm, pinned
// in .ci/axe/package-lock.json; .ci/run installs it with npm ci), no
// sideways scrolling on a phone, and a screenshot per page and width.
// Later steps of the walk call (*pageChecker).check on the pages they add.

// viewport is a width the browser test walks at.
type viewport struct {
	Name string // in screenshot names and subtests: the width in px
	W, H int64
	// Phone: the page must not scroll sideways.
	Phone bool
}

// e2eViewports are the widths the walk runs at: a desktop and a phone.
var e2eViewports = []viewport{
	{Name: "1280", W: 1280, H: 1000},
	{Name: "390", W: 390, H: 844, Phone: true},
}

// emulate sets the browser's viewport to vp.
func (vp viewport) emulate() chromedp.Action {
	return chromedp.EmulateViewport(vp.W, vp.H, chromedp.EmulateScale(1))
}

// axeTags are the rule tags axe runs: WCAG 2.0 and 2.1, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// axeSource is axe-core's axe.min.js: $VAKSAM_AXE, else what
// `npm ci --prefix .ci/axe` installed. Its absence fails the test (the
// caller has Chromium): a browser test without axe would pass pages
// nobody checked.
func axeSource(t *testing.T) string {
	t.Helper()
	p := os.Getenv("VAKSAM_AXE")
	if p == "" {
		p = filepath.Join("..", "..", ".ci", "axe", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("axe-core is needed for the browser test's accessibility checks and was not found: %v\n"+
			"install it with `npm ci --prefix .ci/axe` (from the repository's root; .ci/run does) or set VAKSAM_AXE to an axe.min.js", err)
	}
	return string(b)
}

// axeViolation is one rule axe-core found broken, with the nodes that
// break it.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

func (v axeViolation) String() string {
	return fmt.Sprintf("%s (%s): %s; at %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, " | "))
}

// axeRun injects axe-core into the page when it is not there yet and runs
// it with axeTags. The injection is DevTools' Runtime.evaluate, which the
// page's Content-Security-Policy (no inline scripts) does not govern.
func axeRun(src string, out *[]axeViolation) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var loaded bool
		if err := chromedp.Evaluate(`typeof window.axe === "object"`, &loaded).Do(ctx); err != nil {
			return err
		}
		if !loaded {
			// The script's own value is not wanted (nor serialisable).
			if err := chromedp.Evaluate(src+"\n;true", nil).Do(ctx); err != nil {
				return fmt.Errorf("injecting axe-core: %w", err)
			}
		}
		tags := `["` + strings.Join(axeTags, `","`) + `"]`
		run := `axe.run(document, {runOnly: {type: "tag", values: ` + tags + `}, resultTypes: ["violations"]})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
    targets: v.nodes.map(n => n.target.join(" "))})))`
		return chromedp.Evaluate(run, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
			return p.WithAwaitPromise(true)
		}).Do(ctx)
	})
}

// sidewaysScroll is how many CSS pixels the page is wider than the
// viewport (0 when it does not scroll sideways), and the innermost of the
// widest elements that stick out, for the message.
func sidewaysScroll(over *int64, culprit *string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Evaluate(`Math.max(0, document.documentElement.scrollWidth - window.innerWidth)`, over),
		chromedp.Evaluate(`(() => {
  let worst = null, right = window.innerWidth;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    // Its box, or its content when that overflows the box (a long word).
    const r = Math.max(box.right, box.left + el.scrollWidth) + window.scrollX;
    if (r > right || (worst && r === right)) { right = r; worst = el; } // the innermost of the widest
  }
  if (!worst) return "";
  const id = worst.id ? "#" + worst.id : "";
  const cls = worst.className && typeof worst.className === "string" ? "." + worst.className.trim().split(/\s+/).join(".") : "";
  return worst.tagName.toLowerCase() + id + cls + " (right edge " + Math.round(right) + "px): " + (worst.textContent || "").trim().slice(0, 60);
})()`, culprit),
	}
}

// pageChecker checks the pages of a walk at one width.
type pageChecker struct {
	t      *testing.T
	ctx    context.Context
	vp     viewport
	axe    string // axe.min.js
	outDir string
	pages  []string // checked, in order
}

// check screenshots the page the browser shows as <width>-<name>.png,
// runs axe-core on it, and at a phone's width checks that it does not
// scroll sideways. A finding fails the test and the walk goes on, so
// that one run lists every page's findings.
func (c *pageChecker) check(name string) {
	c.t.Helper()
	var (
		violations []axeViolation
		over       int64
		culprit    string
		loc        string
	)
	runStep(c.t, c.ctx, "check the page "+name,
		chromedp.Location(&loc),
		screenshot(c.outDir, c.vp.Name+"-"+name),
		axeRun(c.axe, &violations),
		sidewaysScroll(&over, &culprit))
	c.pages = append(c.pages, name)
	for _, v := range violations {
		c.t.Errorf("axe-core at %s px, page %s (%s): %s", c.vp.Name, name, loc, v)
	}
	if c.vp.Phone && over > 0 {
		c.t.Errorf("at %s px the page %s (%s) scrolls sideways by %d px; widest: %s", c.vp.Name, name, loc, over, culprit)
	}
}

// The checks find what they look for: axe-core a missing alt text, a
// nameless button and a scrollable region a keyboard cannot reach, and
// the sideways check a page wider than a phone.
func TestBrowserChecksFindProblems(t *testing.T) {
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("Chromium is not installed (set VAKSAM_CHROMIUM or install Debian's chromium); .ci/run installs it")
	}
	if testing.Short() {
		t.Skip("-short: starts Chromium")
	}
	axe := axeSource(t)
	const bad = `<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body><main>
<h1>A bad page</h1>
<img src="/nothing.png">
<button></button>
<div style="overflow:auto;width:200px;height:60px"><p style="width:800px;height:200px">Wide text nobody can scroll to by keyboard.</p></div>
<div style="width:900px">Wider than a phone.</div>
</main></body></html>`
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, bad)
	}))
	defer ts.Close()
	ctx := openBrowser(t, chrome, time.Minute)
	var (
		violations []axeViolation
		over       int64
		culprit    string
	)
	phone := e2eViewports[len(e2eViewports)-1]
	runStep(t, ctx, "check a bad page", phone.emulate(), chromedp.Navigate(ts.URL),
		axeRun(axe, &violations), sidewaysScroll(&over, &culprit))
	var ids []string
	for _, v := range violations {
		ids = append(ids, v.ID)
		if v.Impact == "" || v.Help == "" || len(v.Targets) == 0 {
			t.Errorf("violation without its impact, help or targets: %+v", v)
		}
	}
	for _, want := range []string{"image-alt", "button-name", "scrollable-region-focusable"} {
		if !slices.Contains(ids, want) {
			t.Errorf("axe-core found %v, want %s among them", ids, want)
		}
	}
	if !phone.Phone || over < 900-phone.W || !strings.Contains(culprit, "Wider than a phone") {
		t.Errorf("at %d px: %d px sideways, widest %q; want at least %d px, the 900 px div", phone.W, over, culprit, 900-phone.W)
	}
}
