package web

import (
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/workplace"
)

// The supplier search the API (GET /api/v1/suppliers) and the UI (GET
// /suppliers) share.

// searchText is a query's q: trimmed, UTF-8, at most 200 characters.
func searchText(q url.Values) (string, error) {
	text := strings.TrimSpace(q.Get("q"))
	switch n := utf8.RuneCountInString(text); {
	case !utf8.ValidString(text):
		return "", badField("q", "not UTF-8")
	case n > 200:
		return "", badField("q", "longer than 200 characters")
	}
	return text, nil
}

// findSuppliers is workplace.Search as p may make it: by person only with
// view_persons (the text as a pseudonym, or as a personnummer when the
// server has Persons), and a sole trader, to a principal without
// view_persons, only by its whole number. A search that found
// organisations by person appends audit.ViewPersons (via the API or the
// web, object the person's subject) before anything is shown: a
// principal without view_persons gets no person matches and cannot tell
// that the person exists.
func (s *Server) findSuppliers(p *access.Principal, text, via string) (*workplace.SearchResult, error) {
	q := workplace.SearchQuery{Text: text, At: s.now(), Hidden: func(orgnr string) bool { return hidden(p, orgnr) }}
	if p.Can(access.ViewPersons) {
		q.Persons = s.personKeys(text)
	}
	res, err := s.workplace().Search(q)
	if err != nil {
		return nil, err
	}
	for _, k := range slices.Sorted(maps.Keys(res.Persons)) {
		d := map[string]string{"via": via, "view": "search", "organisations": strconv.Itoa(res.Persons[k])}
		if _, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: audit.ViewPersons,
			Object: record.PersonSubjectPrefix + k, Detail: d}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// personKeys are the pseudonyms a search text may name: a personnummer's
// (only when the server has Persons), else the text itself when it could
// be one (one word).
func (s *Server) personKeys(text string) []string {
	if text == "" || strings.ContainsFunc(text, unicode.IsSpace) {
		return nil
	}
	if pn, err := ident.ParsePersonAt(text, s.now()); err == nil {
		if s.Persons == nil {
			return nil
		}
		return []string{s.Persons.Pseudonym(pn)}
	}
	return []string{text}
}

// foundFacts is what both lists show of an organisation found, as p may
// see it: the summary of its newest result (zero when never screened or
// unreadable); into address, the address it was found at; into
// openAlert, its open alert's reference ("" for none).
func (s *Server) foundFacts(p *access.Principal, f workplace.Found, address, openAlert *string) (event.Result, error) {
	var sum event.Result
	if f.Result != nil && len(f.Result.Summary) > 0 && json.Unmarshal(f.Result.Summary, &sum) != nil {
		sum = event.Result{}
	}
	if f.By == workplace.ByAddress && !hidden(p, f.Orgnr) {
		*address = f.Address
	}
	al, err := s.Desk.OpenAlert(f.Orgnr)
	if err != nil || al == nil {
		return sum, err
	}
	*openAlert = ref(p, f.Orgnr, al.ID)
	return sum, nil
}
