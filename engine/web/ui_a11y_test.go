package web

import (
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The footer names the configured contact and links the accessibility
// statement (the built-in one unless another is configured), on every
// page, for everyone who sees a page: signed in in any role or not.
func TestUIFooter(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name      string
		footer    Footer
		want, not []string
	}{
		{name: "nothing configured", want: []string{`<a href="/tillganglighet">Tillgänglighetsredogörelse</a>`},
			not: []string{"Kontakt:"}},
		{name: "a contact without a link", footer: Footer{Contact: "Kontaktcenter, 0771-00 00 00"},
			want: []string{"<li>Kontakt: Kontaktcenter, 0771-00 00 00</li>", `<a href="/tillganglighet">`}},
		{name: "everything configured", footer: Footer{Contact: "Vaksams förvaltning", ContactURL: "mailto:vaksam@kommun.example.se",
			AccessibilityURL: "https://kommun.example.se/tillganglighet/vaksam"},
			want: []string{`<a href="mailto:vaksam@kommun.example.se">Kontakt: Vaksams förvaltning</a>`,
				`<a href="https://kommun.example.se/tillganglighet/vaksam">Tillgänglighetsredogörelse</a>`},
			not: []string{`href="/tillganglighet"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.srv.Footer = tc.footer
			pages := map[string]string{"anonymous /login": f.page(anon, "/login")}
			for _, u := range []string{"anna", "bo", "cecilia", "dora"} {
				pages[u+" /"] = f.page(f.as(u), "/")
			}
			pages["anna /alerts/"+sampleAlert] = f.page(f.as("anna"), "/alerts/"+sampleAlert)
			for what, body := range pages {
				foot := body[strings.Index(body, `<footer class="foot"`):]
				wantContains(t, what, foot, tc.want...)
				wantNot(t, what, foot, tc.not...)
			}
		})
	}
}

// The built-in accessibility statement is public, in both languages,
// names the contact when there is one, and shows the menu to whoever is
// signed in; with a statement of the municipality's own configured it
// sends everyone there.
func TestUIAccessibilityStatement(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		who       who
		path      string
		want, not []string
	}{
		{who: anon, path: "/tillganglighet", want: []string{"<h1>Tillgänglighetsredogörelse för Vaksam</h1>", "WCAG 2.1", "2018:1937",
			"https://www.digg.se/tdosanmalan", `aria-current="page">Tillgänglighetsredogörelse`, "kontakta den förvaltning"},
			not: []string{"Huvudmeny"}},
		{who: anon, path: "/tillganglighet?lang=en", want: []string{"<h1>Accessibility statement for Vaksam</h1>", "Agency for Digital Government"}},
		{who: f.as("anna"), path: "/tillganglighet", want: []string{"Tillgänglighetsredogörelse för Vaksam", `aria-label="Huvudmeny"`, "Anna"}},
		{who: f.as("bo"), path: "/tillganglighet", want: []string{"Tillgänglighetsredogörelse för Vaksam", `aria-label="Huvudmeny"`}},
		{who: f.as("dora"), path: "/tillganglighet", want: []string{"Tillgänglighetsredogörelse för Vaksam"}},
	} {
		wantContains(t, tc.who.name+" "+tc.path, f.page(tc.who, tc.path), tc.want...)
		wantNot(t, tc.who.name+" "+tc.path, f.page(tc.who, tc.path), tc.not...)
	}

	f.srv.Footer = Footer{Contact: "Vaksams förvaltning", ContactURL: "mailto:vaksam@kommun.example.se"}
	wantContains(t, "with a contact", f.page(anon, "/tillganglighet"),
		`kontakta oss: <a href="mailto:vaksam@kommun.example.se">Vaksams förvaltning</a>.`)

	f.srv.Footer.AccessibilityURL = "https://kommun.example.se/tillganglighet/vaksam"
	for _, w := range []who{anon, f.as("anna"), f.as("bo")} {
		rec := f.get(w, "/tillganglighet")
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != f.srv.Footer.AccessibilityURL {
			t.Errorf("%s with a statement configured: %d to %q, want 303 to it", w.name, rec.Code, rec.Header().Get("Location"))
		}
	}
	if rec := f.browser(anon, http.MethodPost, "/tillganglighet", nil, false); rec.Code == http.StatusOK || rec.Code == http.StatusSeeOther {
		t.Errorf("POST /tillganglighet: %d, want it refused", rec.Code)
	}
}

// Organisation numbers are shown as NNNNNN-NNNN; a sole trader's stays
// masked for those who may not see persons.
func TestUIOrgnr(t *testing.T) {
	v := &view{}
	for in, want := range map[string]string{
		"5591234561":  "559123-4561",
		"6001011235":  "600101-1235", // a sole trader's (a personnummer)
		"559123-4561": "559123-4561",
		"60XXXX-XXXX": "60XXXX-XXXX",
		"5591234562":  "5591234562", // a wrong check digit: as it is
		"s.Zm9vYmFy":  "s.Zm9vYmFy", // a sealed reference
		"":            "",
	} {
		if got := v.Orgnr(in); got != want {
			t.Errorf("Orgnr(%q) = %q, want %q", in, got, want)
		}
	}

	f := newFixture(t)
	for _, tc := range []struct {
		user      string
		want, not []string
	}{
		{user: "anna", want: []string{`<td data-label="Org.nr" class="orgnr">559123-4561</td>`, `class="orgnr">600101-1235</td>`}},
		{user: "bo", want: []string{`class="orgnr">559123-4561</td>`, `class="orgnr">60XXXX-XXXX</td>`}, not: []string{"600101-1235", ">6001011235<"}},
	} {
		wantContains(t, tc.user+" queue", f.page(f.as(tc.user), "/"), tc.want...)
		wantNot(t, tc.user+" queue", f.page(f.as(tc.user), "/"), tc.not...)
	}
	wantContains(t, "supplier", f.page(f.as("anna"), "/suppliers/"+sampleOrg), `<dd class="orgnr">559123-4561</dd>`)
	wantContains(t, "alert", f.page(f.as("anna"), "/alerts/"+sampleAlert), `(<span class="orgnr">559123-4561</span>)`)
}

var (
	tableRe   = regexp.MustCompile(`(?s)<table class="cards[^"]*">.*?</table>`)
	colRe     = regexp.MustCompile(`(?s)<th scope="col"[^>]*>(.*?)</th>`)
	rowRe     = regexp.MustCompile(`(?s)<tr(?: [^>]*)?>(.*?)</tr>`)
	cellRe    = regexp.MustCompile(`<t[dh][ >][^>]*`)
	dataLabel = regexp.MustCompile(`data-label="([^"]*)"`)
	wrapRe    = regexp.MustCompile(`<div class="table-wrap"[^>]*>`)
	tagRe     = regexp.MustCompile(`<[^>]*>`)
	// A wrapper is a named region when it has each of these, in any order.
	namedRegion = []*regexp.Regexp{regexp.MustCompile(` role="region"`), regexp.MustCompile(` tabindex="0"`),
		regexp.MustCompile(` aria-label(ledby)?="[^"]+"`)}
)

// cardProblems checks a page's card tables (table.cards, shown as cards
// on a phone): every body cell's data-label is its column's heading, and
// every scrollable table wrapper is focusable and named.
func cardProblems(page string) []string {
	var out []string
	for _, w := range wrapRe.FindAllString(page, -1) {
		for _, re := range namedRegion {
			if !re.MatchString(w) {
				out = append(out, "a scrollable table is not a focusable, named region: "+w)
				break
			}
		}
	}
	for _, table := range tableRe.FindAllString(page, -1) {
		thead, tbody, _ := strings.Cut(table, "</thead>")
		var cols []string
		for _, m := range colRe.FindAllStringSubmatch(thead, -1) {
			// A heading's text, without the markup that hides it visually.
			cols = append(cols, html.UnescapeString(tagRe.ReplaceAllString(m[1], "")))
		}
		for _, row := range rowRe.FindAllStringSubmatch(tbody, -1) {
			var labels []string
			for _, cell := range cellRe.FindAllString(row[1], -1) {
				m := dataLabel.FindStringSubmatch(cell)
				if m == nil {
					out = append(out, "a card cell without data-label: "+cell)
					continue
				}
				labels = append(labels, html.UnescapeString(m[1]))
			}
			if !slices.Equal(labels, cols) {
				out = append(out, "card labels "+strings.Join(labels, "|")+" are not the columns "+strings.Join(cols, "|"))
			}
		}
	}
	return out
}

// Wide tables are cards on a phone: the queue, an alert's decisions,
// evidence, hearing and history, the decision basis's, and the supplier
// page's (alerts, timeline, network, contracts, invoices, the chart's
// table).
func TestUICards(t *testing.T) {
	f := newFixture(t)
	anna := f.as("anna")
	wantRedirect(t, "decide", f.post(anna, "/alerts/"+sampleAlert+"/decisions", decideForm("havning"), true), "/alerts/")
	d, err := f.desk.Decision(sampleAlert + "-d1")
	if err != nil {
		t.Fatal(err)
	}
	for path, tables := range map[string]int{"/": 1, "/alerts/" + sampleAlert: 3, "/decisions/" + d.ID + "/underlag": 2,
		"/suppliers/" + sampleOrg: 6} {
		body := f.page(anna, path)
		if n := len(tableRe.FindAllString(body, -1)); n < tables {
			t.Errorf("%s: %d card tables, want at least %d", path, n, tables)
		}
		for _, p := range cardProblems(body) {
			t.Errorf("%s: %s", path, p)
		}
	}
	// The check finds what it is for.
	for _, bad := range []string{
		`<div class="table-wrap"><table class="cards"><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td data-label="A">1</td></tr></tbody></table></div>`,
		`<table class="cards"><thead><tr><th scope="col">A</th><th scope="col">B</th></tr></thead><tbody><tr><td data-label="A">1</td><td>2</td></tr></tbody></table>`,
		`<table class="cards"><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td data-label="B">1</td></tr></tbody></table>`,
	} {
		if len(cardProblems(bad)) == 0 {
			t.Errorf("no problem found in %s", bad)
		}
	}
}
