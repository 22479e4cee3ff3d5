package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/workplace"
)

// precisionDays is the period the Träffsäkerhet page shows unless asked
// for another: the last 90 days, today included.
const precisionDays = 90

// precisionPage is the data of the Träffsäkerhet page.
type precisionPage struct {
	From, To string // the form's dates; To is the last day shown (inclusive)
	Field    string // the form's field in error, "" for none
	Error    string
	P        *workplace.Precision
	Rows     []workplace.IndicatorStats // the indicators that fired or took part in an alert
	Quiet    int                        // the others, not shown
}

// uiPrecision: GET /precision?from=&to=, the precision per indicator for
// the days from and to (both included; dates, in Sweden); by default the
// last precisionDays days. A date that cannot be read shows the form with
// its problem (400).
func (s *Server) uiPrecision(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	q, err := queryParams(r, "from", "to")
	if err != nil {
		return err
	}
	today := s.now().In(record.Stockholm)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, record.Stockholm)
	data := precisionPage{From: q.Get("from"), To: q.Get("to")}
	if data.From == "" {
		data.From = today.AddDate(0, 0, -precisionDays+1).Format(time.DateOnly)
	}
	if data.To == "" {
		data.To = today.Format(time.DateOnly)
	}
	v := s.newView(w, r, "precision", nil)
	v.Title = v.T("prec.title")
	status := http.StatusOK
	from, ferr := time.ParseInLocation(time.DateOnly, data.From, record.Stockholm)
	last, terr := time.ParseInLocation(time.DateOnly, data.To, record.Stockholm)
	switch {
	case ferr != nil:
		data.Field, data.Error = "from", v.T("fe.date")
	case terr != nil:
		data.Field, data.Error = "to", v.T("fe.date")
	case last.Before(from):
		data.Field, data.Error = "to", v.T("prec.bad.order")
	}
	if data.Field == "" {
		p, err := s.precision(from, last.AddDate(0, 0, 1))
		var ae *apiError
		if errors.As(err, &ae) {
			data.Field, data.Error = ae.field, v.T("prec.bad.order")
		} else if err != nil {
			return err
		}
		data.P = p
	}
	if data.P != nil {
		for _, row := range data.P.Indicators {
			if row.Hits == 0 && row.Alerts == 0 {
				data.Quiet++
				continue
			}
			data.Rows = append(data.Rows, row)
		}
	} else {
		status = http.StatusBadRequest
	}
	v.Data = data
	s.render(w, r, status, "precision", v)
	return nil
}

// DurationDays is a duration in days, at most one decimal.
func (v *view) DurationDays(d time.Duration) string { return v.Days(d.Hours() / 24) }
