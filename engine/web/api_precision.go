package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/workplace"
)

// indicatorPrecision: GET /api/v1/indicators/precision?from=&to=, the
// precision per indicator over [from, to) (workplace.Precision): from
// and to are RFC 3339 times or dates (the start of that day in Sweden),
// both required.
func (s *Server) indicatorPrecision(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	q, err := queryParams(r, "from", "to")
	if err != nil {
		return err
	}
	var from, to time.Time
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		v := q.Get(f.name)
		if v == "" {
			return badField(f.name, "required: a date (2027-01-31) or an RFC 3339 time")
		}
		if *f.t, err = parseWhen(f.name, v); err != nil {
			return err
		}
	}
	p, err := s.precision(from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// precision is workplace.Precision, a period it refuses a 400 naming the
// field.
func (s *Server) precision(from, to time.Time) (*workplace.Precision, error) {
	p, err := s.workplace().Precision(from, to)
	var pe *workplace.PeriodError
	if errors.As(err, &pe) {
		return nil, badField(pe.Field, "%s", pe.Problem)
	}
	return p, err
}
