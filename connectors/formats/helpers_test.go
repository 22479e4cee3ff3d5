package formats

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
)

// testPersons is the fixed pseudonymiser of the tests.
var testPersons = func() record.Pseudonymizer {
	p, err := record.NewHMACPseudonymizer([]byte("test-secret-0123456789"))
	if err != nil {
		panic(err)
	}
	return p
}()

// pseudonym returns the test pseudonym of a valid person number.
func pseudonym(t testing.TB, pnr string) string {
	t.Helper()
	p, err := ident.ParsePerson(pnr)
	if err != nil {
		t.Fatalf("ParsePerson(%s): %v", pnr, err)
	}
	return testPersons.Pseudonym(p)
}

// collector is a Sink that keeps everything.
type collector struct {
	items []record.Item
	quars []record.Quarantined
}

func (c *collector) Record(it record.Item) error { c.items = append(c.items, it); return nil }
func (c *collector) Quarantine(q record.Quarantined) error {
	c.quars = append(c.quars, q)
	return nil
}

// parse runs the parser of source over data with the test options.
func parse(t testing.TB, source, name string, data []byte) (*collector, error) {
	t.Helper()
	return parseOpt(t, source, data, Options{Name: name, Persons: testPersons, Orgnr: ident.MustOrg("5591234561")})
}

func parseOpt(t testing.TB, source string, data []byte, opt Options) (*collector, error) {
	t.Helper()
	f, err := Lookup(source)
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	err = f(context.Background(), bytes.NewReader(data), opt, c)
	return c, err
}

// mustParse is parse that fails the test on a parse error.
func mustParse(t testing.TB, source, name string, data []byte) *collector {
	t.Helper()
	c, err := parse(t, source, name, data)
	if err != nil {
		t.Fatalf("%s: %v", source, err)
	}
	return c
}

// sample reads a sample file from testdata (copied from shared/formats).
func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func boolp(b bool) *bool { return &b }

// eq fails the test when got and want differ, comparing their JSON.
func eq(t testing.TB, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("%s:\n got  %s\n want %s", what, g, w)
	}
}

// wantQuarantine checks that exactly the quarantines at the given
// positions happened, each with a reason containing the given text.
func wantQuarantine(t testing.TB, c *collector, want map[string]string) {
	t.Helper()
	if len(c.quars) != len(want) {
		for _, q := range c.quars {
			t.Logf("quarantined %s: %s", q.Pos, q.Reason)
		}
		t.Fatalf("%d quarantined, want %d", len(c.quars), len(want))
	}
	for _, q := range c.quars {
		sub, ok := want[q.Pos]
		if !ok {
			t.Errorf("unexpected quarantine at %s: %s", q.Pos, q.Reason)
			continue
		}
		if !strings.Contains(q.Reason, sub) {
			t.Errorf("quarantine at %s: reason %q does not contain %q", q.Pos, q.Reason, sub)
		}
	}
}

// positions lists the positions of the accepted records.
func positions(c *collector) []string {
	var p []string
	for _, it := range c.items {
		p = append(p, it.Pos)
	}
	return p
}

// soleTraderOwner is the samples' sole trader's owner as the registry
// parsers record her: pseudonymised, with her birth year.
func soleTraderOwner() *record.PersonRef {
	p, err := ident.ParsePerson("196001011235")
	if err != nil {
		panic(err)
	}
	owner := record.Person(testPersons, p, "")
	return &owner
}
