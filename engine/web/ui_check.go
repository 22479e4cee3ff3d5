package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/screening"
)

// The pre-award check form: GET /check shows it, POST /check runs the
// check that NATS vaksam.screen and POST /api/v1/screen run (Server.check:
// the same Checker, the same audit) and shows its answer on the page. The
// answer is not a change a reload should be kept from repeating, so the
// POST answers 200 with the page (a repeat is another check, audited).

// checkPurposes are the purposes a pre-award check may have.
var checkPurposes = []string{"award", "calloff", "direct"}

// checkCategories are the contract categories the form offers ("ccat.*").
var checkCategories = []string{"hvb_barn", "hvb_vuxna", "stodboende", "skyddat_boende", "familjehem_konsulent", "oppenvard",
	"arbetskooperativ", "handledning", "tolk", "larm", "livsmedel", "it", "ovrigt"}

// checkFields are the form's fields (check.html lists them in this order).
var checkFields = []string{"orgnr", "purpose", "category", "value_sek"}

type checkPage struct {
	Form       *formState
	Purposes   []string
	Categories []string
	// The answer, when a check was made.
	Answer     *screening.Assessment
	NotFound   bool // the register does not know the organisation
	Hits       []hitView
	SupplierID string // the organisation's reference for its page's link
	Number     string // its number, NNNNNN-NNNN (masked as orgnrFor)
}

func (s *Server) checkPage(w http.ResponseWriter, r *http.Request, status int, data checkPage) {
	data.Purposes, data.Categories = checkPurposes, checkCategories
	v := s.newView(w, r, "check", data)
	v.Title = v.T("check.title")
	s.render(w, r, status, "check", v)
}

// uiCheckForm: GET /check.
func (s *Server) uiCheckForm(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	s.checkPage(w, r, http.StatusOK, checkPage{Form: &formState{Values: url.Values{"purpose": {"award"}}}})
	return nil
}

// uiCheck: POST /check, orgnr, purpose, category and value_sek as POST
// /api/v1/screen takes them (value_sek in whole kronor, spaces allowed).
func (s *Server) uiCheck(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, err := postForm(r)
	if err != nil {
		return err
	}
	lang := uiLang(w, r)
	form := &formState{Values: vals, Errors: map[string]string{}}
	req := event.ScreenRequest{Orgnr: strings.TrimSpace(vals.Get("orgnr")), Purpose: strings.TrimSpace(vals.Get("purpose")),
		Category: strings.TrimSpace(vals.Get("category"))}
	if v := strings.Join(strings.Fields(vals.Get("value_sek")), ""); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			form.Errors["value_sek"] = uiT(lang, "check.err.value")
		}
		req.ValueSEK = n
	}
	if len(form.Errors) > 0 {
		s.checkPage(w, r, http.StatusBadRequest, checkPage{Form: form})
		return nil
	}
	a, notFound, err := s.check(r.Context(), p, req, "web")
	var re *bus.RequestError
	if errors.As(err, &re) && re.Code == http.StatusBadRequest {
		field := re.Field
		if !slices.Contains(checkFields, field) {
			field = "orgnr"
		}
		form.Errors[field] = uiT(lang, "fe.other", re.Msg)
		s.checkPage(w, r, http.StatusBadRequest, checkPage{Form: form})
		return nil
	}
	if err != nil {
		return err
	}
	data := checkPage{Form: &formState{Values: vals}, Answer: a, NotFound: notFound != nil, Hits: hitViews(a, p),
		SupplierID: ref(p, a.Orgnr, a.Orgnr), Number: orgnrShown(p, a.Orgnr, s.now())}
	status := http.StatusOK
	if data.NotFound {
		status = http.StatusNotFound
	}
	s.checkPage(w, r, status, data)
	return nil
}
