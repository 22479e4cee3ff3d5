package web

import (
	"net/http"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/ident"
)

// The UI's frame for phones and assistive technology: the footer every
// page ends with (a contact and the accessibility statement, both from
// the configuration's footer section), the built-in accessibility
// statement, and organisation numbers as people write them.

// AccessibilityPath is the built-in accessibility statement
// (tillgänglighetsredogörelse), public: the footer links to it unless a
// statement of the municipality's own is configured, and then it sends
// the browser there.
const AccessibilityPath = "/tillganglighet"

// Footer is what the foot of every page shows (settings.Footer).
type Footer struct {
	// Contact is whom users contact about the service, as shown; ""
	// names none. ContactURL, when set, links it (http(s) or mailto:).
	Contact, ContactURL string
	// AccessibilityURL is the municipality's accessibility statement;
	// "": the built-in one at AccessibilityPath.
	AccessibilityURL string
}

// statementURL is where the footer's accessibility link goes.
func (f Footer) statementURL() string {
	if f.AccessibilityURL != "" {
		return f.AccessibilityURL
	}
	return AccessibilityPath
}

// footerView is the footer as a page shows it.
type footerView struct {
	Footer
	StatementURL string
}

// Foot is the page's footer.
func (v *view) Foot() footerView {
	var f Footer
	if v.s != nil {
		f = v.s.Footer
	}
	return footerView{Footer: f, StatementURL: f.statementURL()}
}

// Orgnr is an organisation number as people write it, NNNNNN-NNNN; what
// is not a 10-digit number (a sealed reference, a number already
// masked) is shown as it is. A sole trader's number, written so, is
// still masked for those who may not see persons (maskText matches the
// hyphenated form too).
func (v *view) Orgnr(n string) string {
	if len(n) != 10 {
		return n
	}
	o, err := ident.ParseOrg(n)
	if err != nil {
		return n
	}
	return o.Separated(v.Now)
}

// uiAccessibility: GET /tillganglighet, public. The built-in statement,
// or a 303 to the municipality's own when one is configured. Who is
// signed in sees the menu as on every page.
func (s *Server) uiAccessibility(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	if u := s.Footer.AccessibilityURL; u != "" {
		http.Redirect(w, r, u, http.StatusSeeOther)
		return nil
	}
	r = s.signedIn(r)
	v := s.newView(w, r, "", nil)
	v.Title = v.T("a11y.title")
	s.render(w, r, http.StatusOK, "accessibility", v)
	return nil
}

// signedIn is r with its principal, when a public page's request comes
// from someone signed in: the page then shows who, and the menu.
func (s *Server) signedIn(r *http.Request) *http.Request {
	if _, ok := access.PrincipalFrom(r.Context()); !ok && s.Guard != nil && s.Guard.Dir != nil {
		if p, err := s.Guard.Authenticate(r); err == nil {
			return r.WithContext(access.WithPrincipal(r.Context(), p))
		}
	}
	return r
}
