package settings

import (
	"net/url"

	"github.com/vaksam/vaksam/engine/excerpt"
)

// Footer is the configuration file's footer section: what the foot of
// every page of the web UI shows, the way to reach whoever answers for
// the service and the accessibility statement (tillgänglighetsredogörelse)
// the law on accessibility of digital public services (2018:1937) asks
// for.
type Footer struct {
	// Contact is whom users contact about the service, as it is shown:
	// a unit, a phone number, an e-mail address. Empty: the footer names
	// no contact.
	Contact string `yaml:"contact"`
	// ContactURL, when given, links Contact: an http(s) or mailto: URL.
	ContactURL string `yaml:"contact_url"`
	// AccessibilityURL is the municipality's accessibility statement for
	// the service, an http(s) URL. Empty: the built-in statement at
	// /tillganglighet.
	AccessibilityURL string `yaml:"accessibility_url"`
}

// checkFooter finds the problems of the footer section: its URLs must be
// absolute (http or https; mailto: for the contact too), and a contact
// URL needs the contact's text to link.
func checkFooter(c *Config, src *Source) Problems {
	var ps Problems
	f := c.Footer
	if f.ContactURL != "" {
		if !linkURL(f.ContactURL, true) {
			ps = append(ps, src.at("footer.contact_url", "want an http(s) or mailto: URL such as mailto:vaksam@kommun.example.se, got %s", excerpt.Quote(f.ContactURL)))
		}
		if f.Contact == "" {
			ps = append(ps, src.at("footer.contact_url", "given without contact (the text it links)"))
		}
	}
	if f.AccessibilityURL != "" && !linkURL(f.AccessibilityURL, false) {
		ps = append(ps, src.at("footer.accessibility_url", "want an http(s) URL such as https://kommun.example.se/tillganglighet/vaksam, got %s", excerpt.Quote(f.AccessibilityURL)))
	}
	return ps
}

// linkURL reports whether s is an absolute http(s) URL with a host, or
// (mailto) a mailto: URL with an address.
func linkURL(s string, mailto bool) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https":
		return u.Host != ""
	case "mailto":
		return mailto && u.Opaque != ""
	}
	return false
}
