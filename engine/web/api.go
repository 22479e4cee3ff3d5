package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/strictjson"
)

// MaxBody is the largest request body the API reads: 1 MiB.
const MaxBody = 1 << 20

// APIPrefix starts every API path.
const APIPrefix = "/api/v1/"

// route is one API endpoint.
type route struct {
	Method, Path string
	// Perm is what Require checks ("" for a public route); AnyOf, when
	// set, is checked after it: one of them must be granted.
	Perm   access.Permission
	AnyOf  []access.Permission
	Handle func(w http.ResponseWriter, r *http.Request, p *access.Principal) error
	// MaxBody, when set, is the route's limit of the request body instead
	// of MaxBody; a request that declares a longer one is refused (413)
	// before anything reads it.
	MaxBody int64
}

// apiRoutes lists the API's endpoints. Each is described in openapi.yaml
// (a test holds them to it).
func (s *Server) apiRoutes(rt *router) {
	probe := http.NewServeMux()
	for _, e := range s.api() {
		pattern := e.Method + " " + e.Path
		rt.Handle(pattern, s.endpoint(e))
		probe.Handle(pattern, http.NotFoundHandler())
	}
	// Anything else under /api/ answers in JSON: 405 with Allow for a
	// path served with other methods, else 404.
	rt.Handle("/api/", s.common(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			q := r.Clone(r.Context())
			q.Method = m
			if _, pattern := probe.Handler(q); pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "method " + r.Method + " not allowed; allowed: " + strings.Join(allow, ", ")})
			return
		}
		writeJSON(w, http.StatusNotFound, errorBody{Error: "no such endpoint; see " + APIPrefix + "openapi.yaml"})
	})))
}

func (s *Server) api() []route {
	const (
		get, post = http.MethodGet, http.MethodPost
		v1        = "/api/v1"
	)
	return []route{
		{Method: post, Path: v1 + "/login", Handle: s.login},
		{Method: post, Path: v1 + "/logout", Perm: access.Authenticated, Handle: s.logout},
		{Method: get, Path: v1 + "/me", Perm: access.Authenticated, Handle: s.me},
		{Method: get, Path: v1 + "/openapi.yaml", Handle: s.openapi},

		{Method: get, Path: v1 + "/alerts", Perm: access.ViewAlerts, Handle: s.alerts},
		{Method: get, Path: v1 + "/alerts/{id}", Perm: access.ViewAlerts, Handle: s.getAlert},
		{Method: post, Path: v1 + "/alerts/bulk/assign", Perm: access.Assign, Handle: s.bulkAPI(bulkAssign)},
		{Method: post, Path: v1 + "/alerts/bulk/snooze", Perm: access.Decide, Handle: s.bulkAPI(bulkSnooze)},
		{Method: post, Path: v1 + "/alerts/bulk/close", Perm: access.Decide, Handle: s.bulkAPI(bulkClose)},
		{Method: post, Path: v1 + "/alerts/{id}/assign", Perm: access.Assign, Handle: s.assignAlert},
		{Method: post, Path: v1 + "/alerts/{id}/close", Perm: access.Decide, Handle: s.closeAlert},
		{Method: get, Path: v1 + "/alerts/{id}/comments", Perm: access.ViewAlerts, Handle: s.listComments},
		{Method: post, Path: v1 + "/alerts/{id}/comments", Perm: access.Authenticated,
			AnyOf: []access.Permission{access.Assign, access.Decide}, Handle: s.addComment},
		{Method: post, Path: v1 + "/alerts/{id}/decisions", Perm: access.Decide, Handle: s.decide},

		{Method: get, Path: v1 + "/decisions", Perm: access.ViewAlerts, Handle: s.listDecisions},
		{Method: get, Path: v1 + "/decisions/{id}", Perm: access.ViewAlerts, Handle: s.getDecision},
		{Method: post, Path: v1 + "/decisions/{id}/approve", Perm: access.Approve, Handle: s.approve},
		{Method: post, Path: v1 + "/decisions/{id}/reject", Perm: access.Approve, Handle: s.reject},
		{Method: post, Path: v1 + "/decisions/{id}/hearing", Perm: access.Decide, Handle: s.informHearing},
		{Method: post, Path: v1 + "/decisions/{id}/hearing/response", Perm: access.Decide, Handle: s.hearingResponse,
			MaxBody: MaxHearingBody},
		{Method: get, Path: v1 + "/decisions/{id}/attachments/{n}", Perm: access.ViewPersons, Handle: s.getAttachment},

		{Method: get, Path: v1 + "/suppliers", Perm: access.ViewAlerts, Handle: s.searchSuppliers},
		{Method: get, Path: v1 + "/suppliers/{orgnr}", Perm: access.ViewAlerts, Handle: s.getSupplier},
		{Method: get, Path: v1 + "/suppliers/{orgnr}/records", Perm: access.ViewPersons, Handle: s.supplierRecords},
		{Method: get, Path: v1 + "/suppliers/{orgnr}/network", Perm: access.ViewAlerts, Handle: s.supplierNetwork},
		{Method: get, Path: v1 + "/suppliers/{orgnr}/sanctions/judgements", Perm: access.ViewAlerts, Handle: s.listJudgements},
		{Method: post, Path: v1 + "/suppliers/{orgnr}/sanctions/judgements", Perm: access.Decide, Handle: s.postJudgement},
		{Method: get, Path: v1 + "/suppliers/{orgnr}/suppressions", Perm: access.ViewAlerts, Handle: s.listSuppressions},
		{Method: post, Path: v1 + "/suppliers/{orgnr}/suppressions", Perm: access.Decide, Handle: s.postSuppression},
		{Method: get, Path: v1 + "/sanctions/search", Perm: access.ViewAlerts, Handle: s.searchSanctions},
		{Method: get, Path: v1 + "/report", Perm: access.ViewPersons, Handle: s.getReport},
		{Method: get, Path: v1 + "/indicators/precision", Perm: access.ViewAlerts, Handle: s.indicatorPrecision},

		{Method: post, Path: v1 + "/screen", Perm: access.Decide, Handle: s.screen},
		{Method: get, Path: v1 + "/audit", Perm: access.Administer, Handle: s.listAudit},

		{Method: get, Path: v1 + "/rules/shadow", Perm: access.Administer, Handle: s.getShadow},
		{Method: http.MethodPut, Path: v1 + "/rules/shadow", Perm: access.Administer, Handle: s.putShadow},
		{Method: http.MethodDelete, Path: v1 + "/rules/shadow", Perm: access.Administer, Handle: s.deleteShadow},
		{Method: post, Path: v1 + "/rules/shadow/promotion", Perm: access.Administer, Handle: s.requestPromotion},
		{Method: post, Path: v1 + "/rules/shadow/promotion/approve", Perm: access.Administer, Handle: s.approvePromotion},
	}
}

// endpoint wraps an API handler: the permission check, then the handler,
// whose error becomes the JSON answer.
func (s *Server) endpoint(e route) http.Handler {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := access.PrincipalFrom(r.Context())
		if len(e.AnyOf) > 0 && !slices.ContainsFunc(e.AnyOf, p.Can) {
			var names []string
			for _, perm := range e.AnyOf {
				names = append(names, string(perm))
			}
			writeJSON(w, http.StatusForbidden, errorBody{Error: "forbidden: needs " + strings.Join(names, " or ")})
			return
		}
		// What a principal without view_persons is answered is masked
		// (personal.go); a panic's answer is bounded's.
		var masked *maskedWriter
		if !p.Can(access.ViewPersons) {
			masked = &maskedWriter{ResponseWriter: w}
			w = masked
		}
		if err := e.Handle(w, r, p); err != nil {
			s.fail(w, r, err)
		}
		if masked != nil {
			masked.flush()
		}
	})
	return s.bounded(s.guarded(e, h), e.MaxBody, s.apiAnswers())
}

// guarded is h behind the route's permission, if it has one.
func (s *Server) guarded(e route, h http.Handler) http.Handler {
	if e.Perm != "" {
		return s.Guard.Require(e.Perm, h)
	}
	return h
}

// common is what every API answer gets: no caching, no sniffing, a
// bounded body, and a JSON 500 for a panic.
func (s *Server) common(next http.Handler) http.Handler { return s.bounded(next, 0, s.apiAnswers()) }

// answers are what an area (the API, the pages) sets on every answer,
// and how it answers a body that is too large and a panic.
type answers struct {
	headers  map[string]string
	tooLarge func(w http.ResponseWriter, r *http.Request, limit int64)
	internal http.HandlerFunc
}

// apiAnswers: JSON.
func (s *Server) apiAnswers() answers {
	return answers{headers: apiHeaders, tooLarge: func(w http.ResponseWriter, r *http.Request, limit int64) {
		writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: fmt.Sprintf("body: over %d bytes", limit), Field: "body"})
	}, internal: func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal error"})
	}}
}

// apiHeaders are the headers every API answer gets.
var apiHeaders = map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}

// bounded is what every answer, the API's and the pages', gets: the
// area's headers, a body bounded by limit (0: MaxBody) and refused when
// it says it is larger (before the guard reads a form's CSRF token from
// it: the user is told the form was too large, not that it expired), and
// a panic logged and answered.
func (s *Server) bounded(next http.Handler, limit int64, a answers) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range a.headers {
			h.Set(k, v)
		}
		if limit > 0 && r.ContentLength > limit {
			a.tooLarge(w, r, limit)
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, cmp.Or(limit, MaxBody))
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				// The pattern, not the path: a path may hold a sole
				// trader's personnummer.
				s.log().ErrorContext(r.Context(), "web: panic", "route", r.Pattern, "panic", v, "stack", string(debug.Stack()))
				a.internal(w, r)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// errorBody is every error answer.
type errorBody struct {
	Error    string         `json:"error"`
	Field    string         `json:"field,omitempty"`
	Problems []fieldProblem `json:"problems,omitempty"` // every problem found, when more than one
	// Assessment: a pre-award check of an organisation the register does
	// not know (404) still answers with its assessment.
	Assessment *screening.Assessment `json:"assessment,omitempty"`
}

type fieldProblem struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// apiError is an answer other than 200 that a handler chose.
type apiError struct {
	status     int
	field      string
	msg        string
	problems   []fieldProblem
	assessment *screening.Assessment
}

func (e *apiError) Error() string {
	if e.field != "" {
		return e.field + ": " + e.msg
	}
	return e.msg
}

// badField is a 400 naming the field (a JSON field or query parameter).
func badField(field, format string, a ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, field: field, msg: fmt.Sprintf(format, a...)}
}

func errStatus(status int, format string, a ...any) *apiError {
	return &apiError{status: status, msg: fmt.Sprintf(format, a...)}
}

// fail answers an error: a handler's own (*apiError); review's (400 for
// bad input, naming the field, 403 forbidden, 404, 409 wrong state); a
// pre-award check's (*bus.RequestError: its code); 500 for anything
// else, logged.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ae  *apiError
		re  *bus.RequestError
		mbe *http.MaxBytesError
	)
	switch fes := fieldErrors(err); {
	case errors.As(err, &ae):
		writeJSON(w, ae.status, errorBody{Error: ae.Error(), Field: ae.field, Problems: ae.problems, Assessment: ae.assessment})
	case len(fes) > 0:
		b := errorBody{Field: fes[0].Field}
		var msgs []string
		for _, fe := range fes {
			msgs = append(msgs, fe.Field+": "+fe.Problem)
			b.Problems = append(b.Problems, fieldProblem{fe.Field, fe.Problem})
		}
		if len(b.Problems) == 1 {
			b.Problems = nil
		}
		b.Error = strings.Join(msgs, "; ")
		writeJSON(w, http.StatusBadRequest, b)
	case errors.As(err, &re):
		writeJSON(w, re.Code, errorBody{Error: re.Error(), Field: re.Field})
	case errors.As(err, &mbe):
		writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: fmt.Sprintf("body: over %d bytes", mbe.Limit), Field: "body"})
	case errors.Is(err, review.ErrForbidden):
		writeJSON(w, http.StatusForbidden, errorBody{Error: err.Error()})
	case errors.Is(err, review.ErrState):
		writeJSON(w, http.StatusConflict, errorBody{Error: err.Error()})
	case errors.Is(err, review.ErrNotFound), errors.Is(err, store.ErrNotFound):
		writeJSON(w, http.StatusNotFound, errorBody{Error: err.Error()})
	default:
		s.log().ErrorContext(r.Context(), "web: request failed", "route", r.Pattern, "err", err)
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal error"})
	}
}

// fieldErrors finds review's field errors in err, however joined.
func fieldErrors(err error) []*review.FieldError {
	var out []*review.FieldError
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case nil:
		case *review.FieldError:
			out = append(out, x)
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	return out
}

// writeJSON writes v as the answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"internal error: encoding the answer"}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// decodeBody reads a JSON object into v, refusing unknown fields, wrong
// types, trailing data and other media types; every refusal names the
// field ("body" for the body as a whole). An empty body is {} when
// emptyOK, else refused.
func decodeBody(r *http.Request, v any, emptyOK bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &apiError{status: http.StatusUnsupportedMediaType, field: "Content-Type",
				msg: fmt.Sprintf("%s: want application/json", excerpt.Quote(ct))}
		}
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badField("body", "could not be read: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if emptyOK {
			return nil
		}
		return badField("body", "empty: want a JSON object")
	}
	if err := strictjson.Decode(data, v); err != nil {
		return jsonError(err)
	}
	return nil
}

// jsonError names the field a decoding error is about ("body" for the
// body as a whole).
func jsonError(err error) error {
	field, msg := strictjson.Problem(err)
	return badField(cmp.Or(field, "body"), "%s", msg)
}

// queryParams parses the query, refusing parameters not in allowed and
// any given twice.
func queryParams(r *http.Request, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badField("query", "cannot be parsed: %v", err)
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch {
		case !slices.Contains(allowed, k):
			return nil, badField(k, "unknown query parameter; known: %s", strings.Join(allowed, ", "))
		case len(q[k]) > 1:
			return nil, badField(k, "given %d times", len(q[k]))
		}
	}
	return q, nil
}

// intParam reads an integer query parameter between lo and hi.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badField(name, "%s is not a whole number from %d to %d", excerpt.Quote(v), lo, hi)
	}
	return n, nil
}

// Pagination of lists.
const (
	DefaultPerPage = 50
	MaxPerPage     = 200
)

// pageInfo says which part of a list an answer holds.
type pageInfo struct {
	Total   int   `json:"total"`
	Page    int   `json:"page"`
	PerPage int   `json:"per_page"`
	Pages   int   `json:"pages"`
	Links   links `json:"links"`
}

// links are the list's pages, as paths with their query.
type links struct {
	Self  string `json:"self"`
	First string `json:"first"`
	Last  string `json:"last"`
	Next  string `json:"next,omitempty"`
	Prev  string `json:"prev,omitempty"`
}

// paging reads page and per_page.
func paging(q url.Values) (page, perPage int, err error) {
	if page, err = intParam(q, "page", 1, 1, 1<<30); err != nil {
		return 0, 0, err
	}
	perPage, err = intParam(q, "per_page", DefaultPerPage, 1, MaxPerPage)
	return page, perPage, err
}

// paginate returns the bounds of the page within a list of total items
// and what the answer says of it; it also sets the Link header.
func paginate(w http.ResponseWriter, r *http.Request, q url.Values, page, perPage, total int) (lo, hi int, info pageInfo) {
	pages := max(1, (total+perPage-1)/perPage)
	at := func(n int) string {
		c := url.Values{}
		for k, v := range q {
			c[k] = v
		}
		c.Set("page", strconv.Itoa(n))
		c.Set("per_page", strconv.Itoa(perPage))
		return r.URL.Path + "?" + c.Encode()
	}
	info = pageInfo{Total: total, Page: page, PerPage: perPage, Pages: pages,
		Links: links{Self: at(page), First: at(1), Last: at(pages)}}
	if page < pages {
		info.Links.Next = at(page + 1)
	}
	if page > 1 {
		info.Links.Prev = at(min(page-1, pages))
	}
	var hdr []string
	for _, l := range []struct{ rel, url string }{{"next", info.Links.Next}, {"prev", info.Links.Prev},
		{"first", info.Links.First}, {"last", info.Links.Last}} {
		if l.url != "" {
			hdr = append(hdr, "<"+l.url+`>; rel="`+l.rel+`"`)
		}
	}
	w.Header().Set("Link", strings.Join(hdr, ", "))
	lo = min((page-1)*perPage, total)
	hi = min(lo+perPage, total)
	return lo, hi, info
}

// splitList splits a comma-separated parameter, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// body reads a request's JSON body as a T (decodeBody; emptyOK allows
// none), after checking that the query has no parameters.
func body[T any](r *http.Request, emptyOK bool) (T, error) {
	var req T
	if _, err := queryParams(r); err != nil {
		return req, err
	}
	return req, decodeBody(r, &req, emptyOK)
}

// reply writes v with the status, unless err, which it returns.
func reply(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, v)
	return nil
}
