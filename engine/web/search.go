package web

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
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
	if err != nil || res.PersonOrgs == 0 {
		return res, err
	}
	for _, k := range q.Persons {
		d := map[string]string{"via": via, "view": "search", "organisations": strconv.Itoa(res.PersonOrgs)}
		if _, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: audit.ViewPersons,
			Object: record.PersonSubjectPrefix + k, Detail: d}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// personKeys are the pseudonyms a search text may name: the text itself
// when it could be one (one word), and a personnummer's pseudonym when
// the server has Persons.
func (s *Server) personKeys(text string) []string {
	if text == "" || strings.ContainsFunc(text, unicode.IsSpace) {
		return nil
	}
	keys := []string{text}
	if s.Persons != nil {
		if pn, err := ident.ParsePersonAt(text, s.now()); err == nil {
			keys = append(keys, s.Persons.Pseudonym(pn))
		}
	}
	return keys
}
