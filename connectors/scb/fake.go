package scb

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ident"
)

// Fake is a stand-in for SCB's company register API, for tests and demos:
// an HTTPS server that requires a client certificate from the PKI's CA and
// answers POST {URL}/Je/HamtaForetag with the rows it holds, as SCB does:
// a JSON array of row objects whose columns come in pairs ("<name>, kod"
// and "<name>"), values space-padded here and there, PeOrgNr "16" + the
// number. Organisations it does not hold are absent from the array.
//
// Like SCB it allows 10 calls per 10 seconds per client certificate
// (measured on the injected clock, as a token bucket: one a second, bursts
// of ten) and answers 429 with Retry-After beyond that, and refuses more
// than 2 000 organisations in one call with 400. Variables the account has
// not ordered (NotOrdered) say "*" or are left out of the rows, as SCB
// answers an account whose KoptaVariabler lack them. Its failure knobs are
// safe to turn while it serves.
type Fake struct {
	srv   *httptest.Server
	clock connectors.Clock

	mu         sync.Mutex
	rows       map[string]json.RawMessage
	every      time.Duration
	burst      int
	limiters   map[string]*rate.Limiter
	failN      int
	failStatus int
	slow       time.Duration
	malformedN int
	notOrdered map[string]Unordered
	stats      FakeStats
}

// FakeOptions configure NewFake.
type FakeOptions struct {
	PKI   *PKI             // required: the server certificate and the CA clients must come from
	Clock connectors.Clock // for the rate limit and slow responses; default the wall clock
	Log   *slog.Logger     // TLS handshake errors and the like; default discarded
	// NotOrdered are the variables the account has not ordered (they are
	// not among its KoptaVariabler), by name (VarFskatt, …), each with how
	// the fake answers it; the others are answered with their values.
	NotOrdered map[string]Unordered
}

// Unordered is how SCB answers a variable the account has not ordered.
type Unordered int

const (
	// Star puts "*" (supplement not ordered) in the variable's columns.
	Star Unordered = iota + 1
	// Omit leaves the variable's columns out of the row.
	Omit
)

// Variables an account may not have ordered, named by SCB's code column
// without ", kod" (VarBransch stands for Bransch_1 … Bransch_5).
const (
	VarFskatt       = "Fskattstatus"
	VarMoms         = "Momsstatus"
	VarArbetsgivare = "Arbetsgivarstatus"
	VarStkl         = "Stkl"
	VarBransch      = "Bransch"
)

// variableColumns are the columns (code and text) of each variable.
var variableColumns = map[string][]string{
	VarFskatt:       {"Fskattstatus, kod", "Fskattstatus"},
	VarMoms:         {"Momsstatus, kod", "Momsstatus"},
	VarArbetsgivare: {"Arbetsgivarstatus, kod", "Arbetsgivarstatus"},
	VarStkl:         {"Stkl, kod", "Storleksklass"},
	VarBransch: {"Bransch_1, kod", "Bransch_1", "Bransch_2, kod", "Bransch_2", "Bransch_3, kod", "Bransch_3",
		"Bransch_4, kod", "Bransch_4", "Bransch_5, kod", "Bransch_5"},
}

// FakeStats counts the calls a Fake answered.
type FakeStats struct {
	Calls        int   // every request that reached the handler
	OK           int   // answered 200
	TooMany      int   // answered 429
	ServerErrors int   // failed on purpose (FailNext)
	BadRequests  int   // answered 400
	Batches      []int // organisations asked for, per call answered 200
}

// NewFake starts a fake SCB server.
func NewFake(opt FakeOptions) (*Fake, error) {
	if opt.PKI == nil {
		return nil, errors.New("scb: fake: no PKI")
	}
	if opt.Clock == nil {
		return nil, errors.New("scb: fake: no clock")
	}
	if err := checkNotOrdered(opt.NotOrdered); err != nil {
		return nil, err
	}
	f := &Fake{
		clock:    opt.Clock,
		rows:     map[string]json.RawMessage{},
		every:    time.Second,
		burst:    10,
		limiters: map[string]*rate.Limiter{},
	}
	f.notOrdered = maps.Clone(opt.NotOrdered)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	srv.TLS = &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{opt.PKI.Server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    opt.PKI.ClientCAs(),
		Time:         opt.Clock.Now, // client certificates expire on the simulation's clock
	}
	if opt.Log != nil {
		srv.Config.ErrorLog = slog.NewLogLogger(opt.Log.Handler(), slog.LevelWarn)
	} else {
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	}
	srv.StartTLS()
	f.srv = srv
	return f, nil
}

// URL is the base URL to give the client (Config.BaseURL).
func (f *Fake) URL() string { return f.srv.URL + "/api" }

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

// ClientConfig returns a client configuration for this fake using the
// PKI's PKCS#12 client certificate and the fake's clock.
func (f *Fake) ClientConfig(p *PKI) Config {
	return Config{BaseURL: f.URL(), PKCS12File: p.ClientPKCS12File, PKCS12Password: p.PKCS12Password, CAFile: p.CAFile, Clock: f.clock}
}

// Put adds or replaces one row (a JSON object in SCB's format); it is
// filed under its OrgNr or PeOrgNr.
func (f *Fake) Put(row json.RawMessage) error {
	var cols map[string]any
	if err := json.Unmarshal(row, &cols); err != nil {
		return fmt.Errorf("scb: fake: row: %w", err)
	}
	var org ident.Org
	var err error
	for _, col := range []string{"OrgNr", "PeOrgNr"} {
		s, _ := cols[col].(string)
		if s = strings.TrimSpace(s); s != "" {
			if org, err = ident.ParseOrg(s); err == nil {
				break
			}
		}
	}
	if org.IsZero() {
		return fmt.Errorf("scb: fake: row without a valid OrgNr or PeOrgNr: %v", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, row); err != nil {
		return fmt.Errorf("scb: fake: row: %w", err)
	}
	f.mu.Lock()
	f.rows[org.String()] = compact.Bytes()
	f.mu.Unlock()
	return nil
}

// PutRows adds the rows of a JSON array (an SCB answer) and returns how
// many it added.
func (f *Fake) PutRows(array []byte) (int, error) {
	var rows []json.RawMessage
	if err := json.Unmarshal(array, &rows); err != nil {
		return 0, fmt.Errorf("scb: fake: rows: %w", err)
	}
	for i, r := range rows {
		if err := f.Put(r); err != nil {
			return i, err
		}
	}
	return len(rows), nil
}

// PutCompany adds a row built from c.
func (f *Fake) PutCompany(c Company) error { return f.Put(c.Row()) }

// LoadSynthetic loads the rows engine/synthetic wrote into dir/scb/*.json
// and returns how many it loaded.
func (f *Fake) LoadSynthetic(dir string) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "scb", "*.json"))
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("scb: fake: no scb/*.json in %s", dir)
	}
	sort.Strings(files)
	n := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return n, fmt.Errorf("scb: fake: %w", err)
		}
		k, err := f.PutRows(data)
		n += k
		if err != nil {
			return n, fmt.Errorf("scb: fake: %s: %w", file, err)
		}
	}
	return n, nil
}

// Orgs lists the organisations the fake holds, sorted.
func (f *Fake) Orgs() []ident.Org {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]ident.Org, 0, len(f.rows))
	for k := range f.rows {
		out = append(out, ident.MustOrg(k))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// FailNext makes the next n calls fail with status (a 5xx; default 503).
func (f *Fake) FailNext(n, status int) {
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	f.mu.Lock()
	f.failN, f.failStatus = n, status
	f.mu.Unlock()
}

// SetSlow delays every answer by d on the fake's clock (0: no delay).
func (f *Fake) SetSlow(d time.Duration) {
	f.mu.Lock()
	f.slow = d
	f.mu.Unlock()
}

// MalformedNext cuts the next n answers off in the middle, as a broken
// connection or a server bug would: the array and a row are left open.
func (f *Fake) MalformedNext(n int) {
	f.mu.Lock()
	f.malformedN = n
	f.mu.Unlock()
}

// SetNotOrdered replaces the variables the account has not ordered (see
// FakeOptions.NotOrdered).
func (f *Fake) SetNotOrdered(vars map[string]Unordered) error {
	if err := checkNotOrdered(vars); err != nil {
		return err
	}
	f.mu.Lock()
	f.notOrdered = maps.Clone(vars)
	f.mu.Unlock()
	return nil
}

func checkNotOrdered(vars map[string]Unordered) error {
	for v, u := range vars {
		if _, ok := variableColumns[v]; !ok {
			return fmt.Errorf("scb: fake: unknown variable %q", v)
		}
		if u != Star && u != Omit {
			return fmt.Errorf("scb: fake: variable %s: want Star or Omit", v)
		}
	}
	return nil
}

// withholding rewrites a row as an account that has not ordered vars gets
// it: their columns say "*" or are left out. The columns keep their order.
func withholding(row json.RawMessage, vars map[string]Unordered) json.RawMessage {
	if len(vars) == 0 {
		return row
	}
	how := map[string]Unordered{}
	for v, u := range vars {
		for _, col := range variableColumns[v] {
			how[col] = u
		}
	}
	dec := json.NewDecoder(bytes.NewReader(row))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return row
	}
	var out bytes.Buffer
	out.WriteByte('{')
	put := func(k string, v []byte) {
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		out.Write(kb)
		out.WriteByte(':')
		out.Write(v)
	}
	starred := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		k, ok := t.(string)
		var v json.RawMessage
		if err != nil || !ok || dec.Decode(&v) != nil {
			return row
		}
		switch how[k] {
		case Omit:
		case Star:
			put(k, []byte(`"*"`))
			starred[k] = true
		default:
			put(k, v)
		}
	}
	// A variable not ordered says "*" even where the row had no value.
	for v, u := range vars {
		if u == Star && !starred[variableColumns[v][0]] {
			put(variableColumns[v][0], []byte(`"*"`))
		}
	}
	out.WriteByte('}')
	return out.Bytes()
}

// Stats returns the calls answered so far.
func (f *Fake) Stats() FakeStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.Batches = append([]int(nil), s.Batches...)
	return s
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api"+Endpoint {
		http.Error(w, `{"Message":"No HTTP resource was found that matches the request URI."}`, http.StatusNotFound)
		return
	}
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		http.Error(w, `{"Message":"Client certificate required."}`, http.StatusForbidden)
		return
	}
	sum := sha256.Sum256(r.TLS.PeerCertificates[0].Raw)
	client := hex.EncodeToString(sum[:])

	now := f.clock.Now()
	f.mu.Lock()
	f.stats.Calls++
	lim := f.limiters[client]
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(f.every), f.burst)
		f.limiters[client] = lim
	}
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); !res.OK() || d > 0 {
		res.CancelAt(now)
		f.stats.TooMany++
		f.mu.Unlock()
		secs := int(math.Ceil(d.Seconds()))
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeJSON(w, http.StatusTooManyRequests, `{"Message":"Too many requests: at most 10 calls per 10 seconds."}`)
		return
	}
	fail := 0
	if f.failN > 0 {
		f.failN--
		fail = f.failStatus
		f.stats.ServerErrors++
	}
	slow := f.slow
	f.mu.Unlock()

	if slow > 0 {
		if err := f.clock.Sleep(r.Context(), slow); err != nil {
			return
		}
	}
	if fail != 0 {
		writeJSON(w, fail, `{"Message":"An error has occurred."}`)
		return
	}

	q, err := readQuery(r.Body)
	if err != nil {
		f.count(func(s *FakeStats) { s.BadRequests++ })
		writeJSON(w, http.StatusBadRequest, fmt.Sprintf(`{"Message":%q}`, "The request is invalid: "+err.Error()))
		return
	}

	f.mu.Lock()
	var body bytes.Buffer
	body.WriteString("[")
	seen := map[string]bool{}
	n := 0
	for _, c := range q.Variabler {
		org, err := ident.ParseOrg(c.Varde1)
		if err != nil || seen[org.String()] {
			continue // SCB: no such organisation, no row
		}
		seen[org.String()] = true
		row, ok := f.rows[org.String()]
		if !ok {
			continue
		}
		if n > 0 {
			body.WriteString(",")
		}
		body.WriteString("\n")
		body.Write(withholding(row, f.notOrdered))
		n++
	}
	body.WriteString("\n]")
	out := body.Bytes()
	if f.malformedN > 0 {
		f.malformedN--
		out = out[:max(1, len(out)/2)]
	}
	f.stats.OK++
	f.stats.Batches = append(f.stats.Batches, len(q.Variabler))
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, string(out))
}

func (f *Fake) count(fn func(*FakeStats)) {
	f.mu.Lock()
	fn(&f.stats)
	f.mu.Unlock()
}

// readQuery reads and checks a query: at most MaxBatch conditions, each
// OrgNr (or PeOrgNr) equal to a value.
func readQuery(r io.Reader) (Query, error) {
	var q Query
	dec := json.NewDecoder(io.LimitReader(r, 4<<20))
	if err := dec.Decode(&q); err != nil {
		return q, err
	}
	if len(q.Variabler) == 0 {
		return q, errors.New("no Variabler")
	}
	if len(q.Variabler) > MaxBatch {
		return q, fmt.Errorf("%d organisations, at most %d rows per call", len(q.Variabler), MaxBatch)
	}
	for i, c := range q.Variabler {
		if c.Variabel != VariableOrgNr && c.Variabel != "PeOrgNr" {
			return q, fmt.Errorf("condition Variabler[%d]: unknown variable %q", i, c.Variabel)
		}
		if c.Operator != OperatorEquals {
			return q, fmt.Errorf("condition Variabler[%d]: operator %q not supported for %q", i, c.Operator, c.Variabel)
		}
	}
	return q, nil
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// Company describes a row for the fake; Row renders it with SCB's quirks.
type Company struct {
	Org          ident.Org
	Name         string
	Street, CO   string
	PostNr       string
	PostOrt      string
	Kommun       string // kommun code, e.g. "1280"
	KommunNamn   string
	JurForm      string // "49" aktiebolag, "10" fysisk person, ...
	FSkatt       int    // 0, 1, 9
	Moms         int    // 0, 1, 3, 9
	Employer     int    // 0, 1, 2, 3, 4, 9
	SizeClass    int    // Stkl 0..16
	SNI          []string
	BolagsStatus string // "", "20" konkurs inledd, "30" likvidation, "90" avregistrerad, ...
	Start        time.Time
	Registered   time.Time
}

var (
	fskattText = map[int]string{0: "Är inte godkänd för F-skatt", 1: "Är godkänd för F-skatt", 9: "Är avregistrerad för F-skatt"}
	momsText   = map[int]string{0: "Är inte registrerad för moms", 1: "Är registrerad för moms", 3: "Är registrerad för moms via representant", 9: "Är avregistrerad för moms"}
	agText     = map[int]string{0: "Är inte registrerad som arbetsgivare", 1: "Är registrerad som arbetsgivare", 2: "Är registrerad som privat arbetsgivare",
		3: "Är registrerad som arbetsgivare via representant", 4: "Är registrerad som ambassad", 9: "Är avregistrerad som arbetsgivare"}
	stklText = []string{"Uppgift saknas", "0 anställda", "1-4 anställda", "5-9 anställda", "10-19 anställda", "20-49 anställda",
		"50-99 anställda", "100-199 anställda", "200-499 anställda", "500-999 anställda", "1000-1499 anställda",
		"1500-1999 anställda", "2000-2999 anställda", "3000-3999 anställda", "4000-4999 anställda", "5000-9999 anställda", "10000- anställda"}
	bolagsText = map[string]string{"20": "Konkurs inledd", "30": "Likvidation inledd", "40": "Företagsrekonstruktion inledd", "90": "Avregistrerad"}
)

// Row renders the company as an SCB row: paired code and text columns,
// the size class padded to two characters ("3 "), PeOrgNr "16" + the
// number (for a sole trader the 12-digit personnummer; the century is
// guessed: 20 for years 00-09, else 19).
func (c Company) Row() json.RawMessage {
	var b bytes.Buffer
	b.WriteString("{")
	kv := func(k, v string) {
		if b.Len() > 1 {
			b.WriteString(",")
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(v)
		b.Write(kb)
		b.WriteString(":")
		b.Write(vb)
	}
	pe := "16" + c.Org.String()
	if c.Org.Personal() {
		pe = "19" + c.Org.String()
		if yy, _ := strconv.Atoi(c.Org.String()[:2]); yy < 10 {
			pe = "20" + c.Org.String()
		}
	}
	jur := c.JurForm
	if jur == "" {
		jur = "49"
		if c.Org.Personal() {
			jur = "10"
		}
	}
	stkl := strconv.Itoa(c.SizeClass)
	if len(stkl) < 2 {
		stkl += " "
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	kv("PeOrgNr", pe)
	kv("OrgNr", c.Org.String())
	kv("Företagsnamn", c.Name)
	kv("COAdress", c.CO)
	kv("PostAdress", c.Street)
	kv("PostNr", c.PostNr)
	kv("PostOrt", strings.ToUpper(c.PostOrt))
	kv("Säteskommun, kod", c.Kommun)
	kv("Säteskommun", c.KommunNamn)
	kv("Antal arbetsställen", "1")
	kv("Stkl, kod", stkl)
	kv("Storleksklass", stklText[min(max(c.SizeClass, 0), len(stklText)-1)])
	if c.BolagsStatus == "90" {
		kv("Företagsstatus, kod", "0")
		kv("Företagsstatus", "Är inte verksam")
	} else {
		kv("Företagsstatus, kod", "1")
		kv("Företagsstatus", "Är verksam")
	}
	kv("Registrerad hos SKV, kod", "1")
	kv("Registrerad hos SKV", "Är registrerad")
	kv("Juridisk form, kod", jur)
	kv("Juridisk form", map[string]string{"49": "Övriga aktiebolag", "10": "Fysiska personer"}[jur])
	kv("Startdatum", date(c.Start))
	kv("Slutdatum", "")
	kv("Registreringsdatum", date(c.Registered))
	for i := range 5 { // all five slots, the unused ones empty
		n := strconv.Itoa(i + 1)
		code := ""
		if i < len(c.SNI) {
			code = c.SNI[i]
		}
		kv("Bransch_"+n+", kod", code)
		kv("Bransch_"+n, "")
	}
	kv("Arbetsgivarstatus, kod", strconv.Itoa(c.Employer))
	kv("Arbetsgivarstatus", agText[c.Employer])
	kv("Momsstatus, kod", strconv.Itoa(c.Moms))
	kv("Momsstatus", momsText[c.Moms])
	kv("Fskattstatus, kod", strconv.Itoa(c.FSkatt))
	kv("Fskattstatus", fskattText[c.FSkatt])
	kv("Bolagsstatus, kod", c.BolagsStatus)
	kv("Bolagsstatus", bolagsText[c.BolagsStatus])
	b.WriteString("}")
	return b.Bytes()
}
