package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/store"
)

// TestSanctionsSearch runs vaksam sanctions search on a store holding the
// EU list as its import stores it (record lists.go): the entities and the
// version record of one snapshot.
func TestSanctionsSearch(t *testing.T) {
	empty, data := t.TempDir(), t.TempDir()
	for _, dir := range []string{empty, data} {
		st, err := createStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		if dir == data {
			at := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
			subject := record.ListSubject("eu")
			e := sanctions.Entity{List: sanctions.EU, ID: "EU.4711.22", Kind: sanctions.Person, BirthDates: []string{"1961"},
				Names: []sanctions.Name{{Full: "Aleksandr Grigorievich Lukashenko"}, {Full: "Alyaksandr Lukashenka"}}}
			if _, err := st.Put([]store.Observation{
				{Observed: at, Item: record.Item{Source: record.SanctionsEU, Subject: subject, Key: e.ID, Raw: []byte("x"), Parsed: e}},
				{Observed: at, Item: record.Item{Source: record.SanctionsEU, Subject: subject, Raw: []byte("v"),
					Parsed: record.ListVersion{List: "eu", SHA256: "0123456789abcdef", Entities: 1, Published: at}}},
			}); err != nil {
				t.Fatal(err)
			}
		}
		st.Close()
	}

	code, out, errOut := run(t, "sanctions", "search", "--data", data, "--json", "--type", "person", "--birth-year", "1961", "Lukashenko", "Alexander")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Query      string  `json:"query"`
		Threshold  float64 `json:"threshold"`
		Candidates []struct {
			List, Name  string
			EntityID    string `json:"entity_id"`
			Score       float64
			Match       bool
			Explanation map[string]any
			ListVersion string `json:"list_version"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("want one JSON object: %v\n%s", err, out)
	}
	if res.Query != "Lukashenko Alexander" || res.Threshold != 0.85 || len(res.Candidates) != 1 {
		t.Fatalf("%s", out)
	}
	if c := res.Candidates[0]; c.List != "eu" || c.EntityID != "EU.4711.22" || !c.Match || c.Score < 0.85 || c.Explanation["name"] == nil ||
		!strings.HasPrefix(c.ListVersion, "EU 2026-11-20") {
		t.Errorf("candidate %+v", c)
	}

	code, out, _ = run(t, "sanctions", "search", "--data", data, "Alyaksandr", "Lukashenka")
	if code != exitOK || !strings.Contains(out, "EU.4711.22") || !strings.Contains(out, "alias \"Alyaksandr Lukashenka\"") {
		t.Errorf("text: exit %d\n%s", code, out)
	}

	// As of before the import, no list was in force: "was this name
	// listed on that date" answers no.
	code, out, _ = run(t, "sanctions", "search", "--data", data, "--at", "2026-11-19", "Alyaksandr", "Lukashenka")
	if code != exitFailure || strings.Contains(out, "EU.4711.22") || !strings.Contains(out, "no sanctions list is stored") {
		t.Errorf("as of 2026-11-19: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "sanctions", "search", "--data", data, "--at", "2026-11-20T07:00:00Z", "Alyaksandr", "Lukashenka")
	if code != exitOK || !strings.Contains(out, "EU.4711.22") {
		t.Errorf("as of 2026-11-20 07:00: exit %d\n%s", code, out)
	}

	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"sanctions", "search", "--data", data, "--at", "yesterday", "x"}, exitUsage, "--at:"},
		{[]string{"sanctions", "search", "--data", empty, "Anna Berg"}, exitFailure, "no sanctions list is stored"},
		{[]string{"sanctions", "search", "--data", data, "--type", "vessel", "x"}, exitUsage, "type:"},
		{[]string{"sanctions", "search", "--data", data, "--threshold", "2", "x"}, exitUsage, "threshold:"},
		{[]string{"sanctions", "search", "--data", data}, exitUsage, "name: missing"},
		{[]string{"sanctions", "search", "x"}, exitUsage, "--data"},
		{[]string{"sanctions", "search", "--data", t.TempDir() + "/nope", "x"}, exitFailure, "no such directory"},
		{[]string{"sanctions", "find", "x"}, exitUsage, "want 'sanctions search"},
	} {
		if code, _, errOut := run(t, c.args...); code != c.code || !strings.Contains(errOut, c.stderr) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.stderr)
		}
	}
	if code, out, _ := run(t, "sanctions", "search", "--help"); code != exitOK || !strings.Contains(out, "Usage: vaksam sanctions search") {
		t.Errorf("help: %d %q", code, out)
	}
}
