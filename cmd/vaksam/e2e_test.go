package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/settings"
)

// The browser test drives Debian's Chromium, headless, against a real
// `vaksam serve --demo` child process: a coordinator logs in, opens the
// top alert, reads its evidence, halts call-offs (the halt action is seen
// on NATS), requests termination and records the supplier's hearing
// (informed, and its response with an uploaded file); an approver
// approves it (the terminate action is seen); the decision basis, which
// names the file, is printed. It walks at 1280 px and again, on the next
// alert, at a phone's 390 px; every page it visits is checked with
// axe-core (WCAG 2.1 A and AA) and, at 390 px, for sideways scrolling
// (e2e_axe_test.go). Screenshots (<width>-<step>.png) and the printed
// PDFs (<width>-underlag.pdf) are saved in $VAKSAM_E2E_OUT (default: a
// directory under the system's temporary directory, logged).
//
// It needs Chromium: $VAKSAM_CHROMIUM or `chromium` on the PATH. .ci/run
// installs Debian's package when it is missing. With Chromium it needs
// axe-core too ($VAKSAM_AXE, or `npm ci --prefix .ci/axe`, which .ci/run
// does), and fails without it.

func chromiumPath() string {
	if p := os.Getenv("VAKSAM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// demoServer is a running `vaksam serve --demo`.
type demoServer struct {
	web, nats string
	consumer  string // the demo consumer's NATS key file
	bearer    string // the demo ordering system's API token
	passwords map[string]string
	cmd       *exec.Cmd
}

// startDemoServer builds vaksam and runs serve --demo, with extra
// arguments after the test's own (a later flag wins).
func startDemoServer(t *testing.T, extra ...string) *demoServer {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "vaksam")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	natsPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, append([]string{"serve", "--demo", "--demo-orgs", "300", "--http", "127.0.0.1:0",
		"--nats-listen", fmt.Sprintf("127.0.0.1:%d", natsPort)}, extra...)...)
	cmd.Dir = t.TempDir()
	// Its warnings and errors show in the test's output; its info lines
	// (a line per HTTP request) would drown them.
	cmd.Env = append(os.Environ(), "VAKSAM_LOG_LEVEL=warn")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &demoServer{cmd: cmd, passwords: map[string]string{}}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
		}
	})
	webRe := regexp.MustCompile(`web:\s+(http://\S+)/ `)
	natsRe := regexp.MustCompile(`NATS:\s+(nats://\S+)`)
	consumerRe := regexp.MustCompile(`^    consumer +(\S+\.nk) `)
	bearerRe := regexp.MustCompile(`Authorization: Bearer (\S+)'`)
	loginRe := regexp.MustCompile(`^\s+(samordnare|godkannare|lasare|admin)\s+(\S+)\s+\(`)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if m := webRe.FindStringSubmatch(line); m != nil {
				d.web = m[1]
			}
			if m := natsRe.FindStringSubmatch(line); m != nil {
				d.nats = m[1]
			}
			if m := consumerRe.FindStringSubmatch(line); m != nil {
				d.consumer = m[1]
			}
			if m := bearerRe.FindStringSubmatch(line); m != nil {
				d.bearer = m[1]
			}
			if m := loginRe.FindStringSubmatch(line); m != nil {
				d.passwords[m[1]] = m[2]
				if m[1] == "admin" {
					close(ready)
				}
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(90 * time.Second):
		t.Fatal("vaksam serve --demo did not print its URL and logins")
	}
	return d
}

// get answers GET path of the demo's API, with its ordering system's
// token, decoded into v.
func (d *demoServer) get(t *testing.T, path string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, d.web+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+d.bearer)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// networkedSupplier is a supplier with an alert whose network, as its
// dossier draws it, has an organisation that is not expanded yet: the
// walk expands it. The demo's data has one at every size (the synthetic
// front men's chain, engine/synthetic/chain.go); the test fails if it has
// none.
func (d *demoServer) networkedSupplier(t *testing.T) string {
	t.Helper()
	var list struct {
		Alerts []struct {
			Orgnr string `json:"orgnr"`
		} `json:"alerts"`
	}
	d.get(t, "/api/v1/alerts?per_page=100", &list)
	for _, a := range list.Alerts {
		if len(a.Orgnr) != 10 { // a sole trader's masked number
			continue
		}
		var g struct {
			Nodes []struct {
				Kind     string `json:"kind"`
				Expanded bool   `json:"expanded"`
			} `json:"nodes"`
		}
		d.get(t, "/api/v1/suppliers/"+a.Orgnr+"/network", &g)
		for _, n := range g.Nodes {
			if n.Kind == "organisation" && !n.Expanded {
				return a.Orgnr
			}
		}
	}
	t.Fatalf("none of the demo's %d alerts has a network with an organisation to expand", len(list.Alerts))
	return ""
}

// sanctionedSupplier is the supplier of an alert S18 raised: the demo
// plants a representative listed with their personnummer.
func (d *demoServer) sanctionedSupplier(t *testing.T) string {
	t.Helper()
	var list struct {
		Alerts []struct {
			Orgnr string   `json:"orgnr"`
			Hits  []string `json:"hits"`
		} `json:"alerts"`
	}
	d.get(t, "/api/v1/alerts?per_page=100", &list)
	for _, a := range list.Alerts {
		if slices.Contains(a.Hits, "S18") {
			return a.Orgnr
		}
	}
	t.Fatalf("none of the demo's %d alerts was raised by S18", len(list.Alerts))
	return ""
}

// actions collects the action commands published on NATS.
type actions struct {
	mu    sync.Mutex
	seen  []string     // subjects
	taken map[int]bool // indexes of seen that wait returned
}

// wait returns the first action of a kind published and not returned
// before, waiting for it up to 30 s.
func (a *actions) wait(t *testing.T, kind string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		a.mu.Lock()
		for i, s := range a.seen {
			if strings.HasPrefix(s, "vaksam.action."+kind+".") && !a.taken[i] {
				if a.taken == nil {
					a.taken = map[int]bool{}
				}
				a.taken[i] = true
				a.mu.Unlock()
				return s
			}
		}
		a.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t.Fatalf("no new vaksam.action.%s.* on NATS within 30s (seen %v)", kind, a.seen)
	return ""
}

// fresh are the actions of a kind published and not yet returned by wait.
func (a *actions) fresh(kind string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for i, s := range a.seen {
		if strings.HasPrefix(s, "vaksam.action."+kind+".") && !a.taken[i] {
			out = append(out, s)
		}
	}
	return out
}

func TestBrowserHaltTerminateApprovePrint(t *testing.T) {
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("Chromium is not installed (set VAKSAM_CHROMIUM or install Debian's chromium); .ci/run installs it")
	}
	if testing.Short() {
		t.Skip("-short: the browser test builds and starts vaksam serve --demo")
	}
	axe := axeSource(t)
	outDir := os.Getenv("VAKSAM_E2E_OUT")
	if outDir == "" {
		outDir = filepath.Join(os.TempDir(), "vaksam-e2e")
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots and the printed decision basis go to %s", outDir)

	srv := startDemoServer(t)
	// The actions, as a consumer reads them: from the stream, with the
	// demo consumer's key.
	key, err := nats.NkeyOptionFromSeed(srv.consumer)
	if err != nil {
		t.Fatalf("the demo consumer's key %q: %v", srv.consumer, err)
	}
	nc, err := nats.Connect(srv.nats, key)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	var acts actions
	var oc jetstream.Consumer
	until := time.Now().Add(30 * time.Second)
	for {
		// serve declares its streams soon after it prints its URLs.
		if oc, err = js.OrderedConsumer(context.Background(), bus.ActionStream, jetstream.OrderedConsumerConfig{}); err == nil {
			break
		}
		if !errors.Is(err, jetstream.ErrStreamNotFound) || time.Now().After(until) {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cc, err := oc.Consume(func(m jetstream.Msg) {
		acts.mu.Lock()
		acts.seen = append(acts.seen, m.Subject())
		acts.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Stop()

	ctx := openBrowser(t, chrome, 12*time.Minute)
	// The approval form asks for confirmation: accept it as a user would.
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
		}
	})
	// The walk decides on the top alert not decided yet: each width has
	// its own.
	var decided []string
	for _, vp := range e2eViewports {
		t.Run(vp.Name, func(t *testing.T) {
			runStep(t, ctx, "a viewport of "+vp.Name+" px", vp.emulate())
			pc := &pageChecker{t: t, ctx: ctx, vp: vp, axe: axe, outDir: outDir}
			decided = append(decided, walkHaltTerminateApprovePrint(t, ctx, srv, &acts, pc, decided))
			t.Logf("at %s px: checked %d pages (%s)", vp.Name, len(pc.pages), strings.Join(pc.pages, ", "))
		})
	}
	b, _ := json.Marshal(acts.seen)
	t.Logf("actions on NATS: %s", b)
}

// walkHaltTerminateApprovePrint is the browser test's walk at one width:
// a coordinator opens the top alert not in skip (their paths), halts
// call-offs, requests termination and records the hearing; an approver
// approves; the decision basis is printed. Every page is checked (pc).
// It returns the alert's path.
func walkHaltTerminateApprovePrint(t *testing.T, ctx context.Context, srv *demoServer, acts *actions, pc *pageChecker, skip []string) string {
	t.Helper()
	outDir, width := pc.outDir, pc.vp.Name
	login := func(user string) chromedp.Tasks {
		return chromedp.Tasks{
			network.ClearBrowserCookies(),
			chromedp.Navigate(srv.web + "/login"),
			chromedp.WaitVisible(`#username`, chromedp.ByQuery),
			chromedp.SendKeys(`#username`, user, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, srv.passwords[user], chromedp.ByQuery),
			chromedp.Submit(`#password`, chromedp.ByQuery),
			chromedp.WaitVisible(`a[href^="/alerts/"]`, chromedp.ByQuery),
		}
	}
	// landed waits until the browser shows the page a form's POST
	// redirected to (its URL has "?ok=<what>"). Waiting for an element
	// instead races with the navigation when the page posted from has
	// it too: a query that matched the old document may never return.
	landed := func(what string) chromedp.Action {
		return pageAt("?ok="+what, func(loc string) bool { return strings.Contains(loc, "?ok="+what) })
	}
	run := func(step string, tasks ...chromedp.Action) { t.Helper(); runStep(t, ctx, step, tasks...) }

	// The sign-in page, as a stranger sees it.
	run("the sign-in page", network.ClearBrowserCookies(), chromedp.Navigate(srv.web+"/login"), chromedp.WaitVisible(`#username`, chromedp.ByQuery))
	pc.check("00-login")
	// The accessibility statement, from the footer, as a stranger sees it.
	run("the accessibility statement",
		chromedp.Click(`footer a[href="/tillganglighet"]`, chromedp.ByQuery),
		pageAt("/tillganglighet", func(loc string) bool { return strings.HasSuffix(loc, "/tillganglighet") }),
		chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	pc.check("00b-accessibility")

	// A coordinator logs in and opens the top alert of the queue that no
	// earlier walk decided on.
	var alertPath, alertURL, h1, evidence string
	skipJSON, _ := json.Marshal(skip)
	run("coordinator logs in", login("samordnare"))
	pc.check("01-queue")
	// The coordinator finds a supplier by its number, checks it before
	// an award, opens its dossier from the answer and expands its network
	// (search → check → dossier → network). The supplier is one whose
	// network has an organisation to expand.
	networked := srv.networkedSupplier(t)
	var number, found, answer string
	run("search the suppliers",
		chromedp.Click(`nav a[href="/suppliers"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#s-q`, chromedp.ByQuery))
	run("find a supplier by its number",
		chromedp.SendKeys(`#s-q`, networked, chromedp.ByQuery),
		chromedp.Submit(`#s-q`, chromedp.ByQuery),
		pageAt("the search", func(loc string) bool { return strings.Contains(loc, "/suppliers?q=") }),
		chromedp.Text(`main [role="status"]`, &found, chromedp.ByQuery),
		chromedp.Text(`td.orgnr`, &number, chromedp.ByQuery))
	pc.check("01a-suppliers")
	if number != networked[:6]+"-"+networked[6:] || !strings.HasPrefix(found, "1 leverantör.") {
		t.Errorf("searched for %q: %q, %q, want one supplier NNNNNN-NNNN", networked, found, number)
	}
	var precision string
	run("the precision per indicator",
		chromedp.Click(`nav a[href="/precision"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#p-from`, chromedp.ByQuery),
		chromedp.Text(`main`, &precision, chromedp.ByQuery))
	pc.check("01f-precision")
	if !strings.Contains(precision, "Träffsäkerhet per indikator") || !strings.Contains(precision, "Så räknas siffrorna") {
		t.Errorf("the precision page:\n%.2000s", precision)
	}
	run("check it before an award",
		chromedp.Click(`nav a[href="/check"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#c-orgnr`, chromedp.ByQuery),
		chromedp.SendKeys(`#c-orgnr`, number, chromedp.ByQuery),
		chromedp.SendKeys(`#c-value_sek`, "1 200 000", chromedp.ByQuery),
		chromedp.Submit(`#c-orgnr`, chromedp.ByQuery),
		chromedp.WaitVisible(`#answer-h`, chromedp.ByQuery),
		chromedp.Text(`#answer`, &answer, chromedp.ByQuery))
	pc.check("01b-check")
	if !strings.Contains(answer, "Besked") || !strings.Contains(answer, number) || !strings.Contains(answer, "Träffar och underlag") ||
		!strings.Contains(answer, "Källa") {
		t.Errorf("the check's answer:\n%.2000s", answer)
	}

	// Its dossier: the network is drawn (Cytoscape under the page's CSP)
	// and listed; choosing an organisation not yet expanded fetches its
	// own network and merges it in.
	var drawn bool
	var netStatus, expanded string
	run("open the supplier's dossier from the answer",
		chromedp.Click(`#answer a[href="/suppliers/`+networked+`"]`, chromedp.ByQuery),
		pageAt("the dossier", func(loc string) bool { return strings.HasSuffix(loc, "/suppliers/"+networked) }),
		chromedp.WaitVisible(`.netlist li button`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector(".netcanvas canvas") !== null`, &drawn))
	pc.check("01c-dossier")
	if !drawn {
		t.Errorf("the dossier's network is not drawn")
	}
	// Expanding lists the nodes anew: the organisation's button is found
	// again by its node id.
	var chosen string
	run("expand the network",
		chromedp.Evaluate(`(() => { const b = document.querySelector('.netlist button[aria-expanded="false"]'); b.click(); return b.getAttribute("data-id"); })()`, &chosen))
	button := `.netlist button[data-id="` + chosen + `"]`
	sel, _ := json.Marshal(button)
	run("the network expanded",
		chromedp.Poll(`(() => { const s = document.querySelector('[data-net="status"]').textContent, b = document.querySelector(`+string(sel)+`);
			return s.indexOf("…") < 0 && (s.indexOf("Kunde inte") >= 0 || b !== null && b.getAttribute("aria-expanded") === "true") && s; })()`, &netStatus),
		chromedp.AttributeValue(button, "aria-expanded", &expanded, nil, chromedp.ByQuery))
	pc.check("01d-network-expanded")
	if strings.Contains(netStatus, "Kunde inte") || expanded != "true" {
		t.Errorf("expanding the network: %q, the organisation's aria-expanded %q", netStatus, expanded)
	}
	t.Logf("network of %s expanded: %s", networked, netStatus)

	// Back to the queue: the top alert no earlier walk decided on.
	// The demo's planted sanctioned representative (S18): the dossier's
	// Sanktionslistor section names the candidate and the list version it
	// rests on.
	sanctioned := srv.sanctionedSupplier(t)
	var sanctionsText string
	run("the sanctioned supplier's dossier",
		chromedp.Navigate(srv.web+"/suppliers/"+sanctioned),
		chromedp.WaitVisible(`#sanctions-h`, chromedp.ByQuery),
		chromedp.Text(`#sanctions`, &sanctionsText, chromedp.ByQuery))
	pc.check("01e-sanctions")
	if !strings.Contains(sanctionsText, "Sanktionslistor") || !regexp.MustCompile(`EU \d{4}-\d{2}-\d{2} \(sha256 [0-9a-f]{12}\)`).MatchString(sanctionsText) {
		t.Errorf("the dossier's sanctions section:\n%.2000s", sanctionsText)
	}
	// The committee's report for the year so far: its purchasing table
	// and charts, checked with axe at both widths.
	var reportText string
	run("the committee's report", chromedp.Navigate(srv.web+"/report"),
		chromedp.WaitVisible(`#rep-cat-h`, chromedp.ByQuery),
		chromedp.Text(`main`, &reportText, chromedp.ByQuery))
	pc.check("01f-report")
	for _, want := range []string{"Rapport till nämnden", "Inköp från k.ö. avtal", "Avtalstrohet", "Larm per steg", "Hämta som PDF (A4)"} {
		if !strings.Contains(reportText, want) {
			t.Errorf("the report page lacks %q:\n%.1500s", want, reportText)
		}
	}
	run("back to the queue", chromedp.Navigate(srv.web+"/"), chromedp.WaitVisible(`table a[href^="/alerts/"]`, chromedp.ByQuery))
	run("find the top alert not decided yet", chromedp.Evaluate(`(() => {
  const skip = `+string(skipJSON)+` || [];
  const a = [...document.querySelectorAll('table a[href^="/alerts/"]')].find(a => !skip.includes(a.getAttribute("href")));
  return a ? a.getAttribute("href") : "";
})()`, &alertPath))
	if alertPath == "" {
		t.Fatalf("the queue has no alert beside %v", skip)
	}
	run("open the top alert",
		chromedp.Click(`table a[href="`+alertPath+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#hits-h`, chromedp.ByQuery),
		chromedp.Location(&alertURL),
		chromedp.Text(`h1`, &h1, chromedp.ByQuery),
		chromedp.Text(`#hits-h`, &evidence, chromedp.ByQuery))
	pc.check("02-alert")
	var evidenceText string
	run("read the evidence", chromedp.Text(`main`, &evidenceText, chromedp.ByQuery))
	var sources []string // the sources' names and labels, as the page may name them
	for _, src := range record.Registry {
		sources = append(sources, regexp.QuoteMeta(src.Name), regexp.QuoteMeta(src.Label.Sv))
	}
	if !regexp.MustCompile(`(?i)\b(` + strings.Join(sources, "|") + `)\b`).MatchString(evidenceText) {
		t.Errorf("the alert page names no evidence source:\n%.2000s", evidenceText)
	}
	t.Logf("top alert %s: %s", alertURL, strings.TrimSpace(h1))
	run("the alert's supplier",
		chromedp.Click(`main a[href^="/suppliers/"]`, chromedp.ByQuery),
		pageAt("the supplier's dossier", func(loc string) bool { return strings.Contains(loc, "/suppliers/") }),
		chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	pc.check("02b-dossier")

	// The supplier's raw records, from its dossier.
	var records bool
	run("the raw records' link", chromedp.Evaluate(`document.querySelector('a[href$="/records"]') !== null`, &records))
	if !records {
		t.Errorf("the coordinator's supplier page has no link to the raw records")
	} else {
		run("the raw records",
			chromedp.Click(`a[href$="/records"]`, chromedp.ByQuery),
			pageAt("the raw records", func(loc string) bool { return strings.Contains(loc, "/records") }),
			chromedp.WaitVisible(`h1`, chromedp.ByQuery))
		pc.check("02c-records")
	}

	decide := func(kind, diarienummer, justification, ok string) chromedp.Tasks {
		tasks := chromedp.Tasks{
			chromedp.Navigate(alertURL),
			chromedp.WaitVisible(`#d-kind-`+kind, chromedp.ByQuery),
			chromedp.Click(`#d-kind-`+kind, chromedp.ByQuery),
			chromedp.Click(`input[name="ground"][value="LOU 13:3"]`, chromedp.ByQuery),
			chromedp.SendKeys(`#d-justification`, justification, chromedp.ByQuery),
		}
		if diarienummer != "" {
			tasks = append(tasks, chromedp.SendKeys(`#d-diarienummer`, diarienummer, chromedp.ByQuery))
		}
		return append(tasks, chromedp.Submit(`#d-justification`, chromedp.ByQuery), landed(ok), chromedp.WaitVisible(`#decisions-h`, chromedp.ByQuery))
	}
	// Halt call-offs: the halt command reaches NATS.
	run("halt call-offs", decide("avropsstopp", "", "Skatteskulder och näringsförbud i ledningen; avrop stoppas i väntan på utredning.", "decided"))
	pc.check("03-halted")
	halt := acts.wait(t, "halt")
	t.Logf("seen on NATS: %s", halt)

	// Request termination: it waits for a second person.
	const diarienummer = "SN 2026/417"
	run("request termination", decide("havning", diarienummer, "Allvarliga brister: hävning begärs enligt avtalets villkor och LOU 13:3.", "pending"))
	pc.check("04-termination-requested")
	var pending string
	run("termination pending", chromedp.Text(`#pending`, &pending, chromedp.ByQuery))
	if strings.TrimSpace(pending) == "" {
		t.Fatal("the requested termination is not shown as waiting for approval")
	}
	if early := acts.fresh("terminate"); len(early) > 0 {
		t.Fatalf("terminate published before approval: %v", early)
	}

	// The supplier is heard before anyone may approve: the coordinator
	// records that it was informed today (by registered letter, with 14
	// days to answer) and its response, with a file it sent.
	var informedAt string
	run("the hearing's form",
		chromedp.Navigate(alertURL),
		chromedp.WaitVisible(`#h-informed_at`, chromedp.ByQuery),
		// The page's today (the server's clock), as the form offers it.
		chromedp.Value(`#h-informed_at`, &informedAt, chromedp.ByQuery))
	today, err := time.Parse(time.DateOnly, informedAt)
	if err != nil {
		t.Fatalf("the hearing form's date %q: %v", informedAt, err)
	}
	deadline := today.AddDate(0, 0, 14).Format(time.DateOnly)
	run("record that the supplier was informed",
		chromedp.SetValue(`#h-deadline`, deadline, chromedp.ByQuery),
		chromedp.SetValue(`#h-channel`, "rekommenderat brev", chromedp.ByQuery),
		chromedp.Click(`form[action$="/hearing"] button[type="submit"]`, chromedp.ByQuery),
		landed("informed"),
		chromedp.WaitVisible(`#r-file`, chromedp.ByQuery))
	const attachmentName = "yttrande-leverantoren.txt"
	attachment := filepath.Join(t.TempDir(), attachmentName)
	attachmentBody := []byte("Yttrande\n\nVi bestrider uppgifterna om skulder: skulden är betald.\n")
	if err := os.WriteFile(attachment, attachmentBody, 0o644); err != nil {
		t.Fatal(err)
	}
	var hearing string
	run("record the supplier's response with a file",
		chromedp.SendKeys(`#r-text`, "Leverantören bestrider uppgifterna och har betalat skulden; se bifogat yttrande.", chromedp.ByQuery),
		chromedp.SetUploadFiles(`#r-file`, []string{attachment}, chromedp.ByQuery),
		chromedp.Click(`form[action$="/hearing/response"] button[type="submit"]`, chromedp.ByQuery),
		landed("responded"),
		chromedp.WaitVisible(`#hearing a[href*="/attachments/1"]`, chromedp.ByQuery),
		chromedp.ScrollIntoView(`#hearing`, chromedp.ByQuery),
		chromedp.Text(`#hearing`, &hearing, chromedp.ByQuery))
	pc.check("04b-hearing")
	for _, want := range []string{attachmentName, "Rekommenderat brev", deadline, "bestrider"} {
		if !strings.Contains(hearing, want) {
			t.Errorf("the hearing lacks %q:\n%s", want, hearing)
		}
	}

	// A second user, an approver, approves: the terminate command reaches NATS.
	run("approver logs in", login("godkannare"))
	run("the approval",
		chromedp.Navigate(alertURL),
		chromedp.WaitVisible(`form[action$="/approve"] button:enabled`, chromedp.ByQuery))
	pc.check("05-approval")
	run("approve",
		chromedp.Click(`form[action$="/approve"] button`, chromedp.ByQuery),
		landed("approved"),
		chromedp.WaitVisible(`#decisions-h`, chromedp.ByQuery))
	pc.check("06-approved")
	terminate := acts.wait(t, "terminate")
	t.Logf("seen on NATS: %s", terminate)
	if org := halt[strings.LastIndex(halt, ".")+1:]; !strings.HasSuffix(terminate, "."+org) {
		t.Errorf("halt %s and terminate %s concern different organisations", halt, terminate)
	}

	// Print the decision basis of the termination.
	var underlag string
	run("open the decision basis",
		chromedp.Navigate(alertURL),
		chromedp.WaitVisible(`a[href$="/underlag"]`, chromedp.ByQuery),
		// The newest decision, the termination, is the last in the table.
		chromedp.Evaluate(`[...document.querySelectorAll('a[href$="/underlag"]')].map(a => a.getAttribute('href')).sort().pop()`, &underlag))
	var pdf []byte
	var basis string
	var printed printedPage
	run("open the decision basis",
		chromedp.Navigate(srv.web+underlag),
		chromedp.WaitVisible(`h1`, chromedp.ByQuery),
		chromedp.Text(`body`, &basis, chromedp.ByQuery),
		chromedp.Evaluate(printedPageJS, &printed))
	pc.check("07-underlag")
	run("print the decision basis",
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			// The page's @page rule sets A4 and its margins.
			pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).Do(ctx)
			return err
		}))
	pdfPath := filepath.Join(outDir, width+"-underlag.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(pdf) < 1000 || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Errorf("the printed decision basis is not a PDF (%d bytes)", len(pdf))
	}
	for _, want := range []string{"LOU 13:3", "samordnare", "godkannare", attachmentName, "SHA-256"} {
		if !strings.Contains(basis, want) {
			t.Errorf("the decision basis lacks %q", want)
		}
	}
	sum := sha256.Sum256(attachmentBody)
	checkPrinted(t, pdfPath, printed, []string{settings.DemoMunicipality.Name, settings.DemoMunicipality.LogoText, diarienummer,
		"Hävning", "LOU 13:3", "Kontradiktion", "Rekommenderat brev", deadline, attachmentName, hex.EncodeToString(sum[:])})
	return alertPath
}

// openBrowser starts a headless Chromium for a browser test, closed when
// the test ends; the context bounds the whole test.
func openBrowser(t *testing.T, chrome string, timeout time.Duration) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "vaksam-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 1000), chromedp.UserDataDir(profile))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
		// Chromium's helper processes may still write into the profile
		// for a moment after the browser exits: remove it once they are
		// done, polling with a deadline.
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := os.RemoveAll(profile)
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Logf("browser profile %s left behind: %v", profile, err)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return ctx
}

// screenshot saves the page as dir/name.png.
func screenshot(dir, name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var buf []byte
		if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil { // 100: PNG
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

// runStep runs a step's actions, failing the test with the step's name
// and where the browser was.
func runStep(t *testing.T, ctx context.Context, step string, tasks ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, tasks...); err != nil {
		var loc string
		chromedp.Run(ctx, chromedp.Location(&loc))
		t.Fatalf("%s (at %s): %v", step, loc, err)
	}
}

// pageAt waits until the browser is at a URL that matches (what names it
// in errors) and the page has loaded. Waiting for an element instead races
// with a navigation when the page left has it too.
func pageAt(what string, match func(loc string) bool) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var loc, state string
			qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := chromedp.Tasks{chromedp.Location(&loc), chromedp.Evaluate(`document.readyState`, &state)}.Do(qctx)
			cancel()
			if err == nil && match(loc) && state == "complete" {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s (at %s): %w", what, loc, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}
