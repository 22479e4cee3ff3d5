package web

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
)

var update = flag.Bool("update", false, "rewrite the golden files of the web UI (testdata/*.golden)")

// get makes a browser's GET of a page.
func (f *fixture) get(w who, path string) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.browser(w, http.MethodGet, path, nil, false)
}

// post submits a form as a browser does, with the session's CSRF token
// in the csrf_token field when csrf.
func (f *fixture) post(w who, path string, form url.Values, csrf bool) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.browser(w, http.MethodPost, path, form, csrf)
}

func (f *fixture) browser(w who, method, path string, form url.Values, csrf bool) *httptest.ResponseRecorder {
	f.t.Helper()
	f.clk.Add(time.Second)
	vals := url.Values{}
	for k, v := range form {
		vals[k] = v
	}
	if csrf && w.csrf != "" {
		vals.Set(access.CSRFField, w.csrf)
	}
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(vals.Encode())
	}
	r := httptest.NewRequest(method, "http://vaksam.test"+path, body)
	r.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "http://vaksam.test")
	}
	if w.cookie != nil {
		r.AddCookie(&http.Cookie{Name: w.cookie.Name, Value: w.cookie.Value})
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	return rec
}

// page GETs a page that must answer 200 as HTML and pass the
// accessibility check, and returns its body.
func (f *fixture) page(w who, path string) string {
	f.t.Helper()
	rec := f.get(w, path)
	if rec.Code != http.StatusOK {
		f.t.Fatalf("GET %s as %s: %d %s", path, w.name, rec.Code, rec.Body)
	}
	checkHTML(f.t, path, rec)
	return rec.Body.String()
}

// checkHTML checks what every HTML answer must have: the headers, no
// missing catalogue key, and the accessibility basics.
func checkHTML(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	h := rec.Header()
	if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("%s: Content-Security-Policy %q", what, csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" {
		t.Errorf("%s: headers %v", what, h)
	}
	body := rec.Body.String()
	if i := strings.Index(body, "⟦"); i >= 0 {
		t.Errorf("%s: a catalogue key is missing: %s", what, body[i:min(len(body), i+60)])
	}
	if i := strings.Index(body, "%!"); i >= 0 {
		t.Errorf("%s: a catalogue string was formatted with the wrong arguments: %s", what, body[max(0, i-60):min(len(body), i+60)])
	}
	for _, p := range append(accessibility(body), cardProblems(body)...) { // cardProblems: ui_a11y_test.go
		t.Errorf("%s: accessibility: %s", what, p)
	}
}

// accessibility checks a page for the basics of WCAG 2.1 that can be
// read from its markup: the document's language, one h1 and headings
// that skip no level, a label (<label for>, aria-label or
// aria-labelledby) for every form control but hidden fields and buttons,
// alt text for every image, no inline script or style (the CSP forbids
// them), and ids that aria-describedby and label for point at.
func accessibility(page string) []string {
	var problems []string
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var (
		h1, lastLevel int
		lang          bool
		labels        = map[string]bool{}
		ids           = map[string]bool{}
		controls      []string // ids of controls that need a label
		describedBy   []string
		inScript      bool
	)
	attr := func(se xml.StartElement, name string) (string, bool) {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				return a.Value, true
			}
		}
		return "", false
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return append(problems, "markup: "+err.Error())
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			if id, ok := attr(tok, "id"); ok {
				if ids[id] {
					problems = append(problems, "id "+id+" used twice")
				}
				ids[id] = true
			}
			if _, ok := attr(tok, "style"); ok {
				problems = append(problems, "<"+name+"> has a style attribute")
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(a.Name.Local, "on") {
					problems = append(problems, "<"+name+"> has an inline handler "+a.Name.Local)
				}
			}
			if v, ok := attr(tok, "aria-describedby"); ok {
				describedBy = append(describedBy, strings.Fields(v)...)
			}
			switch name {
			case "html":
				if l, _ := attr(tok, "lang"); l == "sv" || l == "en" {
					lang = true
				}
			case "h1", "h2", "h3", "h4", "h5", "h6":
				level := int(name[1] - '0')
				if level == 1 {
					h1++
				}
				if lastLevel > 0 && level > lastLevel+1 {
					problems = append(problems, "heading <"+name+"> after <h"+strconv.Itoa(lastLevel)+">")
				}
				lastLevel = level
			case "img":
				if _, ok := attr(tok, "alt"); !ok {
					problems = append(problems, "<img> without alt")
				}
			case "label":
				if f, ok := attr(tok, "for"); ok {
					labels[f] = true
				}
			case "script":
				if _, ok := attr(tok, "src"); !ok {
					problems = append(problems, "inline <script>")
				}
				inScript = true
			case "style":
				problems = append(problems, "inline <style>")
			case "input", "select", "textarea":
				typ, _ := attr(tok, "type")
				if name == "input" && (typ == "hidden" || typ == "submit" || typ == "button" || typ == "reset") {
					continue
				}
				_, al := attr(tok, "aria-label")
				_, alb := attr(tok, "aria-labelledby")
				if al || alb {
					continue
				}
				id, ok := attr(tok, "id")
				if !ok {
					n, _ := attr(tok, "name")
					problems = append(problems, "<"+name+" name="+n+"> has no id, so no <label for>")
					continue
				}
				controls = append(controls, id)
			}
		case xml.EndElement:
			if tok.Name.Local == "script" {
				inScript = false
			}
		case xml.CharData:
			if inScript && len(bytes.TrimSpace(tok)) > 0 {
				problems = append(problems, "inline script text")
			}
		}
	}
	if !lang {
		problems = append(problems, `<html> without lang="sv" or lang="en"`)
	}
	if h1 != 1 {
		problems = append(problems, strconv.Itoa(h1)+" <h1>, want 1")
	}
	for _, id := range controls {
		if !labels[id] {
			problems = append(problems, "control #"+id+" has no <label for>")
		}
	}
	for l := range labels {
		if !ids[l] {
			problems = append(problems, "<label for="+l+"> names no element")
		}
	}
	for _, id := range describedBy {
		if !ids[id] {
			problems = append(problems, "aria-describedby names #"+id+", which is not on the page")
		}
	}
	return problems
}

// decideForm is a valid decision of kind.
func decideForm(kind ladder.DecisionKind) url.Values {
	v := url.Values{"kind": {string(kind)}, "justification": {"Näringsförbud för VD och skatteskulder; se träffarna S15 och S04."},
		"ground": {review.GroundLOU131}, "contracts": {"ASN-2024-1001"}}
	if kind == review.IngenAtgard {
		v.Del("ground")
	}
	return v
}

// wantRedirect checks a 303 and returns its Location.
func wantRedirect(t *testing.T, what string, rec *httptest.ResponseRecorder, prefix string) string {
	t.Helper()
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%s: %d Location %q, want 303 to %s…; body %s", what, rec.Code, loc, prefix, rec.Body)
	}
	return loc
}

func wantContains(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: %q missing", what, w)
		}
	}
}

func wantNot(t *testing.T, what, body string, not ...string) {
	t.Helper()
	for _, w := range not {
		if strings.Contains(body, w) {
			t.Errorf("%s: %q shown", what, w)
		}
	}
}

// Every page renders for a coordinator, in Swedish and in English, and
// the language chosen is remembered.
func TestUIPages(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	rec := f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Avropsstopp), true)
	wantRedirect(t, "decide", rec, "/alerts/"+sampleAlert+"?ok=decided")
	dec := sampleAlert + "-d1"
	f.post(anna, "/alerts/"+sampleAlert+"/comments", url.Values{"text": {"Ringde leverantören; ingen svarade."}}, true)

	pages := []struct {
		path   string
		sv, en []string
	}{
		{"/", []string{"<h1>Larm</h1>", "Öppna larm per steg", "Avtalsägare", "Omsorgshuset Norr AB", "Anna Ek Omsorg", "Främsta träffar", "Ej tilldelade"},
			[]string{"<h1>Alerts</h1>", "Open alerts per step", "Contract owner", "Top hits", "Unassigned"}},
		{"/alerts/" + sampleAlert, []string{"Larm Omsorgshuset Norr AB", "Träffar", "Rättslig grund", "LOU 13:2", "Konkurs, likvidation eller avregistrering",
			"Pågående konkurs sedan 3 november 2025", "Sara Holm (VD) har näringsförbud", "Avropsstopp", "Beslutsunderlag", "Kommentarer", "Ringde leverantören", "Händelser",
			"Fatta beslut", "Häv avropsstopp", "Leverantörens sida"},
			[]string{"Alert Omsorgshuset Norr AB", "Hits", "Legal ground", "Ongoing bankruptcy since 3 November 2025", "Sara Holm (CEO) is under a trading ban",
				"Decision basis", "Comments", "History", "Take a decision", "Lift the call-off halt"}},
		{"/suppliers/" + sampleOrg, []string{"Riskpoäng över tid", "<svg", "Vad har ändrats när", "Adress: Storgatan 12, 90326 UMEÅ", "Nätverk",
			"Erik Lind", "Sara Holm", "Företrädare", "Verkliga huvudmän", "Bolag på samma adress", "Avtal", "ASN-2024-1001", "F-2026-000123",
			"504\u00a0000\u00a0kr", "Skånes kommuner"},
			[]string{"Risk score over time", "What changed when", "Network", "Representatives", "Beneficial owners", "Contracts", "Invoices", "SEK\u00a0504,000"}},
		{"/suppliers/" + sampleOrg + "/records", []string{"Poster för Omsorgshuset Norr AB", "Som källan lämnade den", "Tolkad", "Kontrollsumma"},
			[]string{"Records of Omsorgshuset Norr AB", "As the source delivered it", "Parsed", "Checksum"}},
		{"/suppliers/" + sampleOrg + "/records?source=kronofogden&key=", []string{"Kronofogden", "allmanna_mal"}, []string{"Kronofogden (enforcement)"}},
		{"/decisions/" + dec + "/underlag", []string{"Beslutsunderlag " + dec, "Skriv ut", "Organisation", "Beslutet", "Bedömningen som beslutet vilar på",
			"Postversioner som beslutet vilar på", "Larmets historik", "LOU 13 kap. 1 §"},
			[]string{"Decision basis " + dec, "Print", "The decision", "The assessment the decision rests on", "LOU ch. 13 s. 1"}},
		{"/tillganglighet", []string{"Tillgänglighetsredogörelse för Vaksam", "Kända brister", "Tillsyn"},
			[]string{"Accessibility statement for Vaksam", "Known shortcomings", "Enforcement"}},
	}
	for _, p := range pages {
		body := f.page(anna, p.path)
		wantContains(t, p.path, body, append([]string{`<html lang="sv">`}, p.sv...)...)
	}
	// English, remembered in a cookie.
	for _, p := range pages {
		sep := "?"
		if strings.Contains(p.path, "?") {
			sep = "&"
		}
		rec := f.get(anna, p.path+sep+"lang=en")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s in English: %d", p.path, rec.Code)
		}
		checkHTML(t, p.path+" (en)", rec)
		wantContains(t, p.path+" (en)", rec.Body.String(), append([]string{`<html lang="en">`, "Sign out", "På svenska"}, p.en...)...)
		var c *http.Cookie
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == LangCookie {
				c = ck
			}
		}
		if c == nil || c.Value != "en" {
			t.Fatalf("%s: the language cookie %v", p.path, c)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "http://vaksam.test/", nil)
	r.AddCookie(&http.Cookie{Name: anna.cookie.Name, Value: anna.cookie.Value})
	r.AddCookie(&http.Cookie{Name: LangCookie, Value: "en"})
	rec = httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	wantContains(t, "/ with the cookie", rec.Body.String(), `<html lang="en">`, "<h1>Alerts</h1>", `href="/?lang=sv"`)

	// The login page, signed out.
	body := f.page(anon, "/login")
	wantContains(t, "/login", body, "Logga in", `name="username"`, `type="password"`, `autocomplete="current-password"`)
	rec = f.get(anon, "/login?lang=en")
	wantContains(t, "/login (en)", rec.Body.String(), "Sign in", "User name")
}

// A page that does not exist, or a record that does not, is a Swedish
// 404 page; a malformed organisation number a 400 page.
func TestUIErrors(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	for path, status := range map[string]int{
		"/alerts/5591234561-9":                http.StatusNotFound,
		"/decisions/5591234561-1-d9/underlag": http.StatusNotFound,
		"/suppliers/" + unknownOrg + "0":      http.StatusBadRequest,
		"/suppliers/123":                      http.StatusBadRequest,
		"/ingen/sadan/sida":                   http.StatusNotFound,
		"/?step=L99":                          http.StatusBadRequest,
		"/?assignee=nobody":                   http.StatusBadRequest,
	} {
		rec := f.get(anna, path)
		if rec.Code != status {
			t.Errorf("%s: %d, want %d", path, rec.Code, status)
			continue
		}
		checkHTML(t, path, rec)
		want := map[int]string{http.StatusNotFound: "Sidan finns inte", http.StatusBadRequest: "Felaktig begäran"}[status]
		wantContains(t, path, rec.Body.String(), want, "Till larmlistan")
	}
	rec := f.get(anna, "/ingen/sadan/sida?lang=en")
	wantContains(t, "404 in English", rec.Body.String(), "Page not found")
}

// Unauthenticated browsers are sent to the sign-in page; their POSTs get
// a page saying so.
func TestUIUnauthenticated(t *testing.T) {
	f := newFixture(t)
	for path, next := range map[string]string{
		"/":                             "/login?next=%2F",
		"/alerts/" + sampleAlert:        "/login?next=%2Falerts%2F" + sampleAlert,
		"/suppliers/" + sampleOrg:       "/login?next=%2Fsuppliers%2F" + sampleOrg,
		"/decisions/x/underlag?lang=en": "/login?next=%2Fdecisions%2Fx%2Funderlag%3Flang%3Den",
	} {
		rec := f.get(anon, path)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != next {
			t.Errorf("GET %s: %d %q, want 303 to %s", path, rec.Code, rec.Header().Get("Location"), next)
		}
	}
	rec := f.post(anon, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Avropsstopp), false)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("POST unauthenticated: %d", rec.Code)
	}
	checkHTML(t, "401", rec)
	wantContains(t, "401", rec.Body.String(), "Du är inte inloggad", `href="/login"`)
	// The sign-in page after a redirect says why.
	wantContains(t, "/login?next=", f.page(anon, "/login?next=%2Falerts%2F"+sampleAlert), "Logga in för att fortsätta",
		`name="next" value="/alerts/`+sampleAlert+`"`)
	f.wantTrail()
}

// The sign-in form starts a session and goes on to next; a wrong
// password, a throttled user and a foreign next are handled; signing out
// ends the session.
func TestUILogin(t *testing.T) {
	f := newFixture(t)
	form := url.Values{"username": {"anna"}, "password": {password("anna")}, "next": {"/alerts/" + sampleAlert}}
	rec := f.post(anon, "/login", form, false)
	wantRedirect(t, "login", rec, "/alerts/"+sampleAlert)
	var anna who
	for _, c := range rec.Result().Cookies() {
		if c.Name == access.CookieName && c.Value != "" {
			anna = who{name: "anna (form)", cookie: c}
		}
	}
	if anna.cookie == nil || !anna.cookie.HttpOnly || anna.cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v", anna.cookie)
	}
	body := f.page(anna, "/alerts/"+sampleAlert)
	wantContains(t, "signed in", body, "Inloggad som Anna (Samordnare)", `action="/logout"`)
	f.wantTrail("login anna ", "view.persons anna "+sampleAlert)
	// The CSRF token is on the page.
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no csrf_token on the page")
	}
	anna.csrf = m[1]

	// Signed in already: /login goes on.
	wantRedirect(t, "login again", f.get(anna, "/login?next=%2Fsuppliers%2F"+sampleOrg), "/suppliers/"+sampleOrg)
	// A next elsewhere is not followed.
	rec = f.post(anon, "/login", url.Values{"username": {"bo"}, "password": {password("bo")}, "next": {"https://evil.example/"}}, false)
	wantRedirect(t, "login with a foreign next", rec, "/")
	if loc := rec.Header().Get("Location"); loc != "/" {
		t.Errorf("foreign next: %q", loc)
	}
	f.trail()

	// Wrong password: the form again, the name kept.
	rec = f.post(anon, "/login", url.Values{"username": {"cecilia"}, "password": {"fel"}}, false)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", rec.Code)
	}
	checkHTML(t, "wrong password", rec)
	wantContains(t, "wrong password", rec.Body.String(), "Fel användarnamn eller lösenord.", `value="cecilia"`,
		`aria-describedby="login-error"`)
	rec = f.post(anon, "/login", url.Values{"username": {""}, "password": {"x"}}, false)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("no user name: %d", rec.Code)
	}
	// Throttled: after three failures from one address a user name waits
	// a second, after the fourth two (the fixture's clock moves a second
	// a request).
	for range 3 {
		f.post(anon, "/login", url.Values{"username": {"cecilia"}, "password": {"fel"}}, false)
	}
	rec = f.post(anon, "/login", url.Values{"username": {"cecilia"}, "password": {password("cecilia")}}, false)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("throttled: %d %v", rec.Code, rec.Header())
	}
	checkHTML(t, "throttled", rec)
	wantContains(t, "throttled", rec.Body.String(), "För många misslyckade inloggningar. Försök igen om 1 sekund (klockan ")
	// A sign-in posted from another site is refused.
	r := httptest.NewRequest(http.MethodPost, "http://vaksam.test/login", strings.NewReader(url.Values{"username": {"bo"}, "password": {password("bo")}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	if rec.Code != http.StatusForbidden || len(rec.Result().Cookies()) > 0 {
		t.Fatalf("cross-site login: %d %v", rec.Code, rec.Result().Cookies())
	}
	f.trail()

	// Signing out needs the token, ends the session and is recorded.
	if rec := f.post(anna, "/logout", nil, false); rec.Code != http.StatusForbidden {
		t.Fatalf("logout without the token: %d", rec.Code)
	}
	wantRedirect(t, "logout", f.post(anna, "/logout", nil, true), "/login?ok=signedout")
	es := f.wantTrail("logout anna ")
	if es[0].Detail["via"] != "web" {
		t.Errorf("logout detail %v", es[0].Detail)
	}
	wantRedirect(t, "after logout", f.get(anna, "/"), "/login?next=")
	wantContains(t, "signed out", f.page(anon, "/login?ok=signedout"), "Du är utloggad.")
}

// A decision posted without the CSRF token is refused; with it, it is
// recorded and the browser is sent back to the alert.
func TestUIDecideCSRF(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	f.trail()
	rec := f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Avropsstopp), false)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("without the token: %d %s", rec.Code, rec.Body)
	}
	checkHTML(t, "403", rec)
	wantContains(t, "403", rec.Body.String(), "Åtkomst nekad", "Formuläret har gått ut")
	bad := anna
	bad.csrf = "AAAA" + anna.csrf[4:]
	if rec := f.post(bad, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Avropsstopp), true); rec.Code != http.StatusForbidden {
		t.Fatalf("a wrong token: %d", rec.Code)
	}
	if decs, _ := f.desk.Decisions(sampleAlert); len(decs) != 0 {
		t.Fatalf("decisions %v", decs)
	}
	f.wantTrail()

	rec = f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Avropsstopp), true)
	wantRedirect(t, "with the token", rec, "/alerts/"+sampleAlert+"?ok=decided#decisions")
	d, err := f.desk.Decision(sampleAlert + "-d1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != review.Avropsstopp || d.DecidedBy != "anna" || d.Status != review.Bekraftad || d.Ground != review.GroundLOU131 ||
		!slices.Equal(d.Contracts, []string{"ASN-2024-1001"}) || len(d.Evidence.Records) == 0 || d.Evidence.Ruleset == "" {
		t.Fatalf("decision %+v", d)
	}
	f.wantTrail("decision.create anna " + d.ID)
	body := f.page(anna, "/alerts/"+sampleAlert+"?ok=decided")
	wantContains(t, "after deciding", body, "Beslutet registrerades och gäller.", "Avropsstopp gäller (beslut "+d.ID+")", "Häv avropsstopp")
	// A viewer may not decide.
	bo := f.as("bo")
	rec = f.post(bo, "/alerts/"+sampleAlert+"/decisions", decideForm(review.HavAvropsstopp), true)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("viewer deciding: %d", rec.Code)
	}
	wantContains(t, "viewer deciding", rec.Body.String(), "Din roll ger inte behörighet till detta (kräver: fatta beslut).")
}

// A refused decision shows the form again with each problem beside its
// field and what was entered.
func TestUIDecideValidation(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	form := url.Values{"kind": {string(review.Havning)}, "justification": {"  "}, "ground": {review.GroundAvtalsvillkor},
		"contract_clause": {""}, "ground_other": {"ignoreras"}, "contracts": {"ASN-2024-1001"}, "snooze_until": {"inte ett datum"}}
	rec := f.post(anna, "/alerts/"+sampleAlert+"/decisions", form, true)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("refused decision: %d %s", rec.Code, rec.Body)
	}
	checkHTML(t, "refused decision", rec)
	body := rec.Body.String()
	wantContains(t, "refused decision", body,
		"Beslutet registrerades inte. Rätta felen nedan.",
		`<a href="#d-justification">Motivering</a>: Måste fyllas i.`,
		`<p class="field-error" id="d-justification-error">Måste fyllas i.</p>`,
		`aria-describedby="d-justification-help d-justification-error" aria-invalid="true"`,
		`<p class="field-error" id="d-contract_clause-error">Måste fyllas i.</p>`,
		`id="d-kind-havning" name="kind" value="havning" checked`,
		`value="avtalsvillkor" checked`,
		`name="contracts" value="ASN-2024-1001" checked`)
	// ground_other and snooze_until do not apply to the kind and ground
	// chosen: dropped, not refused.
	wantNot(t, "refused decision", body, "d-ground_other-error", "d-snooze_until-error")
	if decs, _ := f.desk.Decisions(sampleAlert); len(decs) != 0 {
		t.Fatalf("decisions %v", decs)
	}
	// No kind, in English.
	rec = f.post(anna, "/alerts/"+sampleAlert+"/decisions?lang=en", url.Values{"justification": {"x"}}, true)
	wantContains(t, "no kind", rec.Body.String(), `id="d-kind-error">Required.</p>`, `id="d-ground-error">Required.</p>`)
	// A date that cannot be read, for ingen_atgard.
	form = decideForm(review.IngenAtgard)
	form.Set("snooze_until", "31/1 2027")
	rec = f.post(anna, "/alerts/"+sampleAlert+"/decisions", form, true)
	wantContains(t, "bad date", rec.Body.String(), `id="d-snooze_until-error">Ange ett datum som 2027-01-31.</p>`, `value="31/1 2027"`)
	// Snoozed until a date that has passed.
	form.Set("snooze_until", "2026-01-01")
	rec = f.post(anna, "/alerts/"+sampleAlert+"/decisions", form, true)
	wantContains(t, "past date", rec.Body.String(), `id="d-snooze_until-error">Måste vara senare än beslutet.</p>`)
	// And right.
	form.Set("snooze_until", "2027-01-31")
	form.Set("snooze", "1")
	wantRedirect(t, "ingen åtgärd", f.post(anna, "/alerts/"+sampleAlert+"/decisions", form, true), "/alerts/"+sampleAlert+"?ok=decided")
	a, _ := f.desk.Alert(sampleAlert)
	if a.State != review.Stangd || !a.Snoozed || a.SnoozeUntil.Format(time.DateOnly) != "2027-01-31" {
		t.Fatalf("alert after ingen_atgard: %+v", a)
	}
	body = f.page(anna, "/alerts/"+sampleAlert)
	wantContains(t, "closed", body, "Vilar till 2027-01-31", "Larmet tar inte emot nya beslut")
	wantNot(t, "closed", body, `action="/alerts/`+sampleAlert+`/close"`)
}

// Termination waits for a second person: the decider sees it waiting,
// an approver sees Godkänn and Avslå, and nobody approves their own.
func TestUIFourEyes(t *testing.T) {
	f := newFixture(t)
	anna, cecilia, gustav := f.as("anna"), f.as("cecilia"), f.as("gustav")
	rec := f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Havning), true)
	wantRedirect(t, "havning", rec, "/alerts/"+sampleAlert+"?ok=pending#decisions")
	dec := sampleAlert + "-d1"
	body := f.page(anna, "/alerts/"+sampleAlert+"?ok=pending")
	wantContains(t, "decider", body, "registrerades och väntar på godkännande", "Väntar på godkännande",
		"Du fattade beslutet; en annan godkännare måste godkänna eller avslå det.")
	wantNot(t, "decider", body, `action="/decisions/`+dec+`/approve"`)
	body = f.page(cecilia, "/alerts/"+sampleAlert)
	wantContains(t, "approver", body, `action="/decisions/`+dec+`/approve"`, `action="/decisions/`+dec+`/reject"`, ">Godkänn<", ">Avslå<")
	wantContains(t, "approver's queue", f.page(cecilia, "/"), "Beslut som väntar på ditt godkännande", "Hävning av avtal för Omsorgshuset Norr AB")

	// A coordinator may not approve at all.
	if rec := f.post(anna, "/decisions/"+dec+"/approve", nil, true); rec.Code != http.StatusForbidden {
		t.Fatalf("coordinator approving: %d", rec.Code)
	}
	// An approver's own decision: refused.
	rec = f.post(cecilia, "/alerts/"+soleTraderAlert+"/decisions", decideForm(review.Uteslutning), true)
	wantRedirect(t, "uteslutning", rec, "/alerts/"+soleTraderAlert+"?ok=pending")
	own := soleTraderAlert + "-d1"
	body = f.page(cecilia, "/alerts/"+soleTraderAlert)
	wantNot(t, "own decision", body, `action="/decisions/`+own+`/approve"`)
	rec = f.post(cecilia, "/decisions/"+own+"/approve", nil, true)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("self-approval: %d %s", rec.Code, rec.Body)
	}
	checkHTML(t, "self-approval", rec)
	wantContains(t, "self-approval", rec.Body.String(), "Du kan inte godkänna eller avslå ett beslut som du själv har fattat (fyra ögon).")
	if d, _ := f.desk.Decision(own); d.Status != review.VantarGodkannande {
		t.Fatalf("own decision %s", d.Status)
	}
	// Rejecting needs a reason.
	rec = f.post(gustav, "/decisions/"+own+"/reject", url.Values{"reason": {""}}, true)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("reject without a reason: %d", rec.Code)
	}
	wantContains(t, "reject without a reason", rec.Body.String(), `id="reject-reason-error">Måste fyllas i.</p>`)
	wantRedirect(t, "reject", f.post(gustav, "/decisions/"+own+"/reject", url.Values{"reason": {"Underlaget räcker inte."}}, true),
		"/alerts/"+soleTraderAlert+"?ok=rejected")
	// Another approver approves, once the supplier was heard.
	now := f.clk.Now()
	if _, err := f.desk.Inform(dec, "anna", now, now.AddDate(0, 0, 14), review.ChannelBrev, now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Respond(dec, "anna", now, "Vi bestrider uppgifterna.", nil, now); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, "approve", f.post(cecilia, "/decisions/"+dec+"/approve", nil, true), "/alerts/"+sampleAlert+"?ok=approved")
	d, _ := f.desk.Decision(dec)
	if d.Status != review.Bekraftad || d.ApprovedBy != "cecilia" {
		t.Fatalf("approved %+v", d)
	}
	body = f.page(anna, "/alerts/"+sampleAlert)
	wantContains(t, "approved", body, "Godkänt av Cecilia")
	body = f.page(anna, "/decisions/"+dec+"/underlag")
	wantContains(t, "approved underlag", body, "Godkänt av Cecilia (cecilia)", "Trädde i kraft")
}

// Assigning, commenting and closing, each redirecting after the POST.
func TestUIAlertActions(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	wantRedirect(t, "assign me", f.post(anna, "/alerts/"+sampleAlert+"/assign", url.Values{"assignee": {"me"}}, true),
		"/alerts/"+sampleAlert+"?ok=assigned")
	if a, _ := f.desk.Alert(sampleAlert); a.Assignee != "anna" || a.State != review.Utreds {
		t.Fatalf("assigned %+v", a)
	}
	wantContains(t, "mine", f.page(anna, "/?assignee=me"), "Omsorgshuset Norr AB", "1 av 2 öppna larm visas.")
	wantContains(t, "unassigned", f.page(anna, "/?assignee=none"), "Anna Ek Omsorg", "1 av 2 öppna larm visas.")
	rec := f.post(anna, "/alerts/"+sampleAlert+"/assign", url.Values{"assignee": {"bo"}}, true) // a viewer
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("assign to a viewer: %d", rec.Code)
	}
	wantContains(t, "assign to a viewer", rec.Body.String(), `id="assign-user-error">Ingen sådan handläggare.</p>`)
	wantRedirect(t, "assign gustav", f.post(anna, "/alerts/"+sampleAlert+"/assign", url.Values{"assignee": {"gustav"}}, true), "/alerts/")

	rec = f.post(anna, "/alerts/"+sampleAlert+"/comments", url.Values{"text": {""}}, true)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("empty comment: %d", rec.Code)
	}
	wantContains(t, "empty comment", rec.Body.String(), `id="comment-text-error">Måste fyllas i.</p>`)
	wantRedirect(t, "comment", f.post(anna, "/alerts/"+sampleAlert+"/comments", url.Values{"text": {"Kontaktat <IVO>."}}, true),
		"/alerts/"+sampleAlert+"?ok=comment#comments")
	wantContains(t, "comment shown", f.page(anna, "/alerts/"+sampleAlert+"?ok=comment"), "Kontaktat &lt;IVO&gt;.", "Kommentaren sparades.")
	// A viewer may not comment.
	if rec := f.post(f.as("bo"), "/alerts/"+sampleAlert+"/comments", url.Values{"text": {"x"}}, true); rec.Code != http.StatusForbidden {
		t.Fatalf("viewer commenting: %d", rec.Code)
	}

	wantContains(t, "close form", f.page(anna, "/alerts/"+soleTraderAlert), `<legend>Utfall</legend>`,
		`id="close-outcome-falsklarm" name="outcome" value="falsklarm"`, `name="wrong_hits" value="`)
	rec = f.post(anna, "/alerts/"+soleTraderAlert+"/close", url.Values{"reason": {""}}, true)
	wantContains(t, "close without a reason", rec.Body.String(), `id="close-reason-error">Måste fyllas i.</p>`,
		`id="close-outcome-error">Måste fyllas i.</p>`)
	checkHTML(t, "refused close", rec)
	rec = f.post(anna, "/alerts/"+soleTraderAlert+"/close", url.Values{"reason": {"x"}, "outcome": {"falsklarm"}}, true)
	wantContains(t, "falsklarm without wrong hits", rec.Body.String(), `id="close-wrong-error">Måste fyllas i.</p>`)
	rec = f.post(anna, "/alerts/"+soleTraderAlert+"/close", url.Values{"reason": {"x"}, "outcome": {"falsklarm"}, "wrong_hits": {"X99"}}, true)
	wantContains(t, "falsklarm with a hit the alert has not", rec.Body.String(), `id="close-wrong-error">X99 är inte en av larmets träffar.</p>`)
	st, _ := f.desk.Alert(soleTraderAlert)
	wrong := st.Hits[0]
	wantRedirect(t, "close", f.post(anna, "/alerts/"+soleTraderAlert+"/close", url.Values{"reason": {"Verksamheten upphörde 2021."},
		"outcome": {"falsklarm"}, "wrong_hits": {wrong}}, true), "/alerts/"+soleTraderAlert+"?ok=closed")
	if a, _ := f.desk.Alert(soleTraderAlert); a.Outcome != review.OutcomeFalseAlarm || !slices.Equal(a.WrongHits, []string{wrong}) {
		t.Errorf("closed alert %+v", a)
	}
	wantContains(t, "closed alert", f.page(anna, "/alerts/"+soleTraderAlert), "Utfall: Falsklarm.", "Felaktiga träffar: "+wrong+".")
	body := f.page(anna, "/")
	wantContains(t, "queue after closing", body, "1 av 1 öppna larm visas.")
	wantNot(t, "queue after closing", body, "Anna Ek Omsorg")
	// Closing twice is a conflict.
	if rec := f.post(anna, "/alerts/"+soleTraderAlert+"/close", url.Values{"reason": {"igen"}, "outcome": {"befogat_larm"}}, true); rec.Code != http.StatusConflict {
		t.Fatalf("closing again: %d", rec.Code)
	}
	// GET changes nothing.
	if rec := f.get(anna, "/alerts/"+sampleAlert+"/assign"); rec.Code != http.StatusNotFound {
		t.Fatalf("GET of a POST route: %d", rec.Code)
	}
}

// The queue's filters.
func TestUIQueueFilters(t *testing.T) {
	f := newFixture(t)
	// A coordinator's queue: a viewer finds a sole trader only by its
	// number (TestSoleTraderByRole).
	anna, bo := f.as("anna"), f.as("bo")
	for query, want := range map[string][]string{
		"":                         {sampleAlert, soleTraderAlert},
		"?step=L3":                 {sampleAlert, soleTraderAlert},
		"?step=L2":                 nil,
		"?category=C":              {sampleAlert},
		"?category=p":              nil,
		"?owner=skanes_kommuner":   {sampleAlert},
		"?owner=adda":              nil,
		"?assignee=none":           {sampleAlert, soleTraderAlert},
		"?q=559123-4561":           {sampleAlert},
		"?q=ek+omsorg":             {soleTraderAlert},
		"?step=L3&category=S&q=ek": {soleTraderAlert},
	} {
		body := f.page(anna, "/"+query)
		var got []string
		for _, m := range regexp.MustCompile(`<th [^>]*scope="row"[^>]*><a href="/alerts/([^"]+)">`).FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	body := f.page(anna, "/?owner=skanes_kommuner")
	wantContains(t, "owner selected", body, `<option value="skanes_kommuner" selected>Skånes kommuner</option>`, `href="/">Rensa filter</a>`)
	// A viewer sees no actions.
	wantNot(t, "viewer's alert", f.page(bo, "/alerts/"+sampleAlert), "Tilldela mig", "Fatta beslut", `name="text"`)
}

// A viewer sees no representatives and no messages naming persons, and
// nothing is recorded as shown; a coordinator's view is audited.
func TestUIPersons(t *testing.T) {
	f := newFixture(t)
	bo, anna := f.as("bo"), f.as("anna")
	f.trail()
	for _, path := range []string{"/suppliers/" + sampleOrg, "/alerts/" + sampleAlert, "/suppliers/6001011235", "/alerts/" + soleTraderAlert} {
		body := f.page(bo, path)
		wantNot(t, path+" as viewer", body, "Erik Lind", "Sara Holm", "Ali Noor", "Anna Ek Omsorg (innehavare)", "/records", "Visa posten", "LULEÅ", "Box 4")
	}
	body := f.page(bo, "/suppliers/"+sampleOrg)
	wantContains(t, "viewer", body, "Företrädare och deras andra bolag visas bara för användare som får se personuppgifter.",
		"Uppgifter om personer visas bara för användare som får se personuppgifter.", "En person: VD från 2021-01-15")
	wantContains(t, "viewer, sole trader", f.page(bo, "/suppliers/6001011235"), "Enskild firma", "Uppgifter om personer visas inte.")
	if rec := f.get(bo, "/suppliers/"+sampleOrg+"/records"); rec.Code != http.StatusForbidden {
		t.Fatalf("viewer's raw records: %d", rec.Code)
	} else {
		wantContains(t, "viewer's raw records", rec.Body.String(), "Åtkomst nekad", "se personuppgifter")
	}
	f.wantTrail()

	f.page(anna, "/suppliers/"+sampleOrg)
	es := f.wantTrail("view.persons anna " + sampleOrg)
	if d := es[0].Detail; d["via"] != "web" || d["view"] != "supplier" || d["representatives"] != "3" || d["hit_messages"] != "shown" {
		t.Errorf("audit detail %v", d)
	}
	f.page(anna, "/alerts/"+sampleAlert)
	f.wantTrail("view.persons anna " + sampleAlert)
	f.page(anna, "/suppliers/"+sampleOrg+"/records?source=roles")
	es = f.wantTrail("view.raw anna " + sampleOrg)
	if d := es[0].Detail; d["via"] != "web" || d["source"] != "roles" || d["records"] != "3" {
		t.Errorf("raw audit detail %v", d)
	}
	if rec := f.get(anna, "/suppliers/"+sampleOrg+"/records?source=nope"); rec.Code != http.StatusBadRequest {
		t.Errorf("unknown source: %d", rec.Code)
	}
	f.wantTrail()
}

// The decision basis holds every record version the decision rested on.
func TestUIUnderlag(t *testing.T) {
	f := newFixture(t)
	anna, bo := f.as("anna"), f.as("bo")
	wantRedirect(t, "decide", f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm(review.Avropsstopp), true), "/alerts/")
	d, err := f.desk.Decision(sampleAlert + "-d1")
	if err != nil {
		t.Fatal(err)
	}
	body := f.page(anna, "/decisions/"+d.ID+"/underlag")
	if len(d.Evidence.Records) < 10 {
		t.Fatalf("evidence %v", d.Evidence.Records)
	}
	for _, ref := range d.Evidence.Records {
		row := regexp.MustCompile(`<td [^>]*class="key">` + regexp.QuoteMeta(ref.Key) + `</td>\s*<td [^>]*class="num">` + strconv.Itoa(int(ref.Version)) + `</td>`)
		if !row.MatchString(body) {
			t.Errorf("underlag: record %s %s v%d missing", ref.Source, ref.Key, ref.Version)
		}
	}
	wantContains(t, "underlag", body, d.Justification, "LOU 13 kap. 1 § – obligatorisk uteslutning (brott)", `<span class="key">ASN-2024-1001</span>: HVB barn och unga`,
		"Sara Holm (VD) har näringsförbud", "LOU 13:1; lag (2014:836) om näringsförbud", "Postversioner (16)", `data-print hidden`,
		"Larmet öppnades", "Beslut trädde i kraft", "default@")
	f.trail()
	body = f.page(bo, "/decisions/"+d.ID+"/underlag")
	wantNot(t, "viewer's underlag", body, "Sara Holm")
	f.wantTrail()
}

// The stylesheet and script are served with caching headers.
func TestUIStatic(t *testing.T) {
	f := newFixture(t)
	for file, ctype := range map[string]string{"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"} {
		rec := f.get(anon, "/static/"+file+"?v="+uiAssetVersion)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != ctype ||
			rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" || rec.Header().Get("ETag") == "" {
			t.Fatalf("%s: %d %v", file, rec.Code, rec.Header())
		}
		r := httptest.NewRequest(http.MethodGet, "http://vaksam.test/static/"+file, nil)
		r.Header.Set("If-None-Match", rec.Header().Get("ETag"))
		rec2 := httptest.NewRecorder()
		f.h.ServeHTTP(rec2, r)
		if rec2.Code != http.StatusNotModified || rec2.Header().Get("Cache-Control") != "public, max-age=3600" {
			t.Errorf("%s revalidated: %d %v", file, rec2.Code, rec2.Header())
		}
	}
	if rec := f.get(anon, "/static/nope.css"); rec.Code != http.StatusNotFound {
		t.Errorf("missing file: %d", rec.Code)
	}
	css := f.get(anon, "/static/app.css").Body.String()
	wantContains(t, "app.css", css, "@media print", "@page", ":focus-visible", `"Sida " counter(page) " av " counter(pages)`, "size: A4")
	wantNot(t, "app.css", css, "break-before: page") // the decision basis flows: no section starts a page
	js := f.get(anon, "/static/app.js").Body.String()
	wantContains(t, "app.js", js, "window.print()")
}

// Every key the templates ask for is in the catalogue, in both
// languages, and the roles' Swedish names are access's.
func TestUICatalogue(t *testing.T) {
	for k, m := range uiText {
		if m.sv == "" || m.en == "" {
			t.Errorf("%s: sv %q en %q", k, m.sv, m.en)
		}
		if strings.Count(m.sv, "%") != strings.Count(m.en, "%") {
			t.Errorf("%s: the languages take different arguments: %q, %q", k, m.sv, m.en)
		}
	}
	for _, r := range access.Roles() {
		if got := uiText["role."+string(r)].sv; got != r.Label() {
			t.Errorf("role %s: %q, access says %q", r, got, r.Label())
		}
	}
	for _, k := range review.Kinds {
		for _, prefix := range []string{"kind.", "kindhelp."} {
			if _, ok := uiText[prefix+string(k)]; !ok {
				t.Errorf("%s%s missing", prefix, k)
			}
		}
	}
	for _, c := range append(slices.Clone(review.Codes), codeDate, codeNotUser) {
		if _, ok := uiText["fe."+c]; !ok && c != review.CodeNotUTF8 {
			t.Errorf("fe.%s missing: the problem's code is not translated", c)
		}
	}
	for _, g := range review.Grounds {
		if _, ok := uiText["ground."+g]; !ok {
			t.Errorf("ground %s missing", g)
		}
	}
	for _, c := range review.Channels {
		if _, ok := uiText["channel."+c]; !ok {
			t.Errorf("channel %s missing", c)
		}
	}
	for _, p := range access.Permissions() {
		if _, ok := uiText["perm."+string(p)]; !ok {
			t.Errorf("perm.%s missing", p)
		}
	}
	for _, p := range []string{screening.Monitor, screening.Award, screening.Calloff, screening.Direct} {
		if _, ok := uiText["purpose."+p]; !ok {
			t.Errorf("purpose.%s missing", p)
		}
	}
	used := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	err := fs.WalkDir(uiTemplateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := uiTemplateFS.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), "<script>") || strings.Contains(string(data), " style=") {
			t.Errorf("%s: inline script or style", p)
		}
		for _, m := range used.FindAllStringSubmatch(string(data), -1) {
			if _, ok := uiText[m[1]]; !ok {
				t.Errorf("%s: key %q is not in the catalogue", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Golden files of the queue and of a decision basis: the markup as a
// coordinator gets it from the fixture (its clock fixed), with the CSRF
// token (random at every page) and the version of the static files
// blanked. go test ./engine/web -run TestUIGolden -update rewrites them.
func TestUIGolden(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	golden(t, "queue", f.page(anna, "/"))
	form := decideForm(review.Avropsstopp)
	wantRedirect(t, "decide", f.post(anna, "/alerts/"+sampleAlert+"/decisions", form, true), "/alerts/")
	golden(t, "underlag", f.page(anna, "/decisions/"+sampleAlert+"-d1/underlag"))
}

var (
	csrfValue = regexp.MustCompile(`name="csrf_token" value="[^"]*"`)
	assetV    = regexp.MustCompile(`\?v=[0-9a-f]+`)
)

func golden(t *testing.T, name, got string) {
	t.Helper()
	got = csrfValue.ReplaceAllString(got, `name="csrf_token" value="CSRF"`)
	got = assetV.ReplaceAllString(got, "?v=ASSETS")
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestUIGolden -update)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from %s at line %d:\n got: %s\nwant: %s\n(go test ./engine/web -run TestUIGolden -update rewrites it)", name, path, i+1, g, w)
			}
		}
	}
}

// The audit trail's actions the UI writes are audit's.
var _ = []string{audit.ViewPersons, audit.ViewRaw, audit.Logout}

// The chart spreads the assessments over its width, the score upward; an
// assessment a critical hit placed on L3 sits in the band "Kritisk" above
// the scores as a diamond, not at its score.
func TestUIChart(t *testing.T) {
	s := &Server{}
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	c := s.newChart("sv", []chartPoint{{At: day(1), Score: 0, Step: "L0"}, {At: day(11), Score: 42.5, Step: "L2"}, {At: day(21), Score: 0, Step: "L3"}})
	if c.Band == nil || c.Band.Label != "Kritisk" || c.Top != chartTop+chartBandH {
		t.Fatalf("band %+v, top %v", c.Band, c.Top)
	}
	if c.Line != "64,244 384,160.7 704,26" {
		t.Errorf("line %q", c.Line)
	}
	if p := c.Points[2]; !p.Critical || p.Y != c.Band.Mid || p.Diamond != "M704,19 L711,26 L704,33 L697,26 Z" || p.Label != "2026-11-21: kritisk träff (L3)" {
		t.Errorf("critical point %+v", p)
	}
	if c.Points[0].Critical || c.Points[1].Critical || c.Points[0].Y != c.Bottom {
		t.Errorf("points %+v", c.Points)
	}
	if len(c.XTicks) != 2 || c.XTicks[0].Label != "2026-11-01" || c.XTicks[1].Label != "2026-11-21" || c.XTicks[1].Anchor != "end" {
		t.Errorf("x ticks %+v", c.XTicks)
	}
	if c.Threshold.Pos != 185.2 || c.Points[1].Label != "2026-11-11: 42,5 poäng (L2)" {
		t.Errorf("threshold %+v, point %+v", c.Threshold, c.Points[1])
	}
	if c.Desc != "Poängen i varje lagrad bedömning i uppföljningen, från 2026-11-01 till 2026-11-21. Senast kritisk träff (L3)." {
		t.Errorf("desc %q", c.Desc)
	}
	// Without a critical assessment, no band.
	if c := s.newChart("en", []chartPoint{{At: day(1), Score: 50, Step: "L2"}}); c.Band != nil || c.Top != chartTop || c.Points[0].Label != "2026-11-01: 50 points (L2)" {
		t.Errorf("no critical: band %+v, top %v, %+v", c.Band, c.Top, c.Points)
	}
	if s.newChart("sv", nil) != nil {
		t.Error("a chart of nothing")
	}
}

// The timeline says what changed between versions of a record.
func TestUITimelineDescribe(t *testing.T) {
	v1 := []byte(`{"orgnr":"5591234561","name":"Omsorg AB","address":{"street":"Storgatan 12","postal_code":"90326","city":"UMEÅ"}}`)
	v2 := []byte(`{"orgnr":"5591234561","name":"Omsorg Norr AB","address":{"street":"Box 4","postal_code":"97101","city":"LULEÅ"},` +
		`"proceedings":[{"code":"KK","from":"2026-10-01T00:00:00Z"}],"deregistered":"2026-11-01T00:00:00Z","deregistered_reason":"KKAV"}`)
	got := describe("sv", "bolagsverket", v2, v1, true, true)
	want := []string{"Namn: Omsorg AB → Omsorg Norr AB", "Adress: Storgatan 12, 90326 UMEÅ → Box 4, 97101 LULEÅ",
		"Förfarande KK (konkurs) från 2026-10-01", "Avregistrerad 2026-11-01 (KKAV)"}
	if !slices.Equal(got, want) {
		t.Errorf("bolagsverket:\n got %q\nwant %q", got, want)
	}
	if got := describe("sv", "bolagsverket", v2, v1, false, false); !slices.Equal(got, []string{"Uppgifter om personer visas inte."}) {
		t.Errorf("withheld: %q", got)
	}
	r1 := []byte(`{"orgnr":"5591234561","person":{"id":"P1","name":"Sara Holm"},"roll":"vd","fran":"2021-01-15T00:00:00Z"}`)
	r2 := []byte(`{"orgnr":"5591234561","person":{"id":"P1","name":"Sara Holm"},"roll":"vd","fran":"2021-01-15T00:00:00Z","till":"2026-06-30T00:00:00Z"}`)
	if got := describe("en", "roles", r2, r1, true, true); !slices.Equal(got, []string{"Sara Holm: CEO, left 2026-06-30"}) {
		t.Errorf("roles: %q", got)
	}
	if got := describe("sv", "roles", r1, nil, true, false); !slices.Equal(got, []string{"En person: VD från 2021-01-15"}) {
		t.Errorf("roles, no persons: %q", got)
	}
	// An SCB fact not delivered is unknown, not "never registered".
	for _, tc := range []struct{ row, want string }{
		{`{"orgnr":"5591234561","fskatt":1,"moms":1,"employer":9,"size_class":3}`, "F-skatt godkänd, moms registrerad, arbetsgivare avregistrerad, storleksklass 3"},
		{`{"orgnr":"5591234561","fskatt":0,"moms":1,"employer":0,"size_class":0,"unknown":{"fskatt":"Fskattstatus: not ordered from SCB (*)","employer":"x","size_class":"x"}}`,
			"F-skatt okänt, moms registrerad, arbetsgivare okänt, storleksklass okänt"},
	} {
		if got := describe("sv", "scb", []byte(tc.row), nil, true, true); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("scb %s:\n got %q\nwant %q", tc.row, got, tc.want)
		}
	}
}

// The pages translate a field problem by its code and arguments, not by
// its English text.
func TestFieldProblemText(t *testing.T) {
	for _, c := range []struct {
		fe   review.FieldError
		lang string
		want string
	}{
		{review.FieldError{Field: "kind", Problem: "any English at all", Code: review.CodeRequired}, "sv", "Måste fyllas i."},
		{review.FieldError{Field: "deadline", Problem: "-", Code: review.CodeDeadlineTooSoon, Args: []any{10, "2026-12-02"}}, "sv",
			"Svarsfristen måste vara minst 10 dagar efter att leverantören underrättades: tidigast 2026-12-02."},
		{review.FieldError{Field: "file", Problem: "no content type", Code: review.CodeFileType}, "en",
			"The file type is not allowed: attach PDF, PNG, JPEG, text or Word (.docx)."},
		{review.FieldError{Field: "text", Problem: "not UTF-8", Code: review.CodeNotUTF8}, "en", "Not valid: not UTF-8"},
		{review.FieldError{Field: "x", Problem: "required"}, "en", "Not valid: required"}, // no code: the text as it is
	} {
		if got := fieldProblemText(c.lang, &c.fe); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.fe.Code, c.fe.Problem, got, c.want)
		}
	}
}
