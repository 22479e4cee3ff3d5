package web

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/access/oidctest"
	"github.com/vaksam/vaksam/engine/audit"
)

// ssoFixture is the web fixture served on a port, with single sign-on
// through oidctest's provider, which runs in the process.
type ssoFixture struct {
	*fixture
	prov *oidctest.Provider
	url  string
}

func newSSOFixture(t *testing.T) *ssoFixture {
	t.Helper()
	f := newFixture(t)
	// The provider signs tokens by the wall clock.
	f.clk.mu.Lock()
	f.clk.t = time.Now()
	f.clk.mu.Unlock()
	prov, err := oidctest.Start(
		oidctest.User{Username: "karin", Password: "karins-lösen", Name: "Karin Kommun", Groups: []string{"vaksam-samordnare"}},
		oidctest.User{Username: "rune", Password: "runes-lösen", Name: "Rune Ekonom", Groups: []string{"ekonomi"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prov.Close() })
	srv := httptest.NewServer(f.h)
	t.Cleanup(srv.Close)
	sso, err := access.NewSSO(access.SSOConfig{Issuer: prov.Issuer, ClientID: "vaksam", ClientSecret: "hemlis",
		RedirectURL: srv.URL + access.SSOCallbackPath, Name: "Testkommunens inloggning",
		Roles: map[string][]access.Role{"vaksam-samordnare": {access.Coordinator}}}, f.clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	prov.AddClient(oidctest.Client{ID: "vaksam", Secret: "hemlis", RedirectURIs: []string{srv.URL + access.SSOCallbackPath},
		PostLogoutRedirectURIs: []string{sso.PostLogoutURL()}})
	f.guard.SSO, f.guard.OnSSOLogin = sso, AuditSSOLogins(f.log, nil)
	return &ssoFixture{fixture: f, prov: prov, url: srv.URL}
}

func (f *ssoFixture) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func (f *ssoFixture) read(resp *http.Response, err error) (*http.Response, string) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signIn starts at Vaksam's sign-in button and fills the provider's form.
func (f *ssoFixture) signIn(b *http.Client, user, pw, next string) (*http.Response, string) {
	f.t.Helper()
	resp, _ := f.read(b.Get(f.url + access.SSOPath + "?next=" + url.QueryEscape(next)))
	if resp.Request.URL.Path != oidctest.LoginPath {
		f.t.Fatalf("not at the provider's sign-in page: %s", resp.Request.URL)
	}
	return f.read(b.PostForm(f.prov.Issuer+oidctest.LoginPath, url.Values{"id": {resp.Request.URL.Query().Get("authRequestID")},
		"username": {user}, "password": {pw}}))
}

func TestUISSO(t *testing.T) {
	f := newSSOFixture(t)
	// The sign-in page offers single sign-on beside the password form.
	_, body := f.read(http.Get(f.url + "/login?next=%2Fsuppliers%2F" + sampleOrg))
	wantContains(t, "sign-in page", body, `id="sso"`, `href="/login/oidc?next=%2fsuppliers%2f`+sampleOrg+`"`,
		"Logga in med Testkommunens inloggning", `id="password"`)

	// karin signs in at the provider and lands where she was going.
	b := f.browser()
	resp, body := f.signIn(b, "karin", "karins-lösen", "/suppliers/"+sampleOrg)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/suppliers/"+sampleOrg {
		t.Fatalf("after sign-in: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	wantContains(t, "signed in", body, "Inloggad som Karin Kommun (Samordnare)", `action="/logout"`)
	es := f.trail()
	if len(es) == 0 || es[0].Action != audit.Login || es[0].Actor != "karin" || es[0].Detail["via"] != "oidc" {
		t.Errorf("audit of the sign-in: %+v", es)
	}
	// The API knows her too, by the same session.
	_, me := f.read(b.Get(f.url + "/api/v1/me"))
	wantContains(t, "me", me, `"id":"karin"`, `"roles":["coordinator"]`, `"via":"session"`)

	// Signing out ends the session and sends the browser on to the
	// provider, which sends it back to the sign-in page.
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)
	if csrf == nil {
		t.Fatal("no csrf_token on the page")
	}
	resp, body = f.read(b.PostForm(f.url+"/logout", url.Values{"csrf_token": {csrf[1]}}))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("logout: %d %s", resp.StatusCode, body)
	}
	wantContains(t, "logout page", body, "Du är utloggad från Vaksam", `http-equiv="refresh"`, f.prov.Issuer+"/end_session?")
	if strings.Contains(body, `action="/logout"`) {
		t.Error("the logout page still shows the user signed in")
	}
	link := regexp.MustCompile(`id="sso-logout" href="([^"]+)"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatal("no link to the provider's logout")
	}
	resp, body = f.read(b.Get(strings.ReplaceAll(link[1], "&amp;", "&")))
	if resp.Request.URL.String() != f.url+"/login?ok=signedout" || !strings.Contains(body, "Du är utloggad.") || f.prov.Logouts() != 1 {
		t.Errorf("after the provider's logout: at %s, %d logouts", resp.Request.URL, f.prov.Logouts())
	}
	if es := f.trail(); len(es) != 1 || es[0].Action != audit.Logout || es[0].Actor != "karin" || es[0].Detail["sso"] != "oidc" {
		t.Errorf("audit of the logout: %+v", es)
	}
	if resp, _ := f.read(b.Get(f.url + "/")); resp.Request.URL.Path != "/login" {
		t.Errorf("signed in after logout: at %s", resp.Request.URL)
	}
}

func TestUISSORefusedAndExpired(t *testing.T) {
	f := newSSOFixture(t)
	// rune's groups map to no role: a page that says so, in Swedish.
	resp, body := f.signIn(f.browser(), "rune", "runes-lösen", "/")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("rune: %d", resp.StatusCode)
	}
	wantContains(t, "refused", body, "Du loggades in hos identitetsleverantören som rune, men ingen av dina grupper ger behörighet i Vaksam.")
	if es := f.trail(); len(es) != 1 || es[0].Action != audit.LoginFailed || es[0].Actor != "rune" ||
		!strings.Contains(es[0].Detail["reason"], "ekonomi") {
		t.Errorf("audit of the refusal: %+v", es)
	}
	// An answer that does not belong to a login begun in this browser.
	resp, body = f.read(http.Get(f.url + access.SSOCallbackPath + "?code=x&state=y"))
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a stray answer: %d", resp.StatusCode)
	}
	wantContains(t, "stray answer", body, "Inloggningen via identitetsleverantören kunde inte slutföras.", `href="/login"`)

	// karin's session expires after half an hour without a request: the
	// sign-in page again, which still offers single sign-on.
	b := f.browser()
	if resp, _ := f.signIn(b, "karin", "karins-lösen", "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("karin: %d", resp.StatusCode)
	}
	f.clk.Add(access.DefaultIdle)
	resp, body = f.read(b.Get(f.url + "/suppliers/" + sampleOrg))
	if resp.Request.URL.Path != "/login" || resp.Request.URL.Query().Get("next") != "/suppliers/"+sampleOrg {
		t.Fatalf("an expired session: at %s", resp.Request.URL)
	}
	wantContains(t, "expired", body, "Logga in för att fortsätta.", `id="sso"`)
	// Signing in again goes on where she was going.
	if resp, _ := f.signIn(b, "karin", "karins-lösen", "/suppliers/"+sampleOrg); resp.Request.URL.Path != "/suppliers/"+sampleOrg {
		t.Errorf("signed in again: at %s", resp.Request.URL)
	}
}

// Without single sign-on the sign-in page has no button and its paths
// are not found.
func TestUISSOOff(t *testing.T) {
	f := newFixture(t)
	body := f.page(anon, "/login")
	if strings.Contains(body, `id="sso"`) {
		t.Error("a single sign-on button without single sign-on")
	}
	if rec := f.get(anon, access.SSOPath); rec.Code != http.StatusNotFound {
		t.Errorf("%s: %d", access.SSOPath, rec.Code)
	}
}
