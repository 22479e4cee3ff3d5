package web

import (
	"net/http"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/vaksam/vaksam/engine/buildinfo"
)

// One version everywhere: openapi.yaml is written with the source tree's
// version (buildinfo.Release), and the document served reports the
// running build's (Server.Version), changing nothing else.
func TestOpenAPIVersionIsTheBuilds(t *testing.T) {
	if got := openapiInfoVersion(t, OpenAPI()); got != buildinfo.Release {
		t.Fatalf("openapi.yaml info.version %q, want buildinfo.Release %q", got, buildinfo.Release)
	}
	_, want := parseOpenAPI(t)
	for _, tt := range []struct{ version, want string }{
		{"", buildinfo.Release},
		{"0.5.0", "0.5.0"},
		{"1.2.3-rc.1+dirty", "1.2.3-rc.1+dirty"},
		{"it's: odd", "it's: odd"},
	} {
		t.Run(tt.version, func(t *testing.T) {
			f := newFixture(t)
			f.srv.Version = tt.version
			rec := f.do(anon, http.MethodGet, "/api/v1/openapi.yaml", "")
			if rec.Code != http.StatusOK {
				t.Fatalf("GET openapi.yaml: %d", rec.Code)
			}
			if got := openapiInfoVersion(t, rec.Body.Bytes()); got != tt.want {
				t.Errorf("served info.version %q, want %q", got, tt.want)
			}
			var got any
			if err := yaml.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			got.(map[string]any)["info"].(map[string]any)["version"] = buildinfo.Release
			if !reflect.DeepEqual(got, want) {
				t.Error("the served document differs from openapi.yaml beyond info.version")
			}
		})
	}
}

func openapiInfoVersion(t *testing.T, doc []byte) string {
	t.Helper()
	var d struct {
		Info struct {
			Version string `yaml:"version"`
		} `yaml:"info"`
	}
	if err := yaml.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	return d.Info.Version
}
