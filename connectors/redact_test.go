package connectors

import (
	"errors"
	"net/url"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=abc123": "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=xxxxx",
		"https://user:pw@example.se/list.xml?a=1&b=2#frag":                                                "https://user:xxxxx@example.se/list.xml?a=xxxxx&b=xxxxx",
		"https://scsanctions.un.org/resources/xml/en/consolidated.xml":                                    "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
		"https://tok@example.se/x":  "https://xxxxx@example.se/x",
		"ht tp://bad url?token=abc": "(unparsable URL)",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	err := RedactURLError(&url.Error{Op: "Get", URL: "https://example.se/x?token=abc", Err: errors.New("refused")})
	if got := err.Error(); got != `Get "https://example.se/x?token=xxxxx": refused` {
		t.Errorf("RedactURLError: %s", got)
	}
}
