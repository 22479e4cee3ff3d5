package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

//go:embed templates/*.html
var uiTemplateFS embed.FS

//go:embed static
var uiStaticFS embed.FS

// LangCookie remembers the language chosen with ?lang=sv or ?lang=en.
const LangCookie = "vaksam_lang"

// LoginPath is the sign-in page; access.Guard's default LoginPath.
const LoginPath = "/login"

// uiCSP is every HTML answer's Content-Security-Policy: nothing from
// elsewhere, no inline script or style.
const uiCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// uiRoutes registers the coordinators' web UI beside the API:
// server-rendered pages (html/template, templates/), Swedish by default
// and English with ?lang=en (remembered in the LangCookie), a stylesheet
// and a small script (static/) that only enhance what works without
// them. Every page is behind
// access.Guard.Require with the permission its API twin needs; every
// form posts the session's CSRF token in csrf_token; a successful POST
// answers 303 to a GET.
//
//	GET  /login                      public: the sign-in form
//	POST /login                      public: access.Guard.Login, then 303 to ?next=
//	POST /logout                     authenticated
//	GET  /login/oidc                 public: single sign-on, a 303 to the provider
//	GET  /login/oidc/callback        public: the provider's answer, then 303 to ?next=
//	GET  /                           view_alerts: the queue of open alerts
//	GET  /alerts/{id}                view_alerts: the alert, its hits, decisions, comments, history
//	POST /alerts/bulk                assign (action assign) or decide (snooze, close): several alerts, one justification
//	POST /alerts/{id}/assign         assign
//	POST /alerts/{id}/close          decide
//	POST /alerts/{id}/comments       assign or decide
//	POST /alerts/{id}/decisions      decide
//	POST /decisions/{id}/approve     approve (not one's own)
//	POST /decisions/{id}/reject      approve (not one's own)
//	POST /decisions/{id}/hearing     decide: the supplier was informed (kontradiktion)
//	POST /decisions/{id}/hearing/response  decide: its response, multipart with a file
//	GET  /decisions/{id}/attachments/{n}   view_persons: the file, for download (audited)
//	GET  /decisions/{id}/underlag    view_alerts: the printable decision basis
//	GET  /suppliers                  view_alerts: the suppliers, searched by name, number, address, person (view_persons)
//	GET  /check                      decide (as POST /api/v1/screen): the pre-award check form
//	POST /check                      decide: runs the check (Server.check), answers 200 with it on the page
//	GET  /suppliers/{orgnr}          view_alerts: the dossier: summary, contracts, open decisions, chart, hits, timeline, network (persons with view_persons)
//	GET  /suppliers/{orgnr}/records  view_persons: the raw records (audited)
//	POST /suppliers/{orgnr}/suppressions  decide: suppress a known false positive (the supplier page's form)
//	GET  /precision                  view_alerts: Träffsäkerhet, the precision per indicator for ?from=&to= (days, both included)
//	GET  /tillganglighet             public: the accessibility statement (or a 303 to the configured one)
//	GET  /admin/regeltest            admin: the backtest form (Regeltest, ui_backtest.go)
//	POST /admin/regeltest            admin: a candidate rule pack against the running one, answers 200 with the report
//	GET  /static/{file...}           public: app.css, app.js, network.js, vendor/ (third-party, each with its licence)
//
// When the guard has no HTMLError it gets the UI's (Server.HTMLError):
// its 401 and 403 answers to browsers are then pages in the user's
// language.
func (s *Server) uiRoutes(rt *router) {
	if s.Guard != nil && s.Guard.HTMLError == nil {
		s.Guard.HTMLError = s.HTMLError
	}
	const get, post = http.MethodGet, http.MethodPost
	for _, e := range []route{
		{Method: get, Path: LoginPath, Handle: s.uiLoginForm},
		{Method: post, Path: LoginPath, Handle: s.uiLogin},
		{Method: post, Path: "/logout", Perm: access.Authenticated, Handle: s.uiLogout},
		{Method: get, Path: access.SSOPath, Handle: s.uiSSOBegin},
		{Method: get, Path: access.SSOCallbackPath, Handle: s.uiSSOCallback},

		{Method: get, Path: "/{$}", Perm: access.ViewAlerts, Handle: s.queue},
		{Method: get, Path: "/alerts/{id}", Perm: access.ViewAlerts, Handle: s.uiAlert},
		{Method: post, Path: "/alerts/bulk", Perm: access.Authenticated,
			AnyOf: []access.Permission{access.Assign, access.Decide}, Handle: s.uiBulk},
		{Method: post, Path: "/alerts/{id}/assign", Perm: access.Assign, Handle: s.uiAssign},
		{Method: post, Path: "/alerts/{id}/close", Perm: access.Decide, Handle: s.uiClose},
		{Method: post, Path: "/alerts/{id}/comments", Perm: access.Authenticated,
			AnyOf: []access.Permission{access.Assign, access.Decide}, Handle: s.uiComment},
		{Method: post, Path: "/alerts/{id}/decisions", Perm: access.Decide, Handle: s.uiDecide},
		{Method: post, Path: "/decisions/{id}/approve", Perm: access.Approve, Handle: s.uiApprove},
		{Method: post, Path: "/decisions/{id}/reject", Perm: access.Approve, Handle: s.uiReject},
		{Method: post, Path: "/decisions/{id}/hearing", Perm: access.Decide, Handle: s.uiInform},
		{Method: post, Path: "/decisions/{id}/hearing/response", Perm: access.Decide, Handle: s.uiRespond,
			MaxBody: MaxHearingBody},
		{Method: get, Path: "/decisions/{id}/attachments/{n}", Perm: access.ViewPersons, Handle: s.uiAttachment},
		{Method: get, Path: "/suppliers", Perm: access.ViewAlerts, Handle: s.uiSuppliers},
		{Method: get, Path: "/check", Perm: access.Decide, Handle: s.uiCheckForm},
		{Method: post, Path: "/check", Perm: access.Decide, Handle: s.uiCheck},
		{Method: get, Path: "/suppliers/{orgnr}", Perm: access.ViewAlerts, Handle: s.uiSupplier},
		{Method: get, Path: "/suppliers/{orgnr}/records", Perm: access.ViewPersons, Handle: s.uiRecords},
		{Method: post, Path: "/suppliers/{orgnr}/sanctions/judgements", Perm: access.Decide, Handle: s.uiJudge},
		{Method: post, Path: "/suppliers/{orgnr}/suppressions", Perm: access.Decide, Handle: s.uiSuppress},
		{Method: get, Path: "/decisions/{id}/underlag", Perm: access.ViewAlerts, Handle: s.uiUnderlag},
		{Method: get, Path: "/report", Perm: access.ViewPersons, Handle: s.uiReport},
		{Method: get, Path: "/report/{file}", Perm: access.ViewPersons, Handle: s.uiReportFile},
		{Method: get, Path: "/precision", Perm: access.ViewAlerts, Handle: s.uiPrecision},
		{Method: get, Path: AccessibilityPath, Handle: s.uiAccessibility},
		{Method: get, Path: BacktestPath, Perm: access.Administer, Handle: s.uiBacktestForm},
		{Method: post, Path: BacktestPath, Perm: access.Administer, Handle: s.uiBacktest, MaxBody: MaxCandidateBody},
		{Method: get, Path: shadowPath, Perm: access.Administer, Handle: s.uiShadow},
		{Method: post, Path: shadowPath, Perm: access.Administer, Handle: s.uiShadowAction("shadow.set", s.uiShadowSet)},
		{Method: post, Path: shadowPath + "/clear", Perm: access.Administer, Handle: s.uiShadowAction("shadow.cleared", s.uiShadowClear)},
		{Method: post, Path: shadowPath + "/promotion", Perm: access.Administer, Handle: s.uiShadowAction("shadow.requested", s.uiShadowRequest)},
		{Method: post, Path: shadowPath + "/promotion/approve", Perm: access.Administer, Handle: s.uiShadowAction("shadow.promoted", s.uiShadowApprove)},
	} {
		rt.Handle(e.Method+" "+e.Path, s.uiPage(e))
	}
	rt.Handle("GET /static/{file...}", s.uiCommon(http.HandlerFunc(serveStatic)))
	// Anything else outside /api/: a 404 page.
	rt.Handle("/", s.uiCommon(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.uiFail(w, r, errStatus(http.StatusNotFound, "no such page"))
	})))
}

// uiPage wraps a page's handler: the permission check, then the handler,
// whose error becomes an error page.
func (s *Server) uiPage(e route) http.Handler {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := access.PrincipalFrom(r.Context())
		if len(e.AnyOf) > 0 && !slices.ContainsFunc(e.AnyOf, p.Can) {
			s.HTMLError(w, r, http.StatusForbidden, "forbidden: needs "+string(e.AnyOf[0]))
			return
		}
		if err := e.Handle(w, r, p); err != nil {
			s.uiFail(w, r, err)
		}
	})
	return s.bounded(s.guarded(e, h), e.MaxBody, s.uiAnswers())
}

// uiCommon is what every HTML answer gets: the security headers, no
// caching unless the handler says otherwise, a bounded body, and an
// error page for a panic.
func (s *Server) uiCommon(next http.Handler) http.Handler { return s.bounded(next, 0, s.uiAnswers()) }

// uiAnswers: error pages.
func (s *Server) uiAnswers() answers {
	return answers{headers: uiHeaders, tooLarge: func(w http.ResponseWriter, r *http.Request, _ int64) {
		s.uiError(w, r, http.StatusRequestEntityTooLarge, "", "")
	}, internal: func(w http.ResponseWriter, r *http.Request) {
		s.uiError(w, r, http.StatusInternalServerError, "", "")
	}}
}

// uiHeaders are the headers every page gets (a handler may say otherwise
// of the caching).
var uiHeaders = map[string]string{"Content-Security-Policy": uiCSP, "X-Content-Type-Options": "nosniff",
	"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}

// Pages: each template file but those starting with "_" (the layout and
// the partials every page gets) is one page, named by its file.
var uiPages = func() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(uiFuncs).ParseFS(uiTemplateFS, "templates/_*.html"))
	names, err := fs.Glob(uiTemplateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		b := path.Base(n)
		if strings.HasPrefix(b, "_") {
			continue
		}
		pages[strings.TrimSuffix(b, ".html")] = template.Must(template.Must(base.Clone()).ParseFS(uiTemplateFS, n))
	}
	return pages
}()

// uiFuncs are the templates' helpers that do not depend on the
// language (those that do are methods of view).
var uiFuncs = template.FuncMap{
	"join":  strings.Join,
	"add":   func(a, b int) int { return a + b },
	"has":   func(list []string, v string) bool { return slices.Contains(list, v) },
	"upper": strings.ToUpper,
	"pass":  func(v *view, x any) viewWith { return viewWith{v, x} },
	"list6": func() []string { // the ladder's steps, the gravest first
		out := make([]string, 0, len(ladder.Steps))
		for _, st := range slices.Backward(ladder.Steps) {
			out = append(out, string(st))
		}
		return out
	},
}

// viewWith passes a partial template the view and a value.
type viewWith struct {
	V *view
	X any
}

// view is what every template executes with: the frame of the page, and
// the page's own Data.
type view struct {
	Lang  string
	Title string // translated
	Nav   string // the menu entry to mark current
	User  *access.Principal
	CSRF  string // the masked CSRF token for every form's csrf_token
	Self  string // the page's GET URL, for the language switch
	Flash string // what a POST did, translated
	// Refresh, when set, sends the browser on to this URL at once (a
	// meta refresh: no script).
	Refresh string
	Asset   string // the static files' version
	Now     time.Time
	Data    any

	s *Server
}

// newView starts a page's view: its language (set from ?lang= and
// remembered), the principal and the CSRF token.
func (s *Server) newView(w http.ResponseWriter, r *http.Request, nav string, data any) *view {
	p, _ := access.PrincipalFrom(r.Context())
	v := &view{Lang: uiLang(w, r), Nav: nav, User: p, CSRF: access.CSRFToken(r), Self: selfURL(r),
		Asset: uiAssetVersion, Now: s.now(), Data: data, s: s}
	if ok := r.URL.Query().Get("ok"); ok != "" {
		if m, found := uiText["ok."+ok]; found {
			v.Flash = m.in(v.Lang)
		}
	}
	return v
}

// uiLang is the request's language: ?lang= (then remembered in a
// cookie), else the cookie's, else Swedish.
func uiLang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(uiLangs, l) {
		if c, err := r.Cookie(LangCookie); w != nil && (err != nil || c.Value != l) {
			http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		}
		return l
	}
	if c, err := r.Cookie(LangCookie); err == nil && slices.Contains(uiLangs, c.Value) {
		return c.Value
	}
	return uiLangs[0]
}

// selfURL is the request's path and query without lang and ok.
func selfURL(r *http.Request) string {
	q := r.URL.Query()
	q.Del("lang")
	q.Del("ok")
	if len(q) == 0 {
		return r.URL.Path
	}
	return r.URL.Path + "?" + q.Encode()
}

// T is the catalogue's string for key in the page's language, formatted
// with args when given.
func (v *view) T(key string, args ...any) string { return uiT(v.Lang, key, args...) }

func uiT(lang, key string, args ...any) string {
	m, ok := uiText[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if len(args) == 0 {
		return m.in(lang)
	}
	if one, ok := uiText[key+".one"]; ok && firstInt(args) == 1 {
		m = one // "1 organisation", not "1 organisationer"
	}
	return fmt.Sprintf(m.in(lang), args...)
}

// firstInt is the first whole-number argument, -1 when there is none:
// a format whose count is 1 takes its "<key>.one" form when the
// catalogue has one.
func firstInt(args []any) int {
	for _, a := range args {
		switch n := a.(type) {
		case int:
			return n
		case int64:
			return int(n)
		}
	}
	return -1
}

// L labels an enumerated value (a string, or one of the ladder's words):
// "<kind>.<value>" in the catalogue, else the value itself.
func (v *view) L(kind string, word any) string {
	value := ""
	if word != nil {
		value = fmt.Sprint(word)
	}
	if m, ok := uiText[kind+"."+value]; ok {
		return m.in(v.Lang)
	}
	if value == "" {
		return uiT(v.Lang, "value.none")
	}
	return value
}

// Msg is a rule's text in the page's language (Swedish when it has no
// English).
func (v *view) Msg(t rules.Text) string {
	if v.Lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.SV
}

// OtherLang is the language the switch offers.
func (v *view) OtherLang() string { return uiT(v.Lang, "lang.other") }

// OtherLangURL is this page in the other language.
func (v *view) OtherLangURL() string {
	u, err := url.Parse(v.Self)
	if err != nil {
		return "/?lang=" + v.OtherLang()
	}
	q := u.Query()
	q.Set("lang", v.OtherLang())
	u.RawQuery = q.Encode()
	return u.String()
}

// Can reports whether the user has a permission.
func (v *view) Can(perm string) bool { return v.User.Can(access.Permission(perm)) }

// Ref is an identifier that begins with an organisation's number (the
// number, an alert's or a decision's id) as a link of the page has it:
// sealed when the user may not see the number (personal.go).
func (v *view) Ref(id string) string {
	if len(id) < 10 {
		return id
	}
	return ref(v.User, id[:10], id)
}

// RoleLabels names the user's roles.
func (v *view) RoleLabels() string {
	if v.User == nil {
		return ""
	}
	var out []string
	for _, r := range v.User.Roles {
		out = append(out, v.L("role", string(r)))
	}
	return strings.Join(out, ", ")
}

// UserName is a user's display name, the engine's in words, or the id.
func (v *view) UserName(id string) string {
	switch id {
	case "":
		return uiT(v.Lang, "value.nobody")
	case review.System:
		return uiT(v.Lang, "hist.system")
	}
	if v.s != nil && v.s.Guard != nil && v.s.Guard.Dir != nil {
		if u, ok := v.s.Guard.Dir.User(id); ok && u.Name != "" {
			return u.Name
		}
	}
	return id
}

// Date is a day in Swedish time (ISO 8601), "–" for none.
func (v *view) Date(t time.Time) string {
	if t.IsZero() {
		return uiT(v.Lang, "value.none")
	}
	return t.In(record.Stockholm).Format(time.DateOnly)
}

// DateTime is a time to the minute in Swedish time.
func (v *view) DateTime(t time.Time) string {
	if t.IsZero() {
		return uiT(v.Lang, "value.none")
	}
	return t.In(record.Stockholm).Format("2006-01-02 15:04")
}

// ISO is a time for a <time datetime>.
func (v *view) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Score is a score with at most one decimal, a decimal comma in Swedish.
func (v *view) Score(f float64) string { return uiDecimal(v.Lang, f) }

func uiDecimal(lang string, f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if lang == "sv" {
		s = strings.Replace(s, ".", ",", 1)
		s = strings.Replace(s, "-", "−", 1)
	}
	return s
}

// Int is a whole number with thousands separated.
func (v *view) Int(n int64) string { return uiInt(v.Lang, n) }

func uiInt(lang string, n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	d := strconv.FormatInt(n, 10)
	sep := ","
	if lang == "sv" {
		sep = "\u00a0"
	}
	var b strings.Builder
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		if lang == "sv" {
			return "−" + b.String()
		}
		return "-" + b.String()
	}
	return b.String()
}

// SEK is an amount of kronor.
func (v *view) SEK(n int64) string { return uiSEK(v.Lang, n) }

func uiSEK(lang string, n int64) string {
	if lang == "sv" {
		return uiInt(lang, n) + "\u00a0kr"
	}
	return "SEK\u00a0" + uiInt(lang, n)
}

// Bytes is a file's size in bytes, kB or MB (of 1024).
func (v *view) Bytes(n int) string {
	switch {
	case n < 1<<10:
		return uiT(v.Lang, "bytes.b", n)
	case n < 1<<20:
		return uiT(v.Lang, "bytes.kb", uiDecimal(v.Lang, float64(n)/(1<<10)))
	}
	return uiT(v.Lang, "bytes.mb", uiDecimal(v.Lang, float64(n)/(1<<20)))
}

// Pct is a share as a percentage.
func (v *view) Pct(f float64) string { return uiDecimal(v.Lang, f*100) + "\u00a0%" }

// render writes a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	if v.Title == "" {
		v.Title = v.T("app.name")
	}
	t, ok := uiPages[name]
	var buf bytes.Buffer
	err := fmt.Errorf("no page %q", name)
	if ok {
		err = t.ExecuteTemplate(&buf, "layout", v)
	}
	if err != nil {
		s.log().ErrorContext(r.Context(), "web: rendering a page", "page", name, "route", r.Pattern, "err", err)
		if name != "error" {
			s.uiError(w, r, http.StatusInternalServerError, "", "")
			return
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body := buf.Bytes()
	if !v.User.Can(access.ViewPersons) {
		body = []byte(maskText(buf.String())) // personal.go
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// seeOther is the redirect after a successful POST: to path, saying
// what was done (ok, a key of "ok.*"), at an anchor of the page.
func seeOther(w http.ResponseWriter, r *http.Request, path, ok, anchor string) {
	u := path
	if ok != "" {
		u += "?ok=" + url.QueryEscape(ok)
	}
	if anchor != "" {
		u += "#" + anchor
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Text    string // what went wrong, in the page's language
	Detail  string // the technical detail, in English, when there is one
	Login   bool   // offer the sign-in page
	LoginTo string
}

// HTMLError is the UI's error page for access.Guard.HTMLError: the 401
// and 403 answers to browsers in the user's language. uiRoutes installs
// it on the guard when the guard has none.
func (s *Server) HTMLError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	lang := uiLang(nil, r)
	text := ""
	switch {
	case status == http.StatusUnauthorized:
		text = uiT(lang, "err.unauth")
	case msg == "csrf token missing or wrong" || msg == "cross-site request refused":
		text = uiT(lang, "err.csrf")
	case strings.HasPrefix(msg, "forbidden: needs "):
		perm := strings.TrimPrefix(msg, "forbidden: needs ")
		label := perm
		if m, ok := uiText["perm."+perm]; ok {
			label = m.in(lang)
		}
		text = uiT(lang, "err.forbidden", label)
	}
	s.uiError(w, r, status, text, "")
}

// uiError writes the error page; text "" says what the status says.
func (s *Server) uiError(w http.ResponseWriter, r *http.Request, status int, text, detail string) {
	r = s.signedIn(r) // a page outside Require (404): show who is signed in
	v := s.newView(w, r, "", nil)
	v.Self = "/"
	if _, ok := uiText["err."+strconv.Itoa(status)]; !ok {
		status = http.StatusInternalServerError
	}
	v.Title = v.T("err." + strconv.Itoa(status))
	if text == "" {
		switch status {
		case http.StatusNotFound:
			text = v.T("err.notfound")
		case http.StatusConflict:
			text = v.T("err.state")
		case http.StatusUnauthorized:
			text = v.T("err.unauth")
		case http.StatusRequestEntityTooLarge:
			text = v.T("err.toolarge")
		default:
			text = v.T("err.internal")
		}
	}
	ep := errorPage{Status: status, Text: text, Detail: detail, Login: v.User == nil}
	if ep.Login {
		ep.LoginTo = LoginPath
		if r.Method == http.MethodGet && r.URL.Path != LoginPath && !strings.HasPrefix(r.URL.Path, LoginPath+"/") {
			ep.LoginTo += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
	}
	v.Data = ep
	s.render(w, r, status, "error", v)
}

// uiFail answers an error with the error page: a handler's own
// (*apiError), review's (400 naming the fields, 403 four eyes, 404, 409
// wrong state), 413, else 500, logged.
func (s *Server) uiFail(w http.ResponseWriter, r *http.Request, err error) {
	lang := uiLang(nil, r)
	var (
		ae  *apiError
		mbe *http.MaxBytesError
	)
	switch fes := fieldErrors(err); {
	case errors.As(err, &ae):
		text := ""
		if ae.status == http.StatusBadRequest {
			text = uiT(lang, "err.badinput", ae.Error())
		}
		s.uiError(w, r, ae.status, text, "")
	case len(fes) > 0:
		var msgs []string
		for _, fe := range fes {
			msgs = append(msgs, fe.Field+": "+fieldProblemText(lang, fe))
		}
		s.uiError(w, r, http.StatusBadRequest, uiT(lang, "err.badinput", strings.Join(msgs, "; ")), "")
	case errors.As(err, &mbe):
		s.uiError(w, r, http.StatusRequestEntityTooLarge, "", "")
	case errors.Is(err, review.ErrForbidden):
		s.uiError(w, r, http.StatusForbidden, refusalText(lang, err), "")
	case errors.Is(err, review.ErrState):
		s.uiError(w, r, http.StatusConflict, refusalText(lang, err), err.Error())
	case errors.Is(err, review.ErrNotFound), errors.Is(err, store.ErrNotFound):
		s.uiError(w, r, http.StatusNotFound, "", "")
	default:
		s.log().ErrorContext(r.Context(), "web: page failed", "route", r.Pattern, "err", err)
		s.uiError(w, r, http.StatusInternalServerError, "", "")
	}
}

// refusalText is the text of a review.Refusal's code ("err.<code>" in
// uiText), "" for the status's own text when the code has none.
func refusalText(lang string, err error) string {
	var rf *review.Refusal
	if !errors.As(err, &rf) {
		return ""
	}
	if _, ok := uiText["err."+rf.Code]; !ok {
		return ""
	}
	return uiT(lang, "err."+rf.Code)
}

// fieldProblemText is a review.FieldError's problem in the language: the
// text of its code ("fe." + code in uiText) with its arguments, else the
// English problem as it is.
func fieldProblemText(lang string, fe *review.FieldError) string {
	if _, ok := uiText["fe."+fe.Code]; ok && fe.Code != "" {
		return uiT(lang, "fe."+fe.Code, fe.Args...)
	}
	return uiT(lang, "fe.other", fe.Problem)
}

// Codes of the problems the pages find themselves (review.FieldError).
const (
	codeDate    = "date"     // not a date
	codeNotUser = "not_user" // not a user who works alerts
)

// Static files, with their version (a hash of them all) for the pages'
// links: a link with the current version is cached for a year.
type uiAsset struct {
	data        []byte
	ctype, etag string
}

var uiAssets, uiAssetVersion = func() (map[string]uiAsset, string) {
	out := map[string]uiAsset{}
	all := sha256.New()
	err := fs.WalkDir(uiStaticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := uiStaticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		all.Write([]byte(p))
		all.Write(sum[:])
		ctype := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case "", ".md": // a vendored package's LICENSE and README
			ctype = "text/plain; charset=utf-8"
		}
		out[strings.TrimPrefix(p, "static/")] = uiAsset{data: data, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return out, hex.EncodeToString(all.Sum(nil)[:6])
}()

// serveStatic serves a static file: cached a year when the link names
// the current version, an hour otherwise; ETag for revalidation.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := uiAssets[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("ETag", a.etag)
	if r.URL.Query().Get("v") == uiAssetVersion {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
}
