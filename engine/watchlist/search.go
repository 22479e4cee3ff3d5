package watchlist

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/sanctions/match"
)

// The search that `vaksam sanctions search` and GET
// /api/v1/sanctions/search share: one query, the candidates that reach
// the threshold, and the near misses below it, so that people see what
// almost matched.

// Search defaults and bounds.
const (
	SearchThreshold = 0.85 // the matcher's default threshold
	SearchLimit     = 10   // matches shown by default
	MaxSearchLimit  = 100
	// NearMissBand: candidates this far below the threshold are shown as
	// near misses (match false), at most MaxNearMisses of them.
	NearMissBand  = 0.1
	MaxNearMisses = 10
	// MaxSearchName bounds a query's name, in characters.
	MaxSearchName = 200
)

// SearchQuery is one search of the lists.
type SearchQuery struct {
	Name      string
	Kind      sanctions.Kind // "" for both
	BirthYear int            // 0: unknown
	Threshold float64
	Limit     int
}

// ParamError is a search parameter that cannot be read: Field names it
// as the API does (name, type, birth_year, threshold, limit).
type ParamError struct {
	Field, Problem string
}

func (e *ParamError) Error() string { return e.Field + ": " + e.Problem }

// ParseSearch reads a search's parameters as given on the command line or
// in a URL's query; an empty one takes its default.
func ParseSearch(name, kind, birthYear, threshold, limit string) (SearchQuery, error) {
	q := SearchQuery{Name: strings.TrimSpace(name), Threshold: SearchThreshold, Limit: SearchLimit}
	switch n := utf8.RuneCountInString(q.Name); {
	case !utf8.ValidString(q.Name):
		return q, &ParamError{"name", "not UTF-8"}
	case n == 0:
		return q, &ParamError{"name", "missing: the name to search for"}
	case n > MaxSearchName:
		return q, &ParamError{"name", fmt.Sprintf("longer than %d characters", MaxSearchName)}
	}
	switch k := sanctions.Kind(strings.TrimSpace(kind)); k {
	case "", sanctions.Person, sanctions.Organisation:
		q.Kind = k
	default:
		return q, &ParamError{"type", fmt.Sprintf("%q: want person or organisation", kind)}
	}
	if birthYear = strings.TrimSpace(birthYear); birthYear != "" {
		y, err := strconv.Atoi(birthYear)
		if err != nil || y < 1800 || y > 2200 {
			return q, &ParamError{"birth_year", fmt.Sprintf("%q: want a year such as 1961", birthYear)}
		}
		if q.Kind == sanctions.Organisation {
			return q, &ParamError{"birth_year", "only for a person"}
		}
		q.BirthYear = y
	}
	if threshold = strings.TrimSpace(threshold); threshold != "" {
		t, err := strconv.ParseFloat(threshold, 64)
		if err != nil || math.IsNaN(t) || t <= 0 || t > 1 {
			return q, &ParamError{"threshold", fmt.Sprintf("%q: want a score above 0 and at most 1", threshold)}
		}
		q.Threshold = t
	}
	if limit = strings.TrimSpace(limit); limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxSearchLimit {
			return q, &ParamError{"limit", fmt.Sprintf("%q: want 1 to %d", limit, MaxSearchLimit)}
		}
		q.Limit = n
	}
	return q, nil
}

// SearchResult is what a search answers.
type SearchResult struct {
	Query string `json:"query"`
	// At is the time the lists were read as of: the lists in force then.
	At        time.Time      `json:"at"`
	Type      sanctions.Kind `json:"type,omitempty"`
	BirthYear int            `json:"birth_year,omitempty"`
	Threshold float64        `json:"threshold"`
	// Floor is the lowest score shown: candidates from it up to the
	// threshold are near misses (match false).
	Floor      float64           `json:"floor"`
	Candidates []SearchCandidate `json:"candidates"`
	// Lists are the list versions searched; Note says why there are none.
	Lists []SearchedList `json:"lists"`
	Note  string         `json:"note,omitempty"`
}

// SearchedList is one list version a search went through.
type SearchedList struct {
	List     sanctions.List `json:"list"`
	Version  string         `json:"version"` // List.Label()
	Entities int            `json:"entities"`
}

// SearchCandidate is one listed entity the query may be.
type SearchCandidate struct {
	List       sanctions.List `json:"list"`
	EntityID   string         `json:"entity_id"`
	Name       string         `json:"name"` // the entity's name or alias that matched
	Primary    string         `json:"primary_name,omitempty"`
	EntityKind sanctions.Kind `json:"entity_kind"`
	Score      float64        `json:"score"`
	// Match: the score reaches the threshold.
	Match bool `json:"match"`
	// By: match.ByName or match.ByIdentifier.
	By          string            `json:"by"`
	Explanation match.Explanation `json:"explanation"`
	Summary     string            `json:"summary"` // the explanation in one line
	ListVersion string            `json:"list_version"`
	Programmes  []string          `json:"programmes,omitempty"`
}

// NoListsNote is the note of a search of a store that holds no list.
const NoListsNote = "no sanctions list is stored: import one with vaksam ingest --source sanctions-eu|sanctions-un|sanctions-ftm FILE"

// Find searches the View: the candidates that reach q.Threshold (at most
// q.Limit), then the near misses down to the floor (at most
// MaxNearMisses).
func (v *View) Find(q SearchQuery) SearchResult {
	res := SearchResult{Query: q.Name, At: v.At, Type: q.Kind, BirthYear: q.BirthYear, Threshold: q.Threshold,
		Floor: math.Max(0, math.Round((q.Threshold-NearMissBand)*1000)/1000), Candidates: []SearchCandidate{}, Lists: []SearchedList{}}
	for _, l := range v.Lists {
		res.Lists = append(res.Lists, SearchedList{List: l.List, Version: l.Label(), Entities: l.Entities})
	}
	if len(v.Lists) == 0 {
		res.Note = NoListsNote
		return res
	}
	matches, near := 0, 0
	for _, c := range v.Search(match.Query{Name: q.Name, Kind: q.Kind, BirthYear: q.BirthYear}, res.Floor, q.Limit+MaxNearMisses) {
		hit := c.Score >= q.Threshold
		switch {
		case hit && matches >= q.Limit, !hit && near >= MaxNearMisses:
			continue
		case hit:
			matches++
		default:
			near++
		}
		sc := SearchCandidate{List: c.List, EntityID: c.EntityID, Name: c.Name, Score: c.Score, Match: hit, By: c.Match,
			Explanation: c.Explanation, Summary: c.Explanation.String()}
		if c.Entity != nil {
			sc.EntityKind, sc.Programmes = c.Entity.Kind, c.Entity.Programmes
			if p := c.Entity.Primary(); p != c.Name {
				sc.Primary = p
			}
		}
		if c.Entry != nil && c.Entry.List != nil {
			sc.ListVersion = c.Entry.List.Label()
		}
		res.Candidates = append(res.Candidates, sc)
	}
	return res
}

// Write prints the result: as one JSON object, or as a table for people.
func (r *SearchResult) Write(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	if r.Note != "" {
		_, err := fmt.Fprintln(w, r.Note)
		return err
	}
	var b strings.Builder
	for i, l := range r.Lists {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%d entities)", l.Version, l.Entities)
	}
	fmt.Fprintf(w, "%q: threshold %.2f, near misses from %.2f; lists in force %s: %s\n", r.Query, r.Threshold, r.Floor,
		r.At.In(record.Stockholm).Format("2006-01-02 15:04"), b.String())
	if len(r.Candidates) == 0 {
		_, err := fmt.Fprintln(w, "no candidates")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tLIST\tENTITY\tNAME\tSCORE\tMATCH\tLIST VERSION\tEXPLANATION")
	for i, c := range r.Candidates {
		m := "match"
		if !c.Match {
			m = "near miss"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.3f\t%s\t%s\t%s\n", i+1, strings.ToUpper(string(c.List)), c.EntityID, oneLine(c.Name),
			c.Score, m, c.ListVersion, oneLine(c.Summary))
	}
	return tw.Flush()
}

// oneLine keeps a list's text on one line of a table.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '\t' }), " ")
}
