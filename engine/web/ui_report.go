package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/report"
)

// The committee's report (engine/report): GET /report shows it for a
// period (from, to: dates; default the calendar year to date) with its
// charts; GET /report/rapport.pdf, .csv and .json download it. For
// coordinators and above (view_persons: the suppliers' names may be a
// sole trader's).

// reportFiles are the downloads: the file's name → its format and type.
var reportFiles = map[string]struct{ format, contentType string }{
	"rapport.pdf":  {"pdf", "application/pdf"},
	"rapport.csv":  {"csv", "text/csv; charset=utf-8"},
	"rapport.json": {"json", "application/json"},
}

// ReportSuppliers is how many suppliers, the largest first, the page
// lists; the downloads list them all.
const ReportSuppliers = 25

type reportPage struct {
	Form      *formState
	R         *report.Report
	Charts    []template.HTML // the charts as SVG, built by engine/report
	Suppliers []report.Spend  // the largest ReportSuppliers
	From, To  string          // the period's days, for the downloads' links
}

// reportPeriod reads from and to (YYYY-MM-DD) from the query: missing,
// the calendar year up to today. bad names, per field it cannot read,
// what is wrong: "date" (not a date) or "order" (to before from).
func (s *Server) reportPeriod(q url.Values) (from, to time.Time, bad map[string]string) {
	now := s.now().UTC()
	from, to, bad = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC), now, map[string]string{}
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(f.name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				bad[f.name] = "date"
				continue
			}
			*f.t = t
		}
	}
	if len(bad) == 0 && to.Before(from) {
		bad["to"] = "order"
	}
	return from, to, bad
}

// reportForm is the period's form: the period read, or the problems.
func (s *Server) reportForm(r *http.Request, lang string) (from, to time.Time, form *formState) {
	q := r.URL.Query()
	from, to, bad := s.reportPeriod(q)
	form = &formState{Values: q, Errors: map[string]string{}}
	for field, code := range bad {
		form.Errors[field] = uiT(lang, "report.err."+code)
	}
	form.Values.Set("from", from.Format(time.DateOnly))
	form.Values.Set("to", to.Format(time.DateOnly))
	return from, to, form
}

func (s *Server) computeReport(from, to time.Time) (*report.Report, error) {
	return report.Compute(s.Store, s.Desk, report.Options{From: from, To: to, Municipality: s.Municipality.Name, Now: s.now()})
}

// uiReport: GET /report?from=&to=.
func (s *Server) uiReport(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	lang := uiLang(w, r)
	from, to, form := s.reportForm(r, lang)
	data := reportPage{Form: form}
	status := http.StatusOK
	if len(form.Errors) > 0 {
		status = http.StatusBadRequest
	} else {
		rep, err := s.computeReport(from, to)
		if err != nil {
			return fmt.Errorf("web: report: %w", err)
		}
		data.R = rep
		v := &view{Lang: lang}
		words := report.Words{LoyaltyTitle: uiT(lang, "report.chart.loyalty"), AlertsTitle: uiT(lang, "report.chart.alerts"),
			Category: func(c string) string { return v.L("ccat", c) }, Percent: v.Pct}
		for _, c := range rep.Charts(words) {
			data.Charts = append(data.Charts, template.HTML(c.SVG()))
		}
		data.Suppliers = rep.Suppliers[:min(len(rep.Suppliers), ReportSuppliers)]
		data.From, data.To = rep.From.Format(time.DateOnly), rep.To.Format(time.DateOnly)
	}
	v := s.newView(w, r, "report", data)
	v.Title = v.T("report.title")
	s.render(w, r, status, "report", v)
	return nil
}

// uiReportFile: GET /report/{file}?from=&to=, file one of reportFiles.
func (s *Server) uiReportFile(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	f, ok := reportFiles[r.PathValue("file")]
	if !ok {
		return errStatus(http.StatusNotFound, "no such report file")
	}
	from, to, bad := s.reportPeriod(r.URL.Query())
	if err := reportPeriodError(bad); err != nil {
		return err
	}
	rep, err := s.computeReport(from, to)
	if err != nil {
		return fmt.Errorf("web: report: %w", err)
	}
	var buf bytes.Buffer
	if err := rep.Write(&buf, f.format); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="rapport-%s-%s.%s"`, rep.From.Format(time.DateOnly), rep.To.Format(time.DateOnly), f.format))
	_, err = w.Write(buf.Bytes())
	return err
}

// Days is a number of days with one decimal at most.
func (v *view) Days(d float64) string { return uiDecimal(v.Lang, d) }

// Count is a count, with the language's thousands separator.
func (v *view) Count(n int) string { return uiInt(v.Lang, int64(n)) }

// reportPeriodError is the API's answer to a period it cannot read.
func reportPeriodError(bad map[string]string) error {
	for _, field := range []string{"from", "to"} {
		switch bad[field] {
		case "date":
			return badField(field, "want a date (2026-01-01)")
		case "order":
			return badField(field, "before from")
		}
	}
	return nil
}

// getReport: GET /api/v1/report?from=&to=: the committee's report as
// JSON, as `vaksam report --format json` prints it.
func (s *Server) getReport(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := queryParams(r, "from", "to")
	if err != nil {
		return err
	}
	from, to, bad := s.reportPeriod(q)
	if err := reportPeriodError(bad); err != nil {
		return err
	}
	rep, err := s.computeReport(from, to)
	if err != nil {
		return fmt.Errorf("web: report: %w", err)
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
