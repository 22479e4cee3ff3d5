package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/workplace"
)

// What the API and the UI both read of a supplier: the organisation of
// the path, its supplier view and its raw records.

// orgParam reads the {orgnr} of the path (or the sealed reference that
// stands for it: personal.go).
func orgParam(r *http.Request) (ident.Org, error) {
	o, err := ident.ParseOrg(pathValue(r, "orgnr"))
	if err != nil {
		var ie *ident.Error
		if errors.As(err, &ie) {
			return o, badField("orgnr", "%s", ie.Reason)
		}
		return o, badField("orgnr", "not an organisation number")
	}
	return o, nil
}

// supplier is the supplier view of o as of now (workplace.Supplier), 404
// when nothing is known of it; each sees every assessment.
func (s *Server) supplier(o ident.Org, each func(*screening.Assessment)) (*workplace.Supplier, error) {
	sv, err := s.workplace().Supplier(o.String(), s.now(), each)
	if errors.Is(err, workplace.ErrUnknown) {
		return nil, errStatus(http.StatusNotFound, "organisation %s: nothing is known of it", o.Redacted())
	}
	return sv, err
}

// rawRecords are the organisation's raw records the query's source and
// key pick (workplace.RawRecords), 404 when none; raw records may name
// persons, so audit.ViewRaw is written (via the API or the web) before
// they are shown.
func (s *Server) rawRecords(p *access.Principal, via string, o ident.Org, q url.Values) ([]workplace.RawRecord, error) {
	_, keyGiven := q["key"]
	f := workplace.RecordFilter{Source: q.Get("source"), Key: q.Get("key"), KeyGiven: keyGiven}
	if fe := f.Check(); fe != nil {
		return nil, badField(fe.Field, "%s", fe.Problem)
	}
	recs, versions, err := s.workplace().RawRecords(o.String(), f)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, errStatus(http.StatusNotFound, "organisation %s: no such records", o.Redacted())
	}
	d := map[string]string{"via": via, "records": strconv.Itoa(len(recs)), "versions": strconv.Itoa(versions)}
	if f.Source != "" {
		d["source"] = f.Source
	}
	if keyGiven {
		d["key"] = f.Key
	}
	if _, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: audit.ViewRaw, Object: o.String(), Detail: d}); err != nil {
		return nil, err
	}
	return recs, nil
}
