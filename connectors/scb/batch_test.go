package scb

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

// The batch size is one organisation a call unless configured: whether
// SCB reads several OrgNr conditions as "any of these" is not confirmed.
func TestBatchSize(t *testing.T) {
	tests := []struct {
		size    int
		batches string // organisations per call the fake saw
	}{
		{0, "[1 1 1 1 1 1 1]"},
		{1, "[1 1 1 1 1 1 1]"},
		{3, "[3 3 1]"},
		{7, "[7]"},
		{MaxBatch, "[7]"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.size), func(t *testing.T) {
			e := newEnv(t)
			all := orgs(7)
			putCompanies(t, e.fake, all)
			c := e.client(t, func(c *Config) { c.BatchSize = tt.size })
			if want := max(tt.size, DefaultBatchSize); c.MaxBatch() != want {
				t.Errorf("MaxBatch %d, want %d", c.MaxBatch(), want)
			}
			calls := 0
			err := c.FetchAll(context.Background(), all, func(f connectors.Fetched) error {
				calls++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if s := e.fake.Stats(); fmt.Sprint(s.Batches) != tt.batches || calls != len(s.Batches) {
				t.Errorf("batches %v in %d answers, want %s", s.Batches, calls, tt.batches)
			}
		})
	}
	e := newEnv(t)
	for _, bad := range []int{-1, MaxBatch + 1} {
		cfg := e.fake.ClientConfig(e.pki)
		cfg.BatchSize = bad
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "batch size "+strconv.Itoa(bad)) {
			t.Errorf("batch size %d: %v, want an error naming it", bad, err)
		}
	}
	// One call of more than the batch size is refused before it is sent.
	c := e.client(t, nil)
	if _, err := c.FetchBatch(context.Background(), orgs(2)); err == nil || !strings.Contains(err.Error(), "at most 1") {
		t.Errorf("2 organisations at batch size 1: %v", err)
	}
	if s := e.fake.Stats(); s.Calls != 0 {
		t.Errorf("%d calls reached the fake", s.Calls)
	}
}

// A fake whose account has not ordered some variables answers "*" or
// leaves the columns out, as SCB does; the rows ingest with those facts
// unknown and the others kept.
func TestNotOrderedVariables(t *testing.T) {
	tests := []struct {
		name       string
		notOrdered map[string]Unordered
		absent     []string          // columns the answer must not have
		star       []string          // columns the answer must have as "*"
		unknown    map[string]string // TaxStatus.Unknown after ingest
	}{
		{"all ordered", nil, nil, nil, nil},
		{"F-skatt not ordered", map[string]Unordered{VarFskatt: Star}, nil, []string{"Fskattstatus, kod", "Fskattstatus"},
			map[string]string{"fskatt": "Fskattstatus: not ordered from SCB (*)"}},
		{"tax statuses left out", map[string]Unordered{VarFskatt: Omit, VarMoms: Omit, VarArbetsgivare: Omit},
			[]string{"Fskattstatus, kod", "Momsstatus", "Arbetsgivarstatus, kod"}, nil,
			map[string]string{"fskatt": "Fskattstatus: not delivered by SCB (no such column)", "moms": "Momsstatus: not delivered by SCB (no such column)",
				"employer": "Arbetsgivarstatus: not delivered by SCB (no such column)"}},
		{"size and industry", map[string]Unordered{VarStkl: Star, VarBransch: Omit}, []string{"Bransch_1, kod", "Bransch_5"}, []string{"Stkl, kod", "Storleksklass"},
			map[string]string{"size_class": "Stkl: not ordered from SCB (*)", "sni": "Bransch_1: not delivered by SCB (no such column)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			all := orgs(2)
			putCompanies(t, e.fake, all)
			if err := e.fake.SetNotOrdered(tt.notOrdered); err != nil {
				t.Fatal(err)
			}
			c := e.client(t, nil)
			st, in, persons := openStore(t)
			err := c.FetchAll(context.Background(), all, func(f connectors.Fetched) error {
				rows := rowsOf(t, f.Body)
				if len(rows) != 1 {
					t.Fatalf("%d rows, want 1", len(rows))
				}
				for _, col := range tt.absent {
					if _, ok := rows[0][col]; ok {
						t.Errorf("column %q is in the answer", col)
					}
				}
				for _, col := range tt.star {
					if rows[0][col] != "*" {
						t.Errorf("column %q = %q, want *", col, rows[0][col])
					}
				}
				if rows[0]["Företagsnamn"] == "" || rows[0]["PeOrgNr"] == "" {
					t.Errorf("the row lost its other columns: %v", rows[0])
				}
				if n := ingestFetched(t, in, persons, f, e.clock.Now()); n.New != 1 || n.Quarantined != 0 {
					t.Errorf("ingest %+v, want the row stored", n)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range all {
				ts := storedTaxStatus(t, st, o.String(), e.clock.Now())
				eq := fmt.Sprint(ts.Unknown) == fmt.Sprint(tt.unknown)
				if !eq || ts.Name == "" || ts.Address.City == "" {
					t.Errorf("%s: %+v, want unknown %v and the rest kept", o, ts, tt.unknown)
				}
				if _, ok := tt.unknown["fskatt"]; !ok && ts.FSkatt != 1 {
					t.Errorf("%s: F-skatt %d, want 1 (ordered)", o, ts.FSkatt)
				}
			}
		})
	}
	e := newEnv(t)
	if err := e.fake.SetNotOrdered(map[string]Unordered{"Omsättning": Star}); err == nil {
		t.Error("an unknown variable was accepted")
	}
}

func storedTaxStatus(t *testing.T, st *store.Store, orgnr string, at time.Time) record.TaxStatus {
	t.Helper()
	recs, err := st.Subject(orgnr, store.ScanOptions{At: at})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Current != nil && r.ID.Source == record.SCB {
			var ts record.TaxStatus
			if err := json.Unmarshal(r.Current.Parsed, &ts); err != nil {
				t.Fatal(err)
			}
			return ts
		}
	}
	t.Fatalf("%s: no scb record", orgnr)
	return record.TaxStatus{}
}

// pagedTransport stands in for SCB's announced successor API: an API key
// in a header and answers in pages. It is a second Transport, to show the
// connector's batching, rate limit and answer handling work through the
// interface. The rows it returns are SCB's, one array per page.
type pagedTransport struct {
	url, key string
}

func (p pagedTransport) Lookup(ctx context.Context, send Sender, orgs []ident.Org) (Answer, error) {
	nums := make([]string, len(orgs))
	for i, o := range orgs {
		nums[i] = o.String()
	}
	var ans Answer
	for page := 1; page > 0; {
		resp, err := send(ctx, connectors.Request{Method: http.MethodGet,
			URL:    fmt.Sprintf("%s/foretag?orgnr=%s&page=%d", p.url, strings.Join(nums, ","), page),
			Header: http.Header{"X-Api-Key": {p.key}}})
		if err != nil {
			return Answer{}, err
		}
		var body struct {
			Rows []json.RawMessage `json:"rows"`
			Next int               `json:"next"`
		}
		if err := json.Unmarshal(resp.Body, &body); err != nil {
			return Answer{}, fmt.Errorf("scb: page %d: %w", page, err)
		}
		rows, _ := json.Marshal(body.Rows)
		ans.RequestID = resp.RequestID
		ans.Body = append(append(ans.Body, rows...), '\n')
		page = body.Next
	}
	return ans, nil
}

func TestConnectorUsesTheTransport(t *testing.T) {
	clock := connectors.NewManualClock(t0)
	t.Cleanup(clock.AutoAdvance())
	all := orgs(7)
	rows := map[string]json.RawMessage{}
	for i, o := range all {
		rows[o.String()] = Company{Org: o, Name: fmt.Sprintf("Bolag %d AB", i), Street: "Storgatan 1", PostNr: "21120", PostOrt: "Malmö",
			FSkatt: 1, Moms: 1, Employer: 1, SizeClass: 3, SNI: []string{"87901"}}.Row()
	}
	var mu sync.Mutex
	var seen []time.Time // when each request arrived, on the clock
	var asked []int      // organisations per request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "nyckel" {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		nums := strings.Split(r.URL.Query().Get("orgnr"), ",")
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		mu.Lock()
		seen = append(seen, clock.Now())
		asked = append(asked, len(nums))
		mu.Unlock()
		// Two rows a page.
		var out struct {
			Rows []json.RawMessage `json:"rows"`
			Next int               `json:"next,omitempty"`
		}
		out.Rows = []json.RawMessage{}
		for i := 2 * (page - 1); i < len(nums) && i < 2*page; i++ {
			out.Rows = append(out.Rows, rows[nums[i]])
		}
		if 2*page < len(nums) {
			out.Next = page + 1
		}
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)

	c, err := NewClient(pagedTransport{url: srv.URL, key: "nyckel"}, Options{HTTP: srv.Client(), Clock: clock, BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	st, in, persons := openStore(t)
	var total int
	err = c.FetchAll(context.Background(), all, func(f connectors.Fetched) error {
		if f.Source != record.SCB || f.Name == "" {
			t.Errorf("fetched %q %q", f.Source, f.Name)
		}
		n := ingestFetched(t, in, persons, f, clock.Now())
		if n.Quarantined != 0 {
			t.Errorf("ingest %+v", n)
		}
		total += n.New
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Batches of 3, 3 and 1 organisations, in pages of two rows: 2 + 2 + 1
	// requests, one a second at most.
	if fmt.Sprint(asked) != "[3 3 3 3 1]" {
		t.Errorf("requests asked for %v organisations, want [3 3 3 3 1]", asked)
	}
	for i := 1; i < len(seen); i++ {
		if d := seen[i].Sub(seen[i-1]); d < time.Second {
			t.Errorf("request %d came %v after the one before, want SCB's rate limit (one a second)", i+1, d)
		}
	}
	if total != len(all) {
		t.Errorf("%d records stored, want %d", total, len(all))
	}
	for _, o := range all {
		if ts := storedTaxStatus(t, st, o.String(), clock.Now()); ts.FSkatt != 1 || ts.Unknown != nil || fmt.Sprint(ts.SNI) != "[87901]" {
			t.Errorf("%s: %+v", o, ts)
		}
	}
	if c.Certificate() != nil {
		t.Error("a transport without a certificate reports one")
	}
}
