package settings

import "testing"

// footer: a contact, its link (http(s) or mailto:, only with the contact)
// and the accessibility statement's URL (http(s)), each problem at its
// FILE:LINE:COL.
func TestFooter(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       Footer
		problem    string
	}{
		{name: "absent"},
		{name: "everything", yaml: "footer:\n  contact: Kontaktcenter\n  contact_url: mailto:vaksam@kommun.example.se\n  accessibility_url: https://kommun.example.se/a11y\n",
			want: Footer{Contact: "Kontaktcenter", ContactURL: "mailto:vaksam@kommun.example.se", AccessibilityURL: "https://kommun.example.se/a11y"}},
		{name: "a contact without a link", yaml: "footer:\n  contact: 0771-00 00 00\n", want: Footer{Contact: "0771-00 00 00"}},
		{name: "an https contact", yaml: "footer:\n  contact: Vaksam\n  contact_url: https://kommun.example.se/kontakt\n",
			want: Footer{Contact: "Vaksam", ContactURL: "https://kommun.example.se/kontakt"}},
		{name: "a link without its contact", yaml: "footer:\n  contact_url: https://kommun.example.se/kontakt\n",
			problem: ":2:16: footer.contact_url: given without contact"},
		{name: "a contact URL without a scheme", yaml: "footer:\n  contact: Vaksam\n  contact_url: vaksam@kommun.example.se\n",
			problem: `:3:16: footer.contact_url: want an http(s) or mailto: URL such as mailto:vaksam@kommun.example.se, got "vaksam@kommun.example.se"`},
		{name: "an empty mailto", yaml: "footer:\n  contact: Vaksam\n  contact_url: \"mailto:\"\n", problem: ":3:16: footer.contact_url: want an http(s) or mailto:"},
		{name: "a relative statement", yaml: "footer:\n  accessibility_url: /tillganglighet\n",
			problem: `:2:22: footer.accessibility_url: want an http(s) URL such as https://kommun.example.se/tillganglighet/vaksam, got "/tillganglighet"`},
		{name: "a mailto statement", yaml: "footer:\n  accessibility_url: mailto:a@kommun.example.se\n", problem: ":2:22: footer.accessibility_url: want an http(s) URL"},
		{name: "an unknown key", yaml: "footer:\n  phone: 0771\n", problem: ":2:3: footer.phone:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := checked(t, tc.yaml, tc.problem)
			if c != nil && c.Footer != tc.want {
				t.Errorf("footer %+v, want %+v", c.Footer, tc.want)
			}
		})
	}
}
