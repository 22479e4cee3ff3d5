package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/micro"
	"gopkg.in/yaml.v3"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/bus"
)

var (
	demoTokenLine = regexp.MustCompile(`(?m)^    ` + access.DemoOrderingSystem + ` +(\S+)$`)
	demoCurlLine  = regexp.MustCompile(`(?m)^      curl -sS -H 'Authorization: Bearer (\S+)' -H 'Content-Type: application/json' -d '(\{[^']*\})' (\S+)/api/v1/screen$`)
	buildInfoLine = regexp.MustCompile(`(?m)^vaksam_build_info\{[^}]*\bversion="([^"]*)"`)
)

// What an integrator meets in serve --demo: a bearer token for an
// ordering system and a curl line to try it with; the token may ask for
// a pre-award check (200) and may not read the audit trail (403). And one
// version everywhere: `vaksam version`, vaksam_build_info, the served
// OpenAPI document and the NATS micro service ($SRV.INFO) agree.
func TestServeDemoForIntegrators(t *testing.T) {
	srv, natsURL, base := serveDemo(t)
	out := srv.out.String()
	tok := demoTokenLine.FindStringSubmatch(out)
	curl := demoCurlLine.FindStringSubmatch(out)
	if tok == nil || curl == nil {
		t.Fatalf("serve --demo printed no token or no curl line:\n%s", out)
	}
	bearer := tok[1]
	if curl[1] != bearer || curl[3] != base || !strings.HasPrefix(bearer, access.DemoOrderingSystem+".") {
		t.Errorf("token %q; curl line with token %q to %q, want the token to %q", bearer, curl[1], curl[3], base)
	}

	call := func(method, path, body string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+bearer)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	// A supplier of the demo, as the ordering system would name one, once
	// the demo's first screening has listed them.
	var org string
	eventually(t, 30*time.Second, "the token lists a screened supplier", func() error {
		code, b := call(http.MethodGet, "/api/v1/suppliers", "")
		var list struct {
			Suppliers []struct{ Orgnr string } `json:"suppliers"`
		}
		if err := json.Unmarshal(b, &list); code != http.StatusOK || err != nil || len(list.Suppliers) == 0 {
			return fmt.Errorf("GET /api/v1/suppliers with the token: %d %v %.300s", code, err, b)
		}
		org = list.Suppliers[0].Orgnr
		return nil
	})
	for _, tt := range []struct {
		name, method, path, body string
		want                     int
	}{
		{"the curl line's check", http.MethodPost, "/api/v1/screen", strings.Replace(curl[2], "ORGNR", org, 1), http.StatusOK},
		{"the audit trail", http.MethodGet, "/api/v1/audit", "", http.StatusForbidden},
		{"an approval", http.MethodPost, "/api/v1/decisions/x-1/approve", `{}`, http.StatusForbidden},
	} {
		if code, b := call(tt.method, tt.path, tt.body); code != tt.want {
			t.Errorf("%s (%s %s) with the demo token: %d %.300s, want %d", tt.name, tt.method, tt.path, code, b, tt.want)
		}
	}
	if code, _ := call(http.MethodGet, "/api/v1/me", ""); code != http.StatusOK {
		t.Errorf("GET /api/v1/me with the token: %d", code)
	}

	// One version everywhere.
	versions := map[string]string{}
	code, stdout, _ := run(t, "version")
	versions["vaksam version"], _, _ = strings.Cut(strings.TrimPrefix(stdout, "vaksam "), "\n")
	if code != exitOK {
		t.Errorf("vaksam version: exit %d", code)
	}
	_, metrics, err := get(base + "/metrics")
	if m := buildInfoLine.FindSubmatch(metrics); err != nil || m == nil {
		t.Errorf("/metrics: no vaksam_build_info (%v)", err)
	} else {
		versions["vaksam_build_info"] = string(m[1])
	}
	_, doc, err := get(base + "/api/v1/openapi.yaml")
	var api struct {
		Info struct{ Version string } `yaml:"info"`
	}
	if err != nil || yaml.Unmarshal(doc, &api) != nil {
		t.Errorf("/api/v1/openapi.yaml: %v", err)
	}
	versions["openapi info.version"] = api.Info.Version
	nc, _ := connectAs(t, natsURL, demoKey(t, srv, "consumer"))
	msg, err := nc.Request("$SRV.INFO."+bus.ServiceName, nil, 5*time.Second)
	var info micro.Info
	if err != nil || json.Unmarshal(msg.Data, &info) != nil {
		t.Errorf("$SRV.INFO: %v", err)
	}
	versions["$SRV.INFO"] = info.Version
	want := thisBuild().Version
	for where, v := range versions {
		if v != want {
			t.Errorf("%s reports version %q, the build %q", where, v, want)
		}
	}
}
