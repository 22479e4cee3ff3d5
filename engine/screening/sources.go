package screening

import (
	"sort"
	"time"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/store"
)

// SourceReport is the state of one source over a watch list.
type SourceReport struct {
	Source       string        `json:"source"`
	Window       time.Duration `json:"window"`
	Watched      int           `json:"watched"`
	Fresh        int           `json:"fresh"`
	Stale        int           `json:"stale"`
	Erroring     int           `json:"erroring"`
	Missing      int           `json:"missing"`
	LastSuccess  time.Time     `json:"last_success"`
	LastError    time.Time     `json:"last_error"`
	LastErrorMsg string        `json:"last_error_message,omitempty"`
	Oldest       time.Time     `json:"oldest_observation"`
}

// SourceStatus reports, for each source with a freshness window, how the
// watched organisations' data stands as of at.
func SourceStatus(st *store.Store, at time.Time, orgs []string, cfg Config) ([]SourceReport, error) {
	reports := map[string]*SourceReport{}
	for src, w := range cfg.Freshness {
		reports[src] = &SourceReport{Source: src, Window: w.Duration()}
	}
	for _, o := range orgs {
		recs, err := st.Subject(o, store.ScanOptions{At: at})
		if err != nil {
			return nil, err
		}
		sub, err := profile.Decode(o, recs)
		if err != nil {
			return nil, err
		}
		for src, rep := range reports {
			rep.Watched++
			s := sourceState(sub.Sources, src)
			if s.LastObserved.After(rep.LastSuccess) {
				rep.LastSuccess = s.LastObserved
			}
			if !s.LastObserved.IsZero() && (rep.Oldest.IsZero() || s.LastObserved.Before(rep.Oldest)) {
				rep.Oldest = s.LastObserved
			}
			if st := sub.Sources[src]; st != nil && !st.ErrorAt.IsZero() && st.ErrorAt.After(rep.LastError) {
				rep.LastError, rep.LastErrorMsg = st.ErrorAt, st.Error
			}
			switch {
			case s.Error != "":
				rep.Erroring++
			case !s.Present:
				rep.Missing++
			case stale(s.LastObserved, at, cfg.Freshness[src]):
				rep.Stale++
			default:
				rep.Fresh++
			}
		}
	}
	out := make([]SourceReport, 0, len(reports))
	for _, r := range reports {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out, nil
}

// Down reports whether the source has delivered nothing for the watched
// organisations within its window as of at: its newest observation is
// older than the window, or there is none. Every assessment that needs
// the source is then incomplete.
func (r SourceReport) Down(at time.Time) bool {
	if r.Watched == 0 {
		return false
	}
	return r.LastSuccess.IsZero() || stale(r.LastSuccess, at, Days(r.Window/(24*time.Hour)))
}
