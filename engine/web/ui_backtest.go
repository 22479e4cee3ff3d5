package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/backtest"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
)

// The page Regeltest (admin): GET /admin/regeltest shows the form, POST
// /admin/regeltest (multipart: a pack file, or the pack pasted, and a
// range of dates) compiles the candidate strictly with the
// configuration's overrides, backtests it against the running set
// (engine/backtest, as `vaksam rules diff` does) and answers 200 with the
// report on the page. The work a request may cause is bounded: at most
// BacktestMaxDates dates, BacktestTimeout, one backtest at a time.

// BacktestPath is the page's path.
const BacktestPath = "/admin/regeltest"

// Bounds of a backtest from the web.
const (
	BacktestMaxDates = 26
	BacktestTimeout  = 45 * time.Second // below the HTTP server's write timeout
	MaxCandidateBody = 1 << 20          // the form, pack included
)

// AuditBacktest: an admin backtested a candidate rule pack (object
// "rules"; the candidate's and the running set's versions and the dates
// in the detail).
const AuditBacktest = "rules.backtest"

// backtestFields are the form's fields (backtest.html lists them in this
// order); the pack may also come as the file "file".
var backtestFields = []string{"pack", "from", "to", "every"}

type backtestPage struct {
	Form       *formState
	PackErrors []string // the candidate's compile errors, file:line:col
	Report     *backtest.Report
	Dates      []backtestDate
}

// backtestDate is one date of the report as the page shows it.
type backtestDate struct {
	At         time.Time
	Screened   int
	Precision  string
	Indicators []backtestIndicator
	Rows       []backtestRow
}

type backtestIndicator struct {
	ID             string
	Title          rules.Text // the candidate's, or else the running set's
	Newly, Stopped int
	Precision      string
}

// backtestRow is one organisation's change under one indicator or step.
type backtestRow struct {
	Number, Ref, Name string
	Change            string
	Outcome           string
	Alerts            []backtest.AlertNote
}

func (s *Server) backtestPage(w http.ResponseWriter, r *http.Request, status int, data backtestPage) {
	v := s.newView(w, r, "backtest", data)
	v.Title = v.T("bt.title")
	s.render(w, r, status, "backtest", v)
}

// uiBacktestForm: GET /admin/regeltest.
func (s *Server) uiBacktestForm(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	s.backtestPage(w, r, http.StatusOK, backtestPage{Form: &formState{Values: url.Values{"every": {"7"}}}})
	return nil
}

// uiBacktest: POST /admin/regeltest.
func (s *Server) uiBacktest(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, file, err := readMultipart(r, backtestFields...)
	if err != nil {
		return err
	}
	vals.Del(access.CSRFField)
	lang := uiLang(w, r)
	form := &formState{Values: vals, Errors: map[string]string{}}
	name, data := "kandidat.yaml", []byte(vals.Get("pack"))
	if file != nil {
		if data, err = readCandidate(file.Open); err != nil {
			return err
		}
		if base := path.Base(strings.ReplaceAll(file.Filename, `\`, "/")); base != "." && base != "/" {
			name = base
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		form.Errors["pack"] = uiT(lang, "bt.err.nopack")
	}
	every := strings.TrimSpace(vals.Get("every"))
	if _, err := strconv.Atoi(every); err == nil {
		every += "d" // the form asks for days
	}
	dates, err := backtest.ParseRange(vals.Get("from"), vals.Get("to"), every, s.now(), BacktestMaxDates)
	var pe *watchlist.ParamError
	if errors.As(err, &pe) {
		form.Errors[pe.Field] = uiT(lang, "fe.other", pe.Problem)
	} else if err != nil {
		return err
	}
	if len(form.Errors) > 0 {
		s.backtestPage(w, r, http.StatusBadRequest, backtestPage{Form: form})
		return nil
	}
	cand, err := rules.Load(map[string][]byte{name: data}, s.RuleOverrides)
	var res rules.Errors
	if errors.As(err, &res) {
		page := backtestPage{Form: form}
		for _, e := range res {
			page.PackErrors = append(page.PackErrors, e.Error())
		}
		form.General = uiT(lang, "bt.err.compile")
		s.backtestPage(w, r, http.StatusBadRequest, page)
		return nil
	} else if err != nil {
		return err
	}
	if !s.backtests.TryLock() {
		form.General = uiT(lang, "bt.err.busy")
		s.backtestPage(w, r, http.StatusServiceUnavailable, backtestPage{Form: form})
		return nil
	}
	defer s.backtests.Unlock()
	running := s.Screener.Rules()
	d := map[string]string{"running": running.Version(), "candidate": cand.Version(), "dates": strconv.Itoa(len(dates)),
		"from": dates[0].Format(time.RFC3339), "to": dates[len(dates)-1].Format(time.RFC3339)}
	if _, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: AuditBacktest, Object: "rules", Detail: d}); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), BacktestTimeout)
	defer cancel()
	rep, err := backtest.Run(ctx, backtest.Params{Store: s.Store, Running: running, Candidate: cand,
		Config: s.Screener.Settings(), Dates: dates, Workers: 2})
	if errors.Is(err, context.DeadlineExceeded) {
		form.General = uiT(lang, "bt.err.timeout", int(BacktestTimeout/time.Second))
		s.backtestPage(w, r, http.StatusServiceUnavailable, backtestPage{Form: form})
		return nil
	} else if err != nil {
		return err
	}
	s.backtestPage(w, r, http.StatusOK, backtestPage{Form: form, Report: rep, Dates: s.backtestDates(lang, p, rep, cand)})
	return nil
}

// readCandidate reads an uploaded pack file.
func readCandidate(open func() (multipart.File, error)) ([]byte, error) {
	f, err := open()
	if err != nil {
		return nil, badField("file", "cannot be read: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxCandidateBody+1))
	if err != nil {
		return nil, badField("file", "cannot be read: %v", err)
	}
	if len(data) > MaxCandidateBody {
		return nil, badField("file", "over %d bytes", MaxCandidateBody)
	}
	return data, nil
}

// backtestDates turns the report into what the page shows.
func (s *Server) backtestDates(lang string, p *access.Principal, rep *backtest.Report, cand *rules.Set) []backtestDate {
	var out []backtestDate
	row := func(o *backtest.Org, change string, at time.Time) backtestRow {
		return backtestRow{Number: orgnrShown(p, o.Orgnr, at), Ref: ref(p, o.Orgnr, o.Orgnr), Name: o.Name, Change: change,
			Outcome: uiT(lang, "bt.outcome."+o.Outcome), Alerts: o.Alerts}
	}
	for _, d := range rep.Dates {
		bd := backtestDate{At: d.At, Screened: d.Screened, Precision: precisionText(lang, d.Precision)}
		for _, c := range d.Indicators {
			var title rules.Text
			if r := cand.Rule(c.ID); r != nil {
				title = r.Title
			} else if r := s.Screener.Rules().Rule(c.ID); r != nil {
				title = r.Title
			}
			bd.Indicators = append(bd.Indicators, backtestIndicator{ID: c.ID, Title: title, Newly: len(c.Newly), Stopped: len(c.Stopped),
				Precision: precisionText(lang, c.Precision)})
			for _, o := range c.Newly {
				bd.Rows = append(bd.Rows, row(o, uiT(lang, "bt.change.newly", c.ID), d.At))
			}
			for _, o := range c.Stopped {
				bd.Rows = append(bd.Rows, row(o, uiT(lang, "bt.change.stopped", c.ID), d.At))
			}
		}
		for _, c := range d.Steps {
			for _, o := range c.Orgs {
				bd.Rows = append(bd.Rows, row(o, uiT(lang, "bt.change.step", string(c.From), string(c.To)), d.At))
			}
		}
		out = append(out, bd)
	}
	return out
}

// precisionText is an estimate in words.
func precisionText(lang string, p backtest.Precision) string {
	if p.Estimate == nil {
		return uiT(lang, "bt.precision.none", p.NoOutcome)
	}
	right := p.Confirmed + p.Justified
	return uiT(lang, "bt.precision", right, right+p.FalseAlarm, fmt.Sprintf("%.0f", *p.Estimate*100),
		p.Confirmed, p.Justified, p.FalseAlarm, p.NoOutcome)
}
