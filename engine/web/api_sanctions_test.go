package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// putSanctionsList stores one import of the EU list as engine/record
// lists.go says (the entities and the version record, all observed at
// at): what the sanctions-eu source's import stores.
func putSanctionsList(t testing.TB, st *store.Store, at time.Time, sha string, entities ...sanctions.Entity) {
	t.Helper()
	obs := watchlist.Snapshot(record.SanctionsEU, record.ListVersion{Published: at, SHA256: sha}, entities, at)
	if _, err := st.Put(obs); err != nil {
		t.Fatal(err)
	}
}

// sampleListing is a listed person who shares Sara Holm's name (the
// sample supplier's VD), and an organisation carrying the sample
// supplier's own organisation number.
func sampleListing(remarks string) []sanctions.Entity {
	return []sanctions.Entity{
		{List: sanctions.EU, ID: "EU.100.1", Kind: sanctions.Person, Names: []sanctions.Name{{Full: "Sarah Holm"}}, BirthDates: []string{"1955"},
			Remarks: remarks},
		{List: sanctions.EU, ID: "EU.200.2", Kind: sanctions.Organisation, Names: []sanctions.Name{{Full: "Omsorgshuset Norr Aktiebolag"}},
			Identifiers: []sanctions.Identifier{{Type: "registration", Value: "559123-4561", Country: "SE"}}},
	}
}

func TestSanctionsSearchAPI(t *testing.T) {
	f := newFixture(t)
	f.as("bo")
	f.trail() // the logins
	path := "/api/v1/sanctions/search?" + url.Values{"name": {"Holm Sara"}, "type": {"person"}}.Encode()

	putSanctionsList(t, f.st, instant(t, "2026-11-21"), strings.Repeat("1f", 32), sampleListing("")...)
	for _, w := range []who{f.as("bo"), f.token("robot")} { // a viewer and a coordinator's token may
		var res watchlist.SearchResult
		f.ok(http.StatusOK, w, http.MethodGet, path, "", &res)
		if len(res.Candidates) != 1 || res.Candidates[0].EntityID != "EU.100.1" || !res.Candidates[0].Match ||
			!strings.HasPrefix(res.Candidates[0].ListVersion, "EU 2026-11-21") || len(res.Lists) != 1 {
			t.Fatalf("as %s: %+v", w.name, res)
		}
	}
	es := f.wantTrail("sanctions.search bo sanctions", "sanctions.search robot sanctions")
	if d := es[0].Detail; d["name"] != "Holm Sara" || d["type"] != "person" || d["matches"] != "1" || d["via"] != "api" {
		t.Errorf("audit detail %v", d)
	}
	// As of a time: the lists in force then. Before the import there was
	// none; after it, the listed person.
	var then watchlist.SearchResult
	f.ok(http.StatusOK, f.as("bo"), http.MethodGet, path+"&at=2026-11-19", "", &then)
	if len(then.Lists) != 0 || len(then.Candidates) != 0 || then.Note == "" || !then.At.Equal(instant(t, "2026-11-19")) {
		t.Errorf("as of 2026-11-19: %+v", then)
	}
	f.ok(http.StatusOK, f.as("bo"), http.MethodGet, path+"&at=2026-11-21T12:00:00Z", "", &then) // the list naming nobody
	if len(then.Lists) != 1 || len(then.Candidates) != 0 {
		t.Errorf("as of 2026-11-21 12:00: %+v", then)
	}
	f.ok(http.StatusOK, f.as("bo"), http.MethodGet, path+"&at=2026-11-22T12:00:00Z", "", &then)
	if len(then.Candidates) != 1 || then.Candidates[0].EntityID != "EU.100.1" {
		t.Errorf("as of 2026-11-22 12:00: %+v", then)
	}
	if es := f.wantTrail("sanctions.search bo sanctions", "sanctions.search bo sanctions", "sanctions.search bo sanctions"); es[2].Detail["at"] != "2026-11-22T12:00:00Z" {
		t.Errorf("audit detail %v", es[1].Detail)
	}
	// Nobody signed in may not.
	if rec := f.do(anon, http.MethodGet, path, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", rec.Code)
	}
	for q, field := range map[string]string{"name=x&type=vessel": "type", "name=x&birth_year=sixty": "birth_year",
		"name=x&threshold=7": "threshold", "name=x&limit=0": "limit", "type=person": "name", "name=x&q=y": "q",
		"name=x&at=yesterday": "at"} {
		rec := f.do(f.as("bo"), http.MethodGet, "/api/v1/sanctions/search?"+q, "")
		if e := errorOf(t, rec); rec.Code != http.StatusBadRequest || e.Field != field {
			t.Errorf("%s: %d %+v, want 400 naming %s", q, rec.Code, e, field)
		}
	}
	f.wantTrail() // a refused search is not a search
}

func TestSanctionsJudgementsAPI(t *testing.T) {
	f := newFixture(t)
	putSanctionsList(t, f.st, instant(t, "2026-11-21"), strings.Repeat("1f", 32), sampleListing("")...)
	f.as("bo")
	f.as("anna")
	f.trail() // the logins
	jpath := "/api/v1/suppliers/" + sampleOrg + "/sanctions/judgements"
	org := `{"subject":"organisation","list":"eu","entity_id":"EU.100.1","reason":"Annan person: född 1955, vår VD 1982."}`

	// A viewer may not judge, nor a session without its CSRF token.
	if rec := f.do(f.as("bo"), http.MethodPost, jpath, org); rec.Code != http.StatusForbidden {
		t.Errorf("viewer: %d %s", rec.Code, rec.Body)
	}
	if rec := f.send(f.as("anna"), false, http.MethodPost, jpath, org); rec.Code != http.StatusForbidden {
		t.Errorf("no CSRF token: %d %s", rec.Code, rec.Body)
	}
	f.wantTrail()

	var j watchlist.JudgementState
	f.ok(http.StatusCreated, f.as("anna"), http.MethodPost, jpath, org, &j)
	if !j.InForce || j.State != watchlist.InForce || j.Author != "anna" || j.EntityHash == "" || j.Orgnr != sampleOrg {
		t.Errorf("judgement %+v", j)
	}
	es := f.wantTrail("sanctions.judgement anna " + sampleOrg)
	if d := es[0].Detail; d["reason"] != "Annan person: född 1955, vår VD 1982." || d["entity_hash"] != j.EntityHash || d["entity_id"] != "EU.100.1" {
		t.Errorf("audit detail %v", d)
	}

	// The identifier match is never set aside; an entity not listed has
	// no entry to judge.
	rec := f.do(f.as("anna"), http.MethodPost, jpath, `{"subject":"organisation","list":"eu","entity_id":"EU.200.2","reason":"x"}`)
	if e := errorOf(t, rec); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(e.Error, "identifier match") {
		t.Errorf("identifier match: %d %+v", rec.Code, e)
	}
	rec = f.do(f.as("anna"), http.MethodPost, jpath, `{"subject":"organisation","list":"eu","entity_id":"EU.999","reason":"x"}`)
	if e := errorOf(t, rec); rec.Code != http.StatusConflict || e.Field != "entity_id" {
		t.Errorf("not listed: %d %+v", rec.Code, e)
	}
	for body, field := range map[string]string{
		`{"subject":"PAAAAAAAAAAAAAAAAAAAA","list":"eu","entity_id":"EU.100.1","reason":"x"}`:  "subject", // not a representative
		`{"subject":"Anna","list":"eu","entity_id":"EU.100.1","reason":"x"}`:                   "subject",
		`{"subject":"organisation","list":"us","entity_id":"EU.100.1","reason":"x"}`:           "list",
		`{"subject":"organisation","list":"eu","entity_id":"EU.100.1","reason":" "}`:           "reason",
		`{"subject":"organisation","list":"eu","entity_id":"EU.100.1"}`:                        "reason",
		`{"subject":"organisation","list":"eu","entity_id":"EU.100.1","reason":"x","extra":1}`: "extra",
	} {
		rec := f.do(f.as("anna"), http.MethodPost, jpath, body)
		if e := errorOf(t, rec); rec.Code != http.StatusBadRequest || e.Field != field {
			t.Errorf("%s: %d %+v, want 400 naming %s", body, rec.Code, e, field)
		}
	}
	f.wantTrail()

	var list judgementList
	f.ok(http.StatusOK, f.as("bo"), http.MethodGet, jpath, "", &list)
	if len(list.Judgements) != 1 || !list.Judgements[0].InForce {
		t.Fatalf("list: %+v", list)
	}
	// A new list version changes the entry: the judgement is void.
	putSanctionsList(t, f.st, instant(t, "2026-11-22T08:00:00Z"), strings.Repeat("2e", 32), sampleListing("Omprövad 2026-11-22.")...)
	f.ok(http.StatusOK, f.as("bo"), http.MethodGet, jpath, "", &list)
	if len(list.Judgements) != 1 || list.Judgements[0].InForce || list.Judgements[0].State != watchlist.EntryChanged {
		t.Fatalf("after the entry changed: %+v", list)
	}
	rec = f.do(f.as("anna"), http.MethodPost, "/api/v1/suppliers/5569000002/sanctions/judgements", org)
	if rec.Code != http.StatusNotFound {
		t.Errorf("an organisation nothing is known of: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(anon, http.MethodGet, jpath, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", rec.Code)
	}
}

// A store that holds no list answers an empty search with the note, and
// the search is on the trail all the same.
func TestSanctionsSearchNoLists(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := &audit.Log{Store: st}
	srv := &Server{Store: st, Audit: log, Now: func() time.Time { return instant(t, "2026-11-22") }}
	res, err := srv.findSanctions(&access.Principal{UserID: "bo", Roles: []access.Role{access.Viewer}}, "Sara Holm", "", "", "", "", "", "api")
	if err != nil || res.Note != watchlist.NoListsNote || len(res.Candidates) != 0 || len(res.Lists) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	es, err := log.Entries(1, 0)
	if err != nil || len(es) != 1 || es[0].Action != AuditSanctionsSearch || es[0].Detail["name"] != "Sara Holm" {
		t.Fatalf("trail %+v %v", es, err)
	}
}

// A coordinator's judgement that a representative is not the listed
// person holds across re-screenings, is reproduced by a screening as of a
// time after it, and is void once the list entry changes: the candidate
// counts again.
func TestSanctionsJudgementAcrossRescreeningAndListChange(t *testing.T) {
	f := newFixture(t)
	listed := func(remarks string) []sanctions.Entity {
		return []sanctions.Entity{{List: sanctions.EU, ID: "EU.300.1", Kind: sanctions.Person, Names: []sanctions.Name{{Full: "Sara Holm"}}, Remarks: remarks}}
	}
	putSanctionsList(t, f.st, instant(t, "2026-11-21T09:00:00Z"), strings.Repeat("3a", 32), listed("")...)
	screen := func(at string) (*screening.Assessment, *profile.Sanction) {
		t.Helper()
		as, err := f.sc.Screen(context.Background(), []ident.Org{ident.MustOrg(sampleOrg)}, screening.Options{At: instant(t, at), Save: true})
		if err != nil || len(as) != 1 {
			t.Fatalf("screen as of %s: %v", at, err)
		}
		for _, s := range as[0].Sanctions {
			if s.EntityID == "EU.300.1" && s.Subject == "person" {
				return as[0], s
			}
		}
		t.Fatalf("as of %s: no candidate EU.300.1 among %+v", at, as[0].Sanctions)
		return nil, nil
	}
	fires := func(a *screening.Assessment, id string) bool {
		return slices.ContainsFunc(a.Hits, func(h screening.Hit) bool { return h.ID == id })
	}
	a, cand := screen("2026-11-22T07:00:00Z")
	if !fires(a, "S18M") || cand.Dismissed {
		t.Fatalf("before the judgement: hits %v, candidate %+v: want S18M", a.Hits, cand)
	}

	f.as("anna")
	var j watchlist.JudgementState
	f.ok(http.StatusCreated, f.as("anna"), http.MethodPost, "/api/v1/suppliers/"+sampleOrg+"/sanctions/judgements",
		`{"subject":"`+cand.Person+`","list":"eu","entity_id":"EU.300.1","reason":"Annan person: vår VD är född i Sverige 1982 och har aldrig bott utomlands."}`, &j)

	for _, at := range []string{"2026-11-22T09:00:00Z", "2026-11-22T12:00:00Z"} { // two re-screenings
		a, cand = screen(at)
		if fires(a, "S18M") || fires(a, "S18H") || !cand.Dismissed {
			t.Fatalf("as of %s, after the judgement: hits %v, candidate %+v: want dismissed, quiet", at, a.Hits, cand)
		}
	}
	// As of before the judgement, it did not exist: reproducible.
	if a, cand = screen("2026-11-22T07:30:00Z"); !fires(a, "S18M") || cand.Dismissed {
		t.Fatalf("as of before the judgement: hits %v, candidate %+v", a.Hits, cand)
	}

	// A new list version changes the entry: the judgement is void.
	putSanctionsList(t, f.st, instant(t, "2026-11-22T13:00:00Z"), strings.Repeat("3b", 32), listed("Ändrad: nytt födelseland.")...)
	if a, cand = screen("2026-11-22T14:00:00Z"); !fires(a, "S18M") || cand.Dismissed {
		t.Fatalf("after the entry changed: hits %v, candidate %+v: want S18M again", a.Hits, cand)
	}
}
