package listfetch

import (
	"net/http"
	"testing"
)

func TestFileName(t *testing.T) {
	for _, c := range []struct {
		disposition, contentType, url, want string
	}{
		{`attachment; filename="20261208-FULL-1_1(xsd).xml"`, "application/xml", "https://eu.example/content?token=x", "20261208-FULL-1_1(xsd).xml"},
		{`attachment; filename="../../etc/passwd"`, "", "https://eu.example/content", "passwd"},
		{"", "application/xml; charset=UTF-8", "https://eu.example/files/content?token=x", "content.xml"},
		{"", "text/xml", "https://un.example/resources/xml/en/consolidated.xml", "consolidated.xml"},
		{"", "application/json", "https://os.example/datasets/latest/sanctions/entities.ftm.json", "entities.ftm.json"},
		{"", "application/octet-stream", "https://example.se/", "sanctions-un"},
	} {
		h := http.Header{}
		h.Set("Content-Disposition", c.disposition)
		h.Set("Content-Type", c.contentType)
		if got := fileName(h, c.url, "sanctions-un"); got != c.want {
			t.Errorf("fileName(%q, %q, %q) = %q, want %q", c.disposition, c.contentType, c.url, got, c.want)
		}
	}
}
