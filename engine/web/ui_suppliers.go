package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/workplace"
)

// suppliersPerPage is how many suppliers a page of the list shows.
const suppliersPerPage = 50

type suppliersPage struct {
	Q         string
	Rows      []supplierRow
	Total     int
	Count     string // "1 leverantör", "2 leverantörer"
	Page      int
	Pages     int
	PrevURL   string
	NextURL   string
	Truncated bool
}

// supplierRow is one supplier of the list.
type supplierRow struct {
	Ref        string // the number, or its sealed reference, for the link
	Name       string
	Number     string // NNNNNN-NNNN, masked for a sole trader p may not see
	Screened   bool
	AssessedAt time.Time
	Step       ladder.Step
	Score      float64
	Incomplete bool
	Match      workplace.Match
	Address    string
	OpenAlert  string // its reference, "" for none
}

// suppliersURL is the list's URL for a search text and a page.
func suppliersURL(text string, page int) string {
	q := url.Values{}
	if text != "" {
		q.Set("q", text)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return "/suppliers"
	}
	return "/suppliers?" + q.Encode()
}

// pageParam is a query's page: 1 when absent.
func pageParam(q url.Values) (int, error) {
	v := q.Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, badField("page", "%s is not a page number", excerpt.Quote(v))
	}
	return n, nil
}

// uiSuppliers: GET /suppliers?q=&page=, the suppliers the search finds
// (findSuppliers, as GET /api/v1/suppliers), by name.
func (s *Server) uiSuppliers(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q := r.URL.Query()
	text, err := searchText(q)
	if err != nil {
		return err
	}
	page, err := pageParam(q)
	if err != nil {
		return err
	}
	res, err := s.findSuppliers(p, text, "web")
	if err != nil {
		return err
	}
	data := suppliersPage{Q: text, Total: len(res.Found), Truncated: res.Truncated}
	_, _, data.Pages = workplace.Page(data.Total, 1, suppliersPerPage)
	data.Page = min(page, data.Pages)
	lo, hi, _ := workplace.Page(data.Total, data.Page, suppliersPerPage)
	now := s.now()
	for _, f := range res.Found[lo:hi] {
		row := supplierRow{Ref: ref(p, f.Orgnr, f.Orgnr), Name: nameFor(p, f.Orgnr, f.Name), Number: orgnrShown(p, f.Orgnr, now), Match: f.By}
		sum, err := s.foundFacts(p, f, &row.Address, &row.OpenAlert)
		if err != nil {
			return err
		}
		row.Address = strings.Replace(row.Address, "|", ", ", 1) // STREET|POSTAL CODE, normalised
		if f.Result != nil {
			row.Screened, row.AssessedAt = true, f.Result.At
			row.Step, row.Score, row.Incomplete = sum.Step, sum.Score, sum.Incomplete
		}
		data.Rows = append(data.Rows, row)
	}
	if data.Page > 1 {
		data.PrevURL = suppliersURL(text, data.Page-1)
	}
	if data.Page < data.Pages {
		data.NextURL = suppliersURL(text, data.Page+1)
	}
	v := s.newView(w, r, "suppliers", nil)
	v.Title = v.T("sup.title")
	data.Count = countText(v.Lang, "sup.count", data.Total)
	v.Data = data
	s.render(w, r, http.StatusOK, "suppliers", v)
	return nil
}

// countText is the catalogue's key with n, its thousands separated; n of
// 1 takes the key's singular ("<key>.one"), as uiT does for a format
// whose first count is 1.
func countText(lang, key string, n int) string {
	if n == 1 {
		key += ".one"
	}
	return uiT(lang, key, uiInt(lang, int64(n)))
}

// orgnrShown is an organisation's number as a page shows it to p:
// NNNNNN-NNNN (ident.Org.Separated), masked when p may not see it.
func orgnrShown(p *access.Principal, orgnr string, at time.Time) string {
	if hidden(p, orgnr) {
		return orgnrFor(p, orgnr)
	}
	return ident.MustOrg(orgnr).Separated(at)
}
