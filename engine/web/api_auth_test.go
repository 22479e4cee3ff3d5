package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
)

// concrete is a route's path with its parameters filled in.
func concrete(path string) string {
	id := sampleAlert
	if strings.HasPrefix(path, "/api/v1/decisions/") {
		id = sampleAlert + "-d1"
	}
	return strings.NewReplacer("{id}", id, "{orgnr}", sampleOrg).Replace(path)
}

func TestUnauthenticated(t *testing.T) {
	f := newFixture(t)
	stale := who{name: "stale cookie", cookie: &http.Cookie{Name: access.CookieName, Value: strings.Repeat("A", 43)}, csrf: "x"}
	badToken := who{name: "bad token", bearer: "robot.wrong"}
	n := 0
	for _, e := range f.srv.api() {
		if e.Perm == "" {
			continue
		}
		n++
		for _, w := range []who{anon, stale, badToken} {
			rec := f.do(w, e.Method, concrete(e.Path), `{}`)
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("%s %s as %s: %d %s, want 401", e.Method, e.Path, w.name, rec.Code, rec.Body)
				continue
			}
			if msg := errorOf(t, rec).Error; msg != "unauthenticated" {
				t.Errorf("%s %s as %s: %q", e.Method, e.Path, w.name, msg)
			}
		}
	}
	if n < 18 {
		t.Errorf("%d protected routes", n)
	}
	f.wantTrail() // nothing happened
	// The public ones.
	if rec := f.do(anon, http.MethodGet, "/api/v1/openapi.yaml", ""); rec.Code != http.StatusOK {
		t.Errorf("openapi.yaml: %d", rec.Code)
	}
	if rec := f.do(anon, http.MethodPost, "/api/v1/login", `{"username":"anna","password":"fel"}`); rec.Code != http.StatusUnauthorized {
		t.Errorf("a failed login: %d", rec.Code)
	}
}

// Every protected route refuses, with 403, whoever lacks its permission:
// a viewer deciding, a coordinator approving, an approver reading the
// audit trail. Nothing is changed or recorded.
func TestWrongRole(t *testing.T) {
	f := newFixture(t)
	principals := []struct {
		w     who
		roles []access.Role
	}{
		{f.as("bo"), []access.Role{access.Viewer}},
		{f.token("panel"), []access.Role{access.Viewer}},
		{f.as("anna"), []access.Role{access.Coordinator}},
		{f.token("robot"), []access.Role{access.Coordinator}},
		{f.as("cecilia"), []access.Role{access.Approver}},
	}
	f.trail()
	f.events()
	refused := 0
	for _, e := range f.srv.api() {
		if e.Perm == "" {
			continue
		}
		for _, pr := range principals {
			p := &access.Principal{Roles: pr.roles}
			var want string
			switch {
			case !p.Can(e.Perm):
				want = "forbidden: needs " + string(e.Perm)
			case len(e.AnyOf) > 0 && !slices.ContainsFunc(e.AnyOf, p.Can):
				want = "forbidden: needs assign or decide"
			default:
				continue
			}
			refused++
			rec := f.do(pr.w, e.Method, concrete(e.Path), `{"text":"x","assignee":"me","reason":"x"}`)
			if rec.Code != http.StatusForbidden || errorOf(t, rec).Error != want {
				t.Errorf("%s %s as %s: %d %s, want 403 %q", e.Method, e.Path, pr.w.name, rec.Code, rec.Body, want)
			}
		}
	}
	if refused < 20 {
		t.Errorf("only %d refusals tried", refused)
	}
	f.wantTrail()
	if evs := f.events(); len(evs) > 0 {
		t.Errorf("refused requests emitted %d events", len(evs))
	}
	// Specifically: a viewer cannot decide, a coordinator cannot approve.
	if rec := f.do(f.as("bo"), http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/decisions",
		`{"kind":"avropsstopp","justification":"j","ground":"LOU 13:1"}`); rec.Code != http.StatusForbidden {
		t.Errorf("viewer deciding: %d", rec.Code)
	}
	if rec := f.do(f.as("anna"), http.MethodPost, "/api/v1/decisions/"+sampleAlert+"-d1/approve", ``); rec.Code != http.StatusForbidden {
		t.Errorf("coordinator approving: %d", rec.Code)
	}
}

// A session's POST needs the CSRF token and must come from this site; a
// token's does not need one.
func TestCSRF(t *testing.T) {
	f := newFixture(t)
	dora := f.as("dora") // admin: every permission, so only CSRF decides
	f.as("anna")
	f.trail()
	for _, e := range f.srv.api() {
		if e.Perm == "" || e.Method != http.MethodPost {
			continue
		}
		path := concrete(e.Path)
		for _, tc := range []struct {
			name   string
			csrf   bool
			header []string
			want   string
		}{
			{"no token", false, nil, "csrf token missing or wrong"},
			{"wrong token", false, []string{access.CSRFHeader, "AAAA"}, "csrf token missing or wrong"},
			{"another session's token", false, []string{access.CSRFHeader, f.as("anna").csrf}, "csrf token missing or wrong"},
			{"cross-site", true, []string{"Sec-Fetch-Site", "cross-site"}, "cross-site request refused"},
			{"other origin", true, []string{"Origin", "https://evil.example"}, "cross-site request refused"},
		} {
			rec := f.send(dora, tc.csrf, e.Method, path, `{}`, tc.header...)
			if rec.Code != http.StatusForbidden || errorOf(t, rec).Error != tc.want {
				t.Errorf("%s %s, %s: %d %s, want 403 %q", e.Method, e.Path, tc.name, rec.Code, rec.Body, tc.want)
			}
		}
	}
	f.wantTrail()
	// With the token the request goes through (here, to the handler's own
	// answer: {} lacks fields).
	rec := f.do(dora, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/comments", `{}`)
	if rec.Code != http.StatusBadRequest || errorOf(t, rec).Field != "text" {
		t.Errorf("with the token: %d %s, want 400 naming text", rec.Code, rec.Body)
	}
	f.ok(http.StatusCreated, dora, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/comments", `{"text":"med token"}`, nil)
	// Same-origin fetches are fine.
	if rec := f.send(dora, true, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/comments", `{"text":"x"}`,
		"Sec-Fetch-Site", "same-origin"); rec.Code != http.StatusCreated {
		t.Errorf("same-origin: %d %s", rec.Code, rec.Body)
	}
	// A bearer token needs none.
	if rec := f.send(f.token("robot"), false, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/comments", `{"text":"maskin"}`); rec.Code != http.StatusCreated {
		t.Errorf("token without CSRF: %d %s", rec.Code, rec.Body)
	}
}

func TestLoginMeLogout(t *testing.T) {
	f := newFixture(t)
	// Wrong password, unknown user: 401 alike, recorded.
	for _, body := range []string{`{"username":"anna","password":"fel-lösenord"}`, `{"username":"okand","password":"x"}`} {
		rec := f.do(anon, http.MethodPost, "/api/v1/login", body)
		if rec.Code != http.StatusUnauthorized || errorOf(t, rec).Error != access.ErrInvalidCredentials.Error() {
			t.Errorf("%s: %d %s", body, rec.Code, rec.Body)
		}
		if rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s: a cookie was set", body)
		}
	}
	es := f.wantTrail(audit.LoginFailed+" anna ", audit.LoginFailed+" okand ")
	if es[0].Detail["ip"] != "192.0.2.1" {
		t.Errorf("detail %v", es[0].Detail)
	}
	// A personnummer typed as user name is masked.
	f.do(anon, http.MethodPost, "/api/v1/login", `{"username":"19811218-9876","password":"x"}`)
	if es := f.trail(); len(es) != 1 || es[0].Actor != "19XXXXXXXXXX" {
		t.Errorf("personnummer as user name: %+v", es)
	}

	rec := f.ok(http.StatusOK, anon, http.MethodPost, "/api/v1/login", `{"username":" Anna ","password":"`+password("anna")+`"}`, nil)
	var me whoami
	decode(t, rec, &me)
	if me.ID != "anna" || me.Via != access.ViaSession || me.CSRFToken == "" || !slices.Contains(me.Permissions, access.Decide) ||
		slices.Contains(me.Permissions, access.Approve) || !slices.Equal(me.Roles, []access.Role{access.Coordinator}) {
		t.Errorf("login answer %+v", me)
	}
	f.wantTrail(audit.Login + " anna ")
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == access.CookieName {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly {
		t.Fatalf("cookie %v", cookie)
	}
	anna := who{name: "anna", cookie: cookie, csrf: me.CSRFToken}
	var again whoami
	f.ok(http.StatusOK, anna, http.MethodGet, "/api/v1/me", "", &again)
	if again.ID != "anna" || again.CSRFToken == "" {
		t.Errorf("me %+v", again)
	}
	// The token from /me works as well as the login's.
	f.ok(http.StatusCreated, who{name: "anna", cookie: cookie, csrf: again.CSRFToken}, http.MethodPost,
		"/api/v1/alerts/"+sampleAlert+"/comments", `{"text":"x"}`, nil)
	f.trail()

	var robot whoami
	f.ok(http.StatusOK, f.token("robot"), http.MethodGet, "/api/v1/me", "", &robot)
	if robot.ID != "robot" || robot.Via != access.ViaToken || robot.CSRFToken != "" {
		t.Errorf("token me %+v", robot)
	}
	// A token's logout changes nothing.
	f.ok(http.StatusNoContent, f.token("robot"), http.MethodPost, "/api/v1/logout", "", nil)
	f.ok(http.StatusOK, f.token("robot"), http.MethodGet, "/api/v1/me", "", nil)
	f.wantTrail()

	f.ok(http.StatusNoContent, anna, http.MethodPost, "/api/v1/logout", "", nil)
	f.wantTrail(audit.Logout + " anna ")
	if rec := f.do(anna, http.MethodGet, "/api/v1/me", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("after logout: %d", rec.Code)
	}
	// A disabled user cannot sign in.
	if rec := f.do(anon, http.MethodPost, "/api/v1/login", `{"username":"eva","password":"x"}`); rec.Code != http.StatusUnauthorized {
		t.Errorf("disabled user: %d", rec.Code)
	}
}

func TestLoginThrottled(t *testing.T) {
	f := newFixture(t)
	// Three failures are free, the fourth a second later waits out the
	// first delay (the fixture's clock moves a second a request), and
	// then the pair waits two seconds.
	for i := 0; i < 4; i++ {
		f.do(anon, http.MethodPost, "/api/v1/login", `{"username":"anna","password":"fel"}`)
	}
	rec := f.do(anon, http.MethodPost, "/api/v1/login", `{"username":"anna","password":"`+password("anna")+`"}`)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("fifth attempt: %d %s (Retry-After %q), want 429 and 1", rec.Code, rec.Body, rec.Header().Get("Retry-After"))
	}
	es := f.trail()
	if len(es) != 5 || es[4].Action != audit.LoginFailed {
		t.Errorf("%d entries, the last %+v", len(es), es[len(es)-1])
	}
	f.clk.Add(16 * time.Minute)
	f.ok(http.StatusOK, anon, http.MethodPost, "/api/v1/login", `{"username":"anna","password":"`+password("anna")+`"}`, nil)
}

func TestNotFoundAndMethods(t *testing.T) {
	f := newFixture(t)
	bo := f.as("bo")
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/api/v1/nothing", http.StatusNotFound, ""},
		{http.MethodGet, "/api/v2/alerts", http.StatusNotFound, ""},
		{http.MethodDelete, "/api/v1/alerts", http.StatusMethodNotAllowed, "GET, HEAD"},
		{http.MethodPut, "/api/v1/alerts/" + sampleAlert + "/comments", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{http.MethodGet, "/api/v1/login", http.StatusMethodNotAllowed, "POST"},
		{http.MethodGet, "/api/v1/alerts/" + sampleOrg + "-9", http.StatusNotFound, ""},
		{http.MethodGet, "/api/v1/alerts/" + sampleOrg + "-9/comments", http.StatusNotFound, ""},
		{http.MethodGet, "/api/v1/decisions/" + sampleAlert + "-d9", http.StatusNotFound, ""},
	} {
		rec := f.do(bo, tc.method, tc.path, "")
		if rec.Code != tc.status || rec.Header().Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d (Allow %q) %s, want %d (Allow %q)", tc.method, tc.path, rec.Code, rec.Header().Get("Allow"), rec.Body, tc.status, tc.allow)
			continue
		}
		errorOf(t, rec)
	}
	// Bodies: too big, not JSON.
	anna := f.as("anna")
	big := `{"text":"` + strings.Repeat("a", MaxBody) + `"}`
	rec := f.do(anna, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/comments", big)
	if e := errorOf(t, rec); rec.Code != http.StatusRequestEntityTooLarge || e.Field != "body" {
		t.Errorf("a body over 1 MiB: %d %+v", rec.Code, e)
	}
	rec = f.do(anna, http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/comments", `text=x`, "Content-Type", "application/x-www-form-urlencoded")
	if e := errorOf(t, rec); rec.Code != http.StatusUnsupportedMediaType || e.Field != "Content-Type" {
		t.Errorf("a form: %d %+v", rec.Code, e)
	}
	rec = f.do(f.token("robot"), http.MethodPost, "/api/v1/alerts/"+sampleAlert+"/comments", `text=x`, "Content-Type", "text/plain")
	if e := errorOf(t, rec); rec.Code != http.StatusUnsupportedMediaType || e.Field != "Content-Type" {
		t.Errorf("text/plain: %d %+v", rec.Code, e)
	}
}
