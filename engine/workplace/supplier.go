package workplace

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// ErrUnknown: nothing is known of the organisation (no record, no
// assessment).
var ErrUnknown = errors.New("workplace: nothing is known of the organisation")

// Supplier is what is known of one organisation: the supplier view the
// API and the UI each render as the principal may see it.
type Supplier struct {
	Orgnr   string
	Name    string // the profile's, else the newest assessment's
	Profile *profile.Profile
	History []HistoryRun
	// Latest is the newest follow-up assessment, the current one; Check
	// the newest pre-award check when it is newer than Latest.
	Latest, Check *screening.Assessment
	Alerts        []*review.Alert  // every alert, newest first
	Halt          *review.Decision // the avropsstopp in force, nil for none
	// Records: every version of every source's records.
	Records []store.Resolved
}

// HistoryRun is a run of assessments that said the same.
type HistoryRun struct {
	From        time.Time      `json:"from"` // the first assessment's time
	To          time.Time      `json:"to"`   // the last one's
	Assessments int            `json:"assessments"`
	Purpose     string         `json:"purpose,omitempty"`
	Step        ladder.Step    `json:"step"`
	Verdict     ladder.Verdict `json:"verdict"`
	Score       float64        `json:"score"`
	Incomplete  bool           `json:"incomplete"`
	Hits        []string       `json:"hits"`
	Ruleset     string         `json:"ruleset"`
}

// Supplier builds the supplier view of orgnr as of at; each, if set,
// sees every stored assessment, oldest first. ErrUnknown when nothing is
// known of it.
func (w *Workplace) Supplier(orgnr string, at time.Time, each func(*screening.Assessment)) (*Supplier, error) {
	prof, known, err := w.Profile(orgnr, at)
	if err != nil {
		return nil, err
	}
	sv := &Supplier{Orgnr: orgnr, Name: prof.Name, Profile: prof}
	if sv.History, sv.Latest, sv.Check, err = w.History(orgnr, each); err != nil {
		return nil, err
	}
	if !known && sv.Latest == nil && sv.Check == nil {
		return nil, ErrUnknown
	}
	if sv.Name == "" {
		sv.Name = cmp.Or(nameOf(sv.Latest), nameOf(sv.Check))
	}
	if sv.Alerts, err = w.Desk.Alerts(func(a *review.Alert) bool { return a.Orgnr == orgnr }); err != nil {
		return nil, err
	}
	slices.Reverse(sv.Alerts)
	if sv.Halt, err = w.Desk.HaltInForce(orgnr); err != nil {
		return nil, err
	}
	if sv.Records, err = w.Store.Subject(orgnr, store.ScanOptions{At: Everything, History: AllSources()}); err != nil {
		return nil, fmt.Errorf("workplace: records of %s: %w", orgnr, err)
	}
	return sv, nil
}

// nameOf is an assessment's organisation name, "" for none.
func nameOf(a *screening.Assessment) string {
	if a == nil {
		return ""
	}
	return a.Name
}

// Everything reads a record's whole stored history.
var Everything = time.Unix(0, math.MaxInt64)

// AllSources asks for the history of every known source.
func AllSources() map[string]bool {
	m := map[string]bool{}
	for _, s := range record.Sources {
		m[s] = true
	}
	return m
}

// History reads an organisation's stored assessments, oldest first, and
// folds consecutive ones with the same result into runs. It returns the
// runs, the newest follow-up assessment (the current one, the one alerts
// follow) and the newest pre-award check when it is newer than that (the
// answer a caller was given, which does not replace the follow-up); each,
// if set, sees every assessment as it is read.
func (w *Workplace) History(orgnr string, each func(*screening.Assessment)) (runs []HistoryRun, latest, check *screening.Assessment, err error) {
	runs = []HistoryRun{}
	err = w.Store.Assessments(orgnr, func(at time.Time, data []byte) error {
		var a screening.Assessment
		if err := json.Unmarshal(data, &a); err != nil {
			return fmt.Errorf("assessment at %s: %w", at.Format(time.RFC3339), err)
		}
		if a.Purpose == screening.Monitor {
			latest = &a
		} else {
			check = &a
		}
		if each != nil {
			each(&a)
		}
		res := a.Result()
		if n := len(runs); n > 0 {
			last := &runs[n-1]
			if last.Step == res.Step && last.Verdict == res.Verdict && last.Score == res.Score && last.Incomplete == res.Incomplete &&
				last.Purpose == a.Purpose && last.Ruleset == a.Ruleset && slices.Equal(last.Hits, res.Hits) {
				last.To, last.Assessments = a.At, last.Assessments+1
				return nil
			}
		}
		runs = append(runs, HistoryRun{From: a.At, To: a.At, Assessments: 1, Purpose: a.Purpose, Step: res.Step,
			Verdict: res.Verdict, Score: res.Score, Incomplete: res.Incomplete, Hits: res.Hits, Ruleset: a.Ruleset})
		return nil
	})
	if check != nil && latest != nil && !check.At.After(latest.At) {
		check = nil
	}
	if err != nil {
		return runs, latest, check, fmt.Errorf("workplace: assessments of %s: %w", orgnr, err)
	}
	return runs, latest, check, nil
}

// localNetwork answers a single organisation's profile from the store
// without the market statistics, which read every supplier's contracts:
// a detail page does without the price quartiles and spend shares.
type localNetwork struct{ *profile.StoreNetwork }

func (localNetwork) Market([]string) *profile.Market { return &profile.Market{} }

// ProfileConfig is the running profile settings (the screener's).
func (w *Workplace) ProfileConfig() profile.Config {
	if w.Screener == nil {
		return profile.Config{}
	}
	return w.Screener.Settings().Profile
}

// Profile builds an organisation's profile as of at; known is false when
// the store has no record of it.
func (w *Workplace) Profile(orgnr string, at time.Time) (p *profile.Profile, known bool, err error) {
	recs, err := w.Store.Subject(orgnr, store.ScanOptions{At: at, History: profile.HistorySources})
	if err != nil {
		return nil, false, err
	}
	sub, err := profile.Decode(orgnr, recs)
	if err != nil {
		return nil, false, err
	}
	net := profile.NewStoreNetwork(w.Store, at, w.ProfileConfig())
	p = profile.Build(sub, localNetwork{net}, at)
	if err := net.Err(); err != nil {
		return nil, false, err
	}
	return p, len(recs) > 0, nil
}

// RecordFilter picks an organisation's raw records: of one source, and
// with KeyGiven of one key.
type RecordFilter struct {
	Source, Key string
	KeyGiven    bool
}

// FieldError is a filter's problem with one of its fields.
type FieldError struct{ Field, Problem string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Check is the filter's first problem, nil for none.
func (f RecordFilter) Check() *FieldError {
	switch {
	case f.Source != "" && !record.KnownSource(f.Source):
		return &FieldError{"source", excerpt.Quote(f.Source) + " is not one of " + strings.Join(record.Sources, ", ")}
	case f.KeyGiven && f.Source == "":
		return &FieldError{"key", "only with source"}
	case !utf8.ValidString(f.Key) || len(f.Key) > 512:
		return &FieldError{"key", "not UTF-8, or longer than 512 bytes"}
	}
	return nil
}

// RawRecord is a record with every stored version once, by number.
type RawRecord struct {
	store.Resolved
	Versions []RawVersion
}

// RawVersion is a stored version with its bytes as both the API and the
// UI show them.
type RawVersion struct {
	store.Version
	Digest string  // the version's hash in hex
	Form   RawForm // how Text holds the raw bytes
	Text   string
}

// RawForm is how a version's raw bytes are shown.
type RawForm int

// The forms of raw bytes.
const (
	RawJSON   RawForm = iota // JSON, as it is
	RawText                  // other UTF-8 (a CSV line), as it is
	RawBase64                // anything else, in base64
)

// rawVersion is v with its bytes as text.
func rawVersion(v store.Version) RawVersion {
	rv := RawVersion{Version: v, Digest: hex.EncodeToString(v.Hash[:])}
	switch {
	case len(v.Raw) > 0 && json.Valid(v.Raw):
		rv.Form, rv.Text = RawJSON, string(v.Raw)
	case utf8.Valid(v.Raw):
		rv.Form, rv.Text = RawText, string(v.Raw)
	default:
		rv.Form, rv.Text = RawBase64, base64.StdEncoding.EncodeToString(v.Raw)
	}
	return rv
}

// RawRecords are an organisation's records the filter picks, with their
// raw bytes, and how many versions they hold.
func (w *Workplace) RawRecords(orgnr string, f RecordFilter) (out []RawRecord, versions int, err error) {
	recs, err := w.Store.Subject(orgnr, store.ScanOptions{At: Everything, History: AllSources(), Raw: true})
	if err != nil {
		return nil, 0, fmt.Errorf("workplace: records of %s: %w", orgnr, err)
	}
	for _, rec := range recs {
		if f.Source != "" && rec.ID.Source != f.Source || f.KeyGiven && rec.ID.Key != f.Key {
			continue
		}
		rr := RawRecord{Resolved: rec}
		for _, v := range rec.History {
			if !slices.ContainsFunc(rr.Versions, func(x RawVersion) bool { return x.N == v.N }) {
				rr.Versions = append(rr.Versions, rawVersion(v))
			}
		}
		slices.SortFunc(rr.Versions, func(a, b RawVersion) int { return cmp.Compare(a.N, b.N) })
		versions += len(rr.Versions)
		out = append(out, rr)
	}
	return out, versions, nil
}
