package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/vaksam/vaksam/engine/access/oidctest"
)

// The single sign-on browser test: `vaksam serve --demo` with an oidc
// section pointing at a real OpenID Provider that the test runs in its
// own process (oidctest: zitadel's OP). serve --demo starts no provider
// of its own; to try single sign-on with the demo, give it a
// configuration whose oidc section names a provider (docs/operations.md).
// In Chromium a local demo user signs in with a password; then a
// coordinator signs in at the provider, opens an alert and signs out
// (at the provider too); then someone whose groups map to no role is
// refused with a page that says so.
func TestBrowserSSO(t *testing.T) {
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("Chromium is not installed (set VAKSAM_CHROMIUM or install Debian's chromium); .ci/run installs it")
	}
	if testing.Short() {
		t.Skip("-short: the browser test builds and starts vaksam serve --demo")
	}
	outDir := os.Getenv("VAKSAM_E2E_OUT")
	if outDir == "" {
		outDir = filepath.Join(os.TempDir(), "vaksam-e2e")
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}

	prov, err := oidctest.Start(
		oidctest.User{Username: "karin.kommun", Password: "karins-lösenord", Name: "Karin Kommun", Groups: []string{"vaksam-samordnare"}},
		oidctest.User{Username: "rune.ekonom", Password: "runes-lösenord", Name: "Rune Ekonom", Groups: []string{"ekonomi"}})
	if err != nil {
		t.Fatal(err)
	}
	defer prov.Close()
	// Vaksam's address must be known to the provider before it starts.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	web := "http://" + l.Addr().String()
	l.Close()
	prov.AddClient(oidctest.Client{ID: "vaksam-demo", Secret: "demo-klienthemlighet",
		RedirectURIs: []string{web + "/login/oidc/callback"}, PostLogoutRedirectURIs: []string{web + "/login?ok=signedout"}})
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "oidc-client-secret")
	if err := os.WriteFile(secretFile, []byte("demo-klienthemlighet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "vaksam.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`oidc:
  issuer: %s
  client_id: vaksam-demo
  client_secret: {file: %s}
  redirect_url: %s/login/oidc/callback
  name: Testkommunens inloggning
  roles:
    vaksam-samordnare: [coordinator]
`, prov.Issuer, secretFile, web)), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startDemoServer(t, "--config", cfg, "--http", strings.TrimPrefix(web, "http://"))
	if srv.web != web {
		t.Fatalf("serve listens on %s, want %s", srv.web, web)
	}

	ctx := openBrowser(t, chrome, 2*time.Minute)
	shot := func(name string) chromedp.Action { return screenshot(outDir, name) }
	// at waits until the browser is at a URL with this prefix and the
	// page has loaded.
	at := func(prefix string) chromedp.Action {
		return pageAt(prefix, func(loc string) bool { return strings.HasPrefix(loc, prefix) })
	}
	run := func(step string, tasks ...chromedp.Action) { t.Helper(); runStep(t, ctx, step, tasks...) }
	ssoLogin := func(user, pw string) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.Navigate(web + "/login"),
			chromedp.WaitVisible(`#sso`, chromedp.ByQuery),
			chromedp.Click(`#sso`, chromedp.ByQuery),
			at(prov.Issuer + oidctest.LoginPath),
			chromedp.WaitVisible(`#username`, chromedp.ByQuery),
			chromedp.SendKeys(`#username`, user, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, pw, chromedp.ByQuery),
			chromedp.Click(`#submit`, chromedp.ByQuery),
			at(web + "/"),
		}
	}

	// A local demo user signs in with a password, beside single sign-on.
	var who string
	run("a local user signs in",
		chromedp.Navigate(web+"/login"),
		chromedp.WaitVisible(`#sso`, chromedp.ByQuery),
		shot("sso-01-login"),
		chromedp.SendKeys(`#username`, "lasare", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, srv.passwords["lasare"], chromedp.ByQuery),
		chromedp.Submit(`#password`, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href^="/alerts/"]`, chromedp.ByQuery),
		chromedp.Text(`.who`, &who, chromedp.ByQuery))
	if !strings.Contains(who, "Lisa Läsare") {
		t.Errorf("the local user is shown as %q", who)
	}

	// A coordinator signs in at the provider and works an alert.
	run("the coordinator signs in at the provider", network.ClearBrowserCookies(), ssoLogin("karin.kommun", "karins-lösenord"),
		chromedp.WaitVisible(`a[href^="/alerts/"]`, chromedp.ByQuery),
		chromedp.Text(`.who`, &who, chromedp.ByQuery), shot("sso-02-queue"))
	if !strings.Contains(who, "Karin Kommun") || !strings.Contains(who, "Samordnare") {
		t.Errorf("the signed-in coordinator is shown as %q", who)
	}
	var h1 string
	run("open an alert as coordinator",
		chromedp.Click(`table a[href^="/alerts/"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#hits-h`, chromedp.ByQuery),
		chromedp.WaitVisible(`#d-justification`, chromedp.ByQuery), // a coordinator may decide
		chromedp.Text(`h1`, &h1, chromedp.ByQuery))
	t.Logf("the coordinator from the provider opened %s", strings.TrimSpace(h1))

	// Signing out ends the session here and at the provider.
	var flash string
	run("sign out",
		chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery),
		at(web+"/login?ok=signedout"),
		chromedp.Text(`.flash`, &flash, chromedp.ByQuery),
		shot("sso-03-signedout"))
	if !strings.Contains(flash, "utloggad") || prov.Logouts() != 1 {
		t.Errorf("after signing out: flash %q, provider logouts %d", flash, prov.Logouts())
	}
	run("signed out for real", chromedp.Navigate(web+"/"), at(web+"/login?next="))

	// Someone whose groups grant nothing here is refused, and told so.
	var refused string
	run("a refused group", ssoLogin("rune.ekonom", "runes-lösenord"),
		chromedp.WaitVisible(`.error-text`, chromedp.ByQuery),
		chromedp.Text(`.error-text`, &refused, chromedp.ByQuery), shot("sso-04-refused"))
	if !strings.Contains(refused, "ingen av dina grupper ger behörighet i Vaksam") {
		t.Errorf("the refusal says %q", refused)
	}
}
