package screening

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/record"
)

// The text forms of assessments: what `vaksam screen`, `check`,
// `assessments` and `demo` print, and what any other program printing an
// assessment for a person should print alike. Times are Swedish.

// WriteJSON writes the assessments as JSON, one per line.
func WriteJSON(w io.Writer, as ...*Assessment) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, x := range as {
		if err := enc.Encode(x); err != nil {
			return err
		}
	}
	return nil
}

// RankingRow keeps what a ranked table (WriteRanking) shows of an
// assessment, so that a whole population's rows stay small.
func RankingRow(x *Assessment) *Assessment {
	r := &Assessment{Orgnr: x.Orgnr, Name: x.Name, Score: x.Score, Step: x.Step, Verdict: x.Verdict, Incomplete: x.Incomplete, Missing: x.Missing}
	r.Hits = make([]Hit, len(x.Hits))
	for i, h := range x.Hits {
		r.Hits[i] = Hit{ID: h.ID, Severity: h.Severity}
	}
	return r
}

// Rank orders assessments as a coordinator's queue: highest step, then
// score, then more hits before fewer, then organisation number.
func Rank(as []*Assessment) {
	sort.Slice(as, func(i, j int) bool {
		a, b := as[i], as[j]
		if a.Step != b.Step {
			return a.Step > b.Step
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if len(a.Hits) != len(b.Hits) {
			return len(a.Hits) > len(b.Hits)
		}
		return a.Orgnr < b.Orgnr
	})
}

// DisplayOrg shows an organisation number with its separator as of now:
// '+' for a sole trader who is 100 or older. The century of birth comes
// from the parsed input among known, if any: a stored 10-digit number has
// lost it, and reads as younger than 100.
func DisplayOrg(orgnr string, now time.Time, known ...ident.Org) string {
	now = now.In(record.Stockholm)
	for _, o := range known {
		if o.String() == orgnr {
			return o.Separated(now)
		}
	}
	if o, err := ident.ParseOrg(orgnr); err == nil {
		return o.Separated(now)
	}
	return orgnr
}

// stamp is an assessment's time as the text forms show it.
func stamp(t time.Time) string { return t.In(record.Stockholm).Format("2006-01-02 15:04") }

// WriteAssessment writes an assessment for a person: the organisation,
// the step, verdict and score, each hit and each missing source, what
// was not checked and the rule set.
func WriteAssessment(w io.Writer, x *Assessment, now time.Time, known ...ident.Org) {
	fmt.Fprintf(w, "%s  %s\n", DisplayOrg(x.Orgnr, now, known...), x.Name)
	fmt.Fprintf(w, "  as of %s  step %s  verdict %s  score %g", stamp(x.At), x.Step, x.Verdict, x.Score)
	if x.Incomplete {
		fmt.Fprint(w, "  INCOMPLETE")
	}
	fmt.Fprintln(w)
	for _, h := range x.Hits {
		fmt.Fprintf(w, "  %-4s %-8s %s\n", h.ID, h.Severity, h.Message.SV)
	}
	for _, m := range x.Missing {
		fmt.Fprintf(w, "  %-4s %-8s %s: %s\n", m.ID, "data", m.Source, m.Reason)
	}
	if len(x.NotChecked) > 0 {
		fmt.Fprintf(w, "  not checked: %s\n", strings.Join(x.NotChecked, " "))
	}
	fmt.Fprintf(w, "  ruleset %s\n", x.Ruleset)
}

// Line is an assessment of o on one line, the number shown with its
// separator as of now (as `vaksam assessments` lists the stored ones).
func Line(o ident.Org, x *Assessment, now time.Time) string {
	return fmt.Sprintf("%s  %s  as of %s  step %s  verdict %s  score %g  hits %s  ruleset %s",
		o.Separated(now.In(record.Stockholm)), x.Name, stamp(x.At), x.Step, x.Verdict, x.Score, HitList(x), x.Ruleset)
}

// HitList is the ids of an assessment's hits, comma separated; "-" for
// none.
func HitList(x *Assessment) string {
	if len(x.Hits) == 0 {
		return "-"
	}
	ids := make([]string, len(x.Hits))
	for i, h := range x.Hits {
		ids[i] = h.ID
	}
	return strings.Join(ids, ",")
}

// WriteRanking writes ranked assessments (Rank) as a table of at most
// limit rows (0: all), then how many are on each step, how many are
// incomplete and which data is missing or stale.
func WriteRanking(w io.Writer, as []*Assessment, limit int, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tORGNR\tNAME\tSCORE\tSTEP\tVERDICT\tTOP HITS")
	for i, x := range as {
		if limit > 0 && i >= limit {
			break
		}
		var ids []string
		for j, h := range x.Hits {
			if j == 5 {
				ids = append(ids, fmt.Sprintf("+%d", len(x.Hits)-5))
				break
			}
			ids = append(ids, h.ID)
		}
		if x.Incomplete {
			ids = append(ids, "(incomplete)")
		}
		name := x.Name
		if len([]rune(name)) > 32 {
			name = string([]rune(name)[:31]) + "…"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%g\t%s\t%s\t%s\n", i+1, DisplayOrg(x.Orgnr, now), name, x.Score, x.Step, x.Verdict, strings.Join(ids, " "))
	}
	tw.Flush()
	if limit > 0 && len(as) > limit {
		fmt.Fprintf(w, "… %d more (use --limit 0 for all)\n", len(as)-limit)
	}
	writeSteps(w, as)
}

// writeSteps writes how many assessments are on each step, how many are
// incomplete and which data is missing or stale.
func writeSteps(w io.Writer, as []*Assessment) {
	steps := map[ladder.Step]int{}
	incomplete := 0
	missing := map[string]int{}
	for _, x := range as {
		steps[x.Step]++
		if x.Incomplete {
			incomplete++
		}
		for _, m := range x.Missing {
			missing[m.ID+" "+m.Source]++
		}
	}
	fmt.Fprintf(w, "\n%d organisations screened:", len(as))
	for _, s := range []ladder.Step{L0, L1, L2, L3, L5} {
		if steps[s] > 0 || s != L5 {
			fmt.Fprintf(w, " %s %d", s, steps[s])
		}
	}
	fmt.Fprintf(w, "; %d incomplete\n", incomplete)
	if len(missing) > 0 {
		keys := make([]string, 0, len(missing))
		for k := range missing {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, missing[k])
		}
		fmt.Fprintf(w, "missing or stale data: %s\n", strings.Join(parts, ", "))
	}
}

// WriteSourceReports writes how the data of watched organisations (their
// number) stands per source as of at, as a table: window, fresh, stale,
// erroring and missing organisations, last success, oldest observation
// and last error.
func WriteSourceReports(w io.Writer, reports []SourceReport, watched int, at time.Time) error {
	fmt.Fprintf(w, "%d watched organisations as of %s\n\n", watched, stamp(at))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tWINDOW\tFRESH\tSTALE\tERRORING\tMISSING\tLAST SUCCESS\tOLDEST\tLAST ERROR")
	for _, r := range reports {
		fmt.Fprintf(tw, "%s\t%dd\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", r.Source, int(r.Window/(24*time.Hour)), r.Fresh, r.Stale, r.Erroring, r.Missing,
			when(r.LastSuccess), when(r.Oldest), r.errorLine())
	}
	return tw.Flush()
}

// when is a time in a table, "never" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return stamp(t)
}

// errorLine is the source's last error with its time, cut to fit a
// table; "-" for none.
func (r SourceReport) errorLine() string {
	if r.LastError.IsZero() {
		return "-"
	}
	msg := r.LastErrorMsg
	if len(msg) > 60 {
		msg = msg[:59] + "…"
	}
	return when(r.LastError) + " " + msg
}
