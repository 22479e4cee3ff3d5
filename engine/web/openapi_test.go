package web

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type openapiDoc struct {
	OpenAPI    string                               `yaml:"openapi"`
	Paths      map[string]map[string]map[string]any `yaml:"paths"`
	Components map[string]map[string]any            `yaml:"components"`
}

func parseOpenAPI(t *testing.T) (openapiDoc, any) {
	t.Helper()
	var doc openapiDoc
	if err := yaml.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	var tree any
	if err := yaml.Unmarshal(OpenAPI(), &tree); err != nil {
		t.Fatal(err)
	}
	return doc, tree
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// The OpenAPI document describes exactly the routes on the mux, each
// with the permission the route requires.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc, _ := parseOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q, want 3.x", doc.OpenAPI)
	}
	s := &Server{}
	mux, rt := s.mux()
	var routed []string
	for _, p := range rt.patterns {
		// Only the API's routes (not "/api/", the JSON 404/405 for
		// everything else, nor the HTML pages).
		if _, path, _ := strings.Cut(p, " "); !strings.HasPrefix(path, APIPrefix) {
			continue
		}
		routed = append(routed, p)
	}
	perms := map[string]string{}
	for _, e := range s.api() {
		p := string(e.Perm)
		if p == "" {
			p = "public"
		}
		if len(e.AnyOf) > 0 {
			var names []string
			for _, a := range e.AnyOf {
				names = append(names, string(a))
			}
			p = strings.Join(names, "|")
		}
		perms[e.Method+" "+e.Path] = p
	}
	var documented []string
	for path, item := range doc.Paths {
		for method, op := range item {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			pattern := strings.ToUpper(method) + " " + path
			documented = append(documented, pattern)
			if got, want := op["x-vaksam-permission"], perms[pattern]; want != "" && got != want {
				t.Errorf("%s: x-vaksam-permission %v, the route requires %s", pattern, got, want)
			}
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s: no responses", pattern)
			}
			// The mux sends a request of this shape to this pattern.
			r := httptest.NewRequest(strings.ToUpper(method), strings.NewReplacer("{id}", "x-1", "{orgnr}", sampleOrg).Replace(path), nil)
			if _, p := mux.Handler(r); p != pattern {
				t.Errorf("%s is documented but the mux routes it to %q", pattern, p)
			}
		}
	}
	sort.Strings(routed)
	sort.Strings(documented)
	for _, p := range routed {
		if !slices.Contains(documented, p) {
			t.Errorf("route %s is not in openapi.yaml", p)
		}
	}
	for _, p := range documented {
		if !slices.Contains(routed, p) {
			t.Errorf("openapi.yaml documents %s, which is not routed", p)
		}
	}
	if len(routed) < 20 {
		t.Errorf("only %d routes", len(routed))
	}
}

// Every $ref points at a component that exists, and every operation
// answers its errors in the Error schema.
func TestOpenAPIRefsResolve(t *testing.T) {
	doc, tree := parseOpenAPI(t)
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "$ref" {
					ref, _ := c.(string)
					parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
					if !strings.HasPrefix(ref, "#/components/") || len(parts) != 2 || doc.Components[parts[0]][parts[1]] == nil {
						t.Errorf("%s: $ref %q does not resolve", at, ref)
					}
					continue
				}
				walk(c, at+"/"+k)
			}
		case []any:
			for _, c := range x {
				walk(c, at)
			}
		}
	}
	walk(tree, "")
	for _, name := range []string{"session", "csrf", "bearer"} {
		if doc.Components["securitySchemes"][name] == nil {
			t.Errorf("security scheme %s missing", name)
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	f := newFixture(t)
	rec := f.do(anon, http.MethodGet, "/api/v1/openapi.yaml", "")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/yaml") ||
		rec.Body.String() != string(OpenAPI()) {
		t.Fatalf("GET openapi.yaml: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}
