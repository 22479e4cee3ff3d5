package bolagsverket

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ident"
)

// Bolagsverket's fel.typ values.
const (
	FelFinnsEj                  = "ORGANISATION_FINNS_EJ"
	FelOgiltigBegaran           = "OGILTIG_BEGARAN"
	FelOtillgangligUppgiftskall = "OTILLGANGLIG_UPPGIFTSKALLA"
	FelTimeout                  = "TIMEOUT"
)

var felText = map[string]string{
	FelFinnsEj:                  "Begärd organisation finns inte registrerad i sökbar form.",
	FelOgiltigBegaran:           "Ogiltig begäran.",
	FelOtillgangligUppgiftskall: "Uppgiftskällan är inte tillgänglig.",
	FelTimeout:                  "Uppgiftskällan svarade inte i tid.",
}

// wrapperFields are the organisation's fields that are wrappers carrying
// their own dataproducent and fel, with the producer of each.
var wrapperFields = map[string]string{
	"organisationsnamn":                                  "Bolagsverket",
	"organisationsform":                                  "Bolagsverket",
	"avregistreradOrganisation":                          "Bolagsverket",
	"avregistreringsorsak":                               "Bolagsverket",
	"pagaendeAvvecklingsEllerOmstruktureringsforfarande": "Bolagsverket",
	"juridiskForm":                                       "SCB",
	"verksamOrganisation":                                "SCB",
	"organisationsdatum":                                 "Bolagsverket",
	"verksamhetsbeskrivning":                             "Bolagsverket",
	"naringsgrenOrganisation":                            "SCB",
	"postadressOrganisation":                             "Bolagsverket",
}

// APIPath is where the fake serves the API under its URL, as the real
// gateway does.
const APIPath = "/vardefulla-datamangder/v1"

// FakeData is what a Fake serves: organisation objects by organisation
// number (several for a sole trader, told apart by namnskyddslopnummer)
// and document lists. It is not safe for concurrent use: give it to
// NewFake, then change it through the Fake.
type FakeData struct {
	orgs map[string][]json.RawMessage
	docs map[string]json.RawMessage
}

// NewFakeData returns empty data.
func NewFakeData() *FakeData {
	return &FakeData{orgs: map[string][]json.RawMessage{}, docs: map[string]json.RawMessage{}}
}

// Orgs lists the organisation numbers held, sorted.
func (d *FakeData) Orgs() []string {
	out := make([]string, 0, len(d.orgs))
	for k := range d.orgs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// AddResponses reads API responses, {"organisationer":[...]}, one after
// the other (one a line, as engine/synthetic writes them under
// bolagsverket/*.jsonl, or pretty-printed). An organisation in a later
// response replaces what was held for its number, so snapshot files read
// oldest first leave the newest.
func (d *FakeData) AddResponses(r io.Reader) error {
	dec := json.NewDecoder(r)
	for n := 1; ; n++ {
		var resp struct {
			Organisationer []json.RawMessage `json:"organisationer"`
		}
		if err := dec.Decode(&resp); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("bolagsverket fake: response %d: %w", n, err)
		}
		got := map[string][]json.RawMessage{}
		for _, o := range resp.Organisationer {
			k, err := orgKey(o)
			if err != nil {
				return fmt.Errorf("bolagsverket fake: response %d: %w", n, err)
			}
			got[k] = append(got[k], compact(o))
		}
		for k, v := range got {
			d.orgs[k] = v
		}
	}
}

// AddOrganisation adds one organisation object (an element of the API's
// "organisationer"); a sole trader's businesses are added one by one.
func (d *FakeData) AddOrganisation(obj json.RawMessage) error {
	k, err := orgKey(obj)
	if err != nil {
		return err
	}
	d.orgs[k] = append(d.orgs[k], compact(obj))
	return nil
}

// SetDokumentlista sets the response of /dokumentlista for org, a
// {"dokument":[...]} document.
func (d *FakeData) SetDokumentlista(org ident.Org, body json.RawMessage) error {
	if !json.Valid(body) {
		return fmt.Errorf("bolagsverket fake: dokumentlista for %s is not JSON", org.Redacted())
	}
	d.docs[org.String()] = compact(body)
	return nil
}

func orgKey(obj json.RawMessage) (string, error) {
	var o struct {
		ID *struct {
			Identitetsbeteckning string `json:"identitetsbeteckning"`
		} `json:"organisationsidentitet"`
	}
	if err := json.Unmarshal(obj, &o); err != nil {
		return "", fmt.Errorf("bolagsverket fake: organisation: %w", err)
	}
	if o.ID == nil || strings.TrimSpace(o.ID.Identitetsbeteckning) == "" {
		return "", errors.New("bolagsverket fake: organisation without organisationsidentitet.identitetsbeteckning")
	}
	return requestKey(o.ID.Identitetsbeteckning), nil
}

// requestKey is the number an identity is held under: the 10-digit form
// when it parses, else the text as given.
func requestKey(id string) string {
	if o, err := ident.ParseOrg(id); err == nil {
		return o.String()
	}
	return strings.TrimSpace(id)
}

func compact(b []byte) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return append(json.RawMessage(nil), b...)
	}
	return buf.Bytes()
}

// LoadFakeData reads a directory laid out as engine/synthetic writes it:
// bolagsverket/*.jsonl (API responses, read in name order, so the newest
// snapshot wins) and bolagsverket-dokument/<orgnr>.json (document lists).
// Either may be missing.
func LoadFakeData(dir string) (*FakeData, error) {
	d := NewFakeData()
	files, err := filepath.Glob(filepath.Join(dir, "bolagsverket", "*.jsonl"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		err = d.AddResponses(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	docs, err := filepath.Glob(filepath.Join(dir, "bolagsverket-dokument", "*.json"))
	if err != nil {
		return nil, err
	}
	for _, name := range docs {
		org, err := ident.ParseOrg(strings.TrimSuffix(filepath.Base(name), ".json"))
		if err != nil {
			return nil, fmt.Errorf("%s: file name: %w", name, err)
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if err := d.SetDokumentlista(org, b); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return d, nil
}

// LoadFake starts a fake serving LoadFakeData(dir).
func LoadFake(dir string, cfg FakeConfig) (*Fake, error) {
	d, err := LoadFakeData(dir)
	if err != nil {
		return nil, err
	}
	cfg.Data = d
	return NewFake(cfg), nil
}

// FakeConfig configures a Fake.
type FakeConfig struct {
	// ClientID and ClientSecret are the credentials the token endpoint
	// accepts (defaults "vaksam" and "hemligt").
	ClientID, ClientSecret string
	// Clock is what tokens expire and the rate limit counts on; default
	// the wall clock. Give the client's ManualClock in tests.
	Clock connectors.Clock
	Data  *FakeData
	// RatePerMinute is the limit per client (default 60); requests over
	// it get 429 with Retry-After.
	RatePerMinute int
	// TokenTTL is how long a token lives (default one hour).
	TokenTTL time.Duration
	Log      *slog.Logger
}

// FakeStats counts what a Fake did.
type FakeStats struct {
	TokenRequests int // token endpoint calls, granted or not
	TokensIssued  int
	Requests      int // API calls (isalive, organisationer, dokumentlista)
	Unauthorized  int // 401: no, unknown or expired token
	RateLimited   int // 429 because the client went over the rate limit
	Forced429     int // 429 from Force429
	Failed        int // 5xx from FailNext
	BadRequests   int // 400
	OK            int // 200
}

// Fake is an in-process Bolagsverket: token endpoint, the API's three
// calls, its quirks, its rate limit, and failures switched on at run time.
// Its methods are safe for concurrent use.
type Fake struct {
	// URL is the API's base URL (Config.BaseURL), TokenURL the token
	// endpoint (Config.TokenURL).
	URL, TokenURL string

	srv    *httptest.Server
	cfg    FakeConfig
	clock  connectors.Clock
	log    *slog.Logger
	mux    *http.ServeMux
	mu     sync.Mutex
	data   *FakeData
	tokens map[string]fakeToken
	window map[string][]time.Time // per client: times of requests in the last minute
	stats  FakeStats

	failN, failStatus int
	slowN             int
	slow, delay       time.Duration
	force429N         int
	force429After     time.Duration
	malformed         map[string]bool
	noIdentity        map[string]bool
	fel               map[string][]felKnob
}

type fakeToken struct {
	client  string
	scopes  []string
	expires time.Time
}

type felKnob struct{ field, typ string }

// NewFake starts a fake on a loopback port; Close stops it.
func NewFake(cfg FakeConfig) *Fake {
	f := newFake(cfg)
	f.srv = httptest.NewServer(f.mux)
	f.URL = f.srv.URL + APIPath
	f.TokenURL = f.srv.URL + "/oauth2/token"
	return f
}

func newFake(cfg FakeConfig) *Fake {
	if cfg.ClientID == "" {
		cfg.ClientID = "vaksam"
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = "hemligt"
	}
	if cfg.RatePerMinute <= 0 {
		cfg.RatePerMinute = RequestsPerMinute
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = time.Hour
	}
	f := &Fake{
		cfg:        cfg,
		clock:      cfg.Clock,
		log:        cfg.Log,
		data:       cfg.Data,
		tokens:     map[string]fakeToken{},
		window:     map[string][]time.Time{},
		malformed:  map[string]bool{},
		noIdentity: map[string]bool{},
		fel:        map[string][]felKnob{},
	}
	if f.clock == nil {
		// Nothing below cmd/ reads the wall clock: the caller passes it.
		panic("bolagsverket: fake: FakeConfig.Clock is required")
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.data == nil {
		f.data = NewFakeData()
	}
	f.mux = http.NewServeMux()
	f.mux.HandleFunc("POST /oauth2/token", f.token)
	f.mux.HandleFunc("GET "+APIPath+"/isalive", f.api(ScopePing, f.isAlive))
	f.mux.HandleFunc("POST "+APIPath+"/organisationer", f.api(ScopeRead, f.organisationer))
	f.mux.HandleFunc("POST "+APIPath+"/dokumentlista", f.api(ScopeRead, f.dokumentlista))
	return f
}

// Close stops the server.
func (f *Fake) Close() {
	if f.srv != nil {
		f.srv.Close()
	}
}

// ClientID and ClientSecret are the credentials the fake accepts.
func (f *Fake) ClientID() string     { return f.cfg.ClientID }
func (f *Fake) ClientSecret() string { return f.cfg.ClientSecret }

// Stats returns the counts so far.
func (f *Fake) Stats() FakeStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}

// AddOrganisation adds an organisation object at run time.
func (f *Fake) AddOrganisation(obj json.RawMessage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.data.AddOrganisation(obj)
}

// FailNext makes the next n API calls answer status (a 5xx) with a
// problem body.
func (f *Fake) FailNext(n, status int) {
	if status < 500 || status > 599 {
		panic(fmt.Sprintf("bolagsverket fake: FailNext wants a 5xx, got %d", status))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failN, f.failStatus = n, status
}

// SetDelay makes every API call wait d before answering (0: none). The
// wait is in real time, not on the fake's clock, because it stands for a
// slow network that the client's per-attempt timeout (real time) cuts
// short; it ends early when the client gives up on the request.
func (f *Fake) SetDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// SlowNext makes the next n API calls wait d (real time) before answering,
// as SetDelay.
func (f *Fake) SlowNext(n int, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slowN, f.slow = n, d
}

// Force429 makes the next n API calls answer 429 with Retry-After (whole
// seconds, at least 1).
func (f *Fake) Force429(n int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.force429N, f.force429After = n, retryAfter
}

// SetMalformed makes the answers about org (organisationer and
// dokumentlista) truncated JSON with status 200, or normal again.
func (f *Fake) SetMalformed(org ident.Org, on bool) {
	f.setFlag(f.malformed, org, on)
}

// SetFel makes /organisationer about org carry a fel of type typ
// (OTILLGANGLIG_UPPGIFTSKALLA, TIMEOUT, OGILTIG_BEGARAN,
// ORGANISATION_FINNS_EJ): in the wrapper field named (its content
// replaced by the error, as the API does), or at the organisation when
// field is "". An organisation the fake does not hold gets an object
// with only its identity. SetFel adds to the errors set before.
func (f *Fake) SetFel(org ident.Org, field, typ string) error {
	if _, ok := felText[typ]; !ok {
		return fmt.Errorf("bolagsverket fake: unknown fel.typ %q", typ)
	}
	if _, ok := wrapperFields[field]; field != "" && !ok {
		return fmt.Errorf("bolagsverket fake: %q is not a field that carries fel", field)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fel[org.String()] = append(f.fel[org.String()], felKnob{field, typ})
	return nil
}

// SetWithoutIdentity makes answers about org carry
// "organisationsidentitet": null, as Bolagsverket's own example of a
// partial failure (OTILLGANGLIG_UPPGIFTSKALLA) and some not-found answers
// do: the client must key them by the number it asked for.
func (f *Fake) SetWithoutIdentity(org ident.Org, on bool) {
	f.setFlag(f.noIdentity, org, on)
}

// setFlag turns a per-organisation knob on or off.
func (f *Fake) setFlag(m map[string]bool, org ident.Org, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if on {
		m[org.String()] = true
	} else {
		delete(m, org.String())
	}
}

// ExpireTokens revokes every token issued so far: calls with them get
// 401 until the client fetches a new one.
func (f *Fake) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.tokens)
}

// token is POST /oauth2/token: grant_type=client_credentials, the
// credentials in basic auth or as client_id/client_secret form fields.
func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.stats.TokenRequests++
	f.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "body is not a form")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		// RFC 6749 2.3.1: form-encoded before base64.
		if s, err := url.QueryUnescape(id); err == nil {
			id = s
		}
		if s, err := url.QueryUnescape(secret); err == nil {
			secret = s
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != f.cfg.ClientID || secret != f.cfg.ClientSecret {
		w.Header().Set("WWW-Authenticate", `Basic realm="bolagsverket"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	if g := r.PostForm.Get("grant_type"); g != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "want client_credentials")
		return
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	for _, s := range scopes {
		if !slices.Contains(DefaultScopes, s) {
			oauthError(w, http.StatusBadRequest, "invalid_scope", "unknown scope "+s)
			return
		}
	}
	tok := randomHex(16)
	f.mu.Lock()
	f.tokens[tok] = fakeToken{client: id, scopes: scopes, expires: f.clock.Now().Add(f.cfg.TokenTTL)}
	f.stats.TokensIssued++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok,
		"scope":        strings.Join(scopes, " "),
		"token_type":   "Bearer",
		"expires_in":   int(f.cfg.TokenTTL / time.Second),
	})
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// api wraps an API call: request id, token and scope, the failure knobs,
// the rate limit, the delay.
func (f *Fake) api(scope string, h func(w http.ResponseWriter, r *http.Request, rid string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rid := r.Header.Get("X-Request-Id")
		if rid == "" {
			rid = randomHex(8)
		}
		w.Header().Set("X-Request-Id", rid)
		now := f.clock.Now()
		f.mu.Lock()
		f.stats.Requests++
		auth := r.Header.Get("Authorization")
		var tok fakeToken
		ok := len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ")
		if ok {
			tok, ok = f.tokens[strings.TrimSpace(auth[7:])]
			ok = ok && now.Before(tok.expires)
		}
		if !ok {
			f.stats.Unauthorized++
			f.mu.Unlock()
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			f.problem(w, r, rid, http.StatusUnauthorized, "Unauthorized", "Access token saknas, är ogiltig eller har gått ut.")
			return
		}
		if !slices.Contains(tok.scopes, scope) {
			f.mu.Unlock()
			f.problem(w, r, rid, http.StatusForbidden, "Forbidden", "Access token saknar scope "+scope+".")
			return
		}
		if f.force429N > 0 {
			f.force429N--
			f.stats.Forced429++
			after := f.force429After
			f.mu.Unlock()
			f.tooMany(w, r, rid, after)
			return
		}
		if wait, over := f.overLimit(tok.client, now); over {
			f.stats.RateLimited++
			f.mu.Unlock()
			f.log.Warn("bolagsverket fake: rate limit", "client", tok.client, "retry_after", wait)
			f.tooMany(w, r, rid, wait)
			return
		}
		if f.failN > 0 {
			f.failN--
			f.stats.Failed++
			status := f.failStatus
			f.mu.Unlock()
			f.problem(w, r, rid, status, http.StatusText(status), "Tillfälligt fel (injicerat).")
			return
		}
		delay := f.delay
		if f.slowN > 0 {
			f.slowN--
			delay = f.slow
		}
		f.mu.Unlock()
		if delay > 0 {
			// Read the body first: only then does the server watch the
			// connection and cancel the request's context when the client
			// hangs up.
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
			if err != nil {
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		h(w, r, rid)
	}
}

// overLimit counts a request of client at now in its sliding window of a
// minute; over the limit it says how long until a slot frees. Called with
// f.mu held.
func (f *Fake) overLimit(client string, now time.Time) (time.Duration, bool) {
	ts := f.window[client]
	cut := 0
	for cut < len(ts) && !ts[cut].After(now.Add(-time.Minute)) {
		cut++
	}
	ts = ts[cut:]
	if len(ts) >= f.cfg.RatePerMinute {
		f.window[client] = ts
		return ts[0].Add(time.Minute).Sub(now), true
	}
	f.window[client] = append(ts, now)
	return 0, false
}

func (f *Fake) tooMany(w http.ResponseWriter, r *http.Request, rid string, after time.Duration) {
	secs := int(math.Ceil(after.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	f.problem(w, r, rid, http.StatusTooManyRequests, "Too Many Requests", fmt.Sprintf("Högst %d anrop per minut.", f.cfg.RatePerMinute))
}

// problem writes an RFC 7807 body as Bolagsverket does.
func (f *Fake) problem(w http.ResponseWriter, r *http.Request, rid string, status int, title, detail string) {
	f.mu.Lock()
	if status == http.StatusBadRequest {
		f.stats.BadRequests++
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(struct {
		Type      string `json:"type"`
		Instance  string `json:"instance"`
		Status    int    `json:"status"`
		Title     string `json:"title"`
		Detail    string `json:"detail"`
		Timestamp string `json:"timestamp"`
		RequestID string `json:"requestId"`
	}{"about:blank", r.URL.Path, status, title, detail, f.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00"), rid})
}

func (f *Fake) ok(w http.ResponseWriter, body []byte) {
	f.mu.Lock()
	f.stats.OK++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (f *Fake) isAlive(w http.ResponseWriter, r *http.Request, rid string) {
	f.mu.Lock()
	f.stats.OK++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "OK")
}

// identity reads the request body, {"identitetsbeteckning": "..."}, and
// answers 400 when it is not a valid number.
func (f *Fake) identity(w http.ResponseWriter, r *http.Request, rid string) (string, string, bool) {
	var req struct {
		ID *string `json:"identitetsbeteckning"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || req.ID == nil {
		f.problem(w, r, rid, http.StatusBadRequest, "Bad Request", "Begäran saknar identitetsbeteckning eller är inte giltig JSON.")
		return "", "", false
	}
	id := strings.TrimSpace(*req.ID)
	if _, err := ident.ParseOrg(id); err != nil {
		detail := "Identitetsbeteckning är inte ett giltigt organisations- eller personnummer."
		if strings.Contains(err.Error(), "check digit") {
			detail = "Identitetsbeteckning har felaktig kontrollsiffra."
		}
		f.problem(w, r, rid, http.StatusBadRequest, "Bad Request", detail)
		return "", "", false
	}
	return id, requestKey(id), true
}

func (f *Fake) organisationer(w http.ResponseWriter, r *http.Request, rid string) {
	id, key, ok := f.identity(w, r, rid)
	if !ok {
		return
	}
	f.mu.Lock()
	objs := slices.Clone(f.data.orgs[key])
	fels := slices.Clone(f.fel[key])
	bad := f.malformed[key]
	anonymous := f.noIdentity[key]
	f.mu.Unlock()
	var body []byte
	if len(objs) == 0 && len(fels) == 0 && !anonymous {
		body = finnsEj(id)
	} else {
		if len(objs) == 0 && len(fels) == 0 {
			objs = []json.RawMessage{json.RawMessage(finnsEjOrg(id))}
		}
		if len(objs) == 0 {
			objs = []json.RawMessage{emptyOrg(id)}
		}
		for i, o := range objs {
			var err error
			if len(fels) > 0 {
				o, err = withFel(o, fels)
			}
			if err == nil && anonymous {
				o, err = withoutIdentity(o)
			}
			if err != nil {
				f.problem(w, r, rid, http.StatusInternalServerError, "Internal Server Error", err.Error())
				return
			}
			objs[i] = o
		}
		var b bytes.Buffer
		b.WriteString(`{"organisationer":[`)
		for i, o := range objs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(o)
		}
		b.WriteString(`]}`)
		body = b.Bytes()
	}
	if bad {
		body = truncated(body)
	}
	f.ok(w, body)
}

func (f *Fake) dokumentlista(w http.ResponseWriter, r *http.Request, rid string) {
	_, key, ok := f.identity(w, r, rid)
	if !ok {
		return
	}
	f.mu.Lock()
	body, found := f.data.docs[key]
	bad := f.malformed[key]
	f.mu.Unlock()
	if !found {
		body = json.RawMessage(`{"dokument":[]}`)
	}
	if bad {
		body = truncated(body)
	}
	f.ok(w, body)
}

func identityType(id string) string {
	if o, err := ident.ParseOrg(id); err == nil && o.Personal() {
		return `{"kod":"PERSON","klartext":"Personnummer"}`
	}
	return `{"kod":"ORGNR","klartext":"Organisationsnummer"}`
}

// finnsEj is the answer about an organisation that does not exist: HTTP
// 200, every field null, the name carrying the error
// (shared/formats/bolagsverket-organisationer-finns-ej.json).
func finnsEj(id string) []byte {
	return fmt.Appendf(nil, `{"organisationer":[%s]}`, finnsEjOrg(id))
}

// finnsEjOrg is finnsEj's organisation object.
func finnsEjOrg(id string) []byte {
	idJSON, _ := json.Marshal(id)
	return fmt.Appendf(nil, `{"organisationsidentitet":{"identitetsbeteckning":%s,"typ":%s},"namnskyddslopnummer":null,"organisationsnamn":{"organisationsnamnLista":null,"dataproducent":"Bolagsverket","fel":{"typ":"ORGANISATION_FINNS_EJ","felBeskrivning":"Begärd organisation finns inte registrerad i sökbar form."}},"registreringsland":null,"reklamsparr":null,"organisationsform":null,"avregistreradOrganisation":null,"avregistreringsorsak":null,"pagaendeAvvecklingsEllerOmstruktureringsforfarande":null,"juridiskForm":null,"verksamOrganisation":null,"organisationsdatum":null,"verksamhetsbeskrivning":null,"naringsgrenOrganisation":null,"postadressOrganisation":null}`, idJSON, identityType(id))
}

// withoutIdentity sets an organisation object's identity to null.
func withoutIdentity(obj json.RawMessage) (json.RawMessage, error) {
	var o map[string]json.RawMessage
	if err := json.Unmarshal(obj, &o); err != nil {
		return nil, fmt.Errorf("organisation object: %w", err)
	}
	o["organisationsidentitet"] = json.RawMessage("null")
	return json.Marshal(o)
}

// emptyOrg is an organisation with its identity only, every field null.
func emptyOrg(id string) json.RawMessage {
	idJSON, _ := json.Marshal(id)
	return fmt.Appendf(nil, `{"organisationsidentitet":{"identitetsbeteckning":%s,"typ":%s},"namnskyddslopnummer":null,"organisationsnamn":null,"registreringsland":null,"reklamsparr":null,"organisationsform":null,"avregistreradOrganisation":null,"avregistreringsorsak":null,"pagaendeAvvecklingsEllerOmstruktureringsforfarande":null,"juridiskForm":null,"verksamOrganisation":null,"organisationsdatum":null,"verksamhetsbeskrivning":null,"naringsgrenOrganisation":null,"postadressOrganisation":null}`, idJSON, identityType(id))
}

// withFel puts the errors into an organisation object.
func withFel(obj json.RawMessage, fels []felKnob) (json.RawMessage, error) {
	var o map[string]json.RawMessage
	if err := json.Unmarshal(obj, &o); err != nil {
		return nil, fmt.Errorf("organisation object: %w", err)
	}
	for _, k := range fels {
		fel, _ := json.Marshal(map[string]string{"typ": k.typ, "felBeskrivning": felText[k.typ]})
		if k.field == "" {
			o["fel"] = fel
			continue
		}
		producer := wrapperFields[k.field]
		var old struct {
			Dataproducent string `json:"dataproducent"`
		}
		if json.Unmarshal(o[k.field], &old) == nil && old.Dataproducent != "" {
			producer = old.Dataproducent
		}
		w, _ := json.Marshal(struct {
			Dataproducent string          `json:"dataproducent"`
			Fel           json.RawMessage `json:"fel"`
		}{producer, fel})
		o[k.field] = w
	}
	return json.Marshal(o)
}

// truncated cuts a body in the middle: JSON that does not parse.
func truncated(body []byte) []byte {
	n := len(body) / 2
	if n < 1 {
		n = 1
	}
	return append([]byte(nil), body[:n]...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
