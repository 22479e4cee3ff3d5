package ingest

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors/formats"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
)

const goodAndBad = `{"orgnr":"5591234561","datum":"2026-02-14","typ":"forelaggande","diarienummer":"3.5.1-01234/2026","text":"a"}
{"orgnr":"5591234562","datum":"2026-02-14","typ":"forelaggande","diarienummer":"3.5.1-01235/2026","text":"bad check digit"}
{"orgnr":"5560021361","datum":"2026-13-01","typ":"vite","diarienummer":"3.5.1-01236/2026","text":"bad date"}
{"orgnr":"5560021361","datum":"2026-03-01","typ":"vite","diarienummer":"3.5.1-01237/2026","text":"good"}
`

func TestBadRecordsAreQuarantinedGoodOnesKept(t *testing.T) {
	in, st, persons := testIngester(t)
	in.BatchSize = 1
	obs := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	job := Job{Source: record.IVOBeslut, Name: "beslut.jsonl", Observed: obs, Persons: persons}
	c, err := in.Reader(context.Background(), strings.NewReader(goodAndBad), job)
	if err != nil {
		t.Fatal(err)
	}
	if c.New != 2 || c.Quarantined != 2 || c.Unchanged != 0 {
		t.Fatalf("counts %+v, want 2 new, 2 quarantined", c)
	}
	q, err := st.Quarantined(record.IVOBeslut)
	if err != nil || len(q) != 2 {
		t.Fatalf("quarantine: %v, %v", q, err)
	}
	want := map[string]string{"beslut.jsonl:2": "orgnr", "beslut.jsonl:3": "datum"}
	for _, x := range q {
		field, ok := want[x.Pos]
		if !ok || !strings.Contains(x.Reason, field) || len(x.Raw) == 0 {
			t.Errorf("quarantined %s: %q (raw %q), want position in %v naming %q", x.Pos, x.Reason, x.Raw, want, field)
		}
	}
	for _, subj := range []string{"5591234561", "5560021361"} {
		recs, err := st.Subject(subj, store.ScanOptions{At: obs})
		if err != nil || len(recs) != 1 || recs[0].Current == nil {
			t.Errorf("%s: %v, %v", subj, recs, err)
		}
	}
	// The same file again: nothing new, every good record re-observed.
	c, err = in.Reader(context.Background(), strings.NewReader(goodAndBad), Job{Source: record.IVOBeslut, Name: "beslut.jsonl", Observed: obs.Add(time.Hour), Persons: persons})
	if err != nil || c.New != 0 || c.Unchanged != 2 {
		t.Errorf("re-ingest: %+v, %v; want 2 unchanged", c, err)
	}
}

func TestIngestNeedsTimeAndKnownSource(t *testing.T) {
	in, _, persons := testIngester(t)
	if _, err := in.Reader(context.Background(), strings.NewReader(""), Job{Source: "nope", Observed: time.Now(), Persons: persons}); err == nil || !strings.Contains(err.Error(), `unknown source "nope"`) {
		t.Errorf("unknown source: %v", err)
	}
	if _, err := in.Reader(context.Background(), strings.NewReader(""), Job{Source: record.Roles, Persons: persons}); err == nil || !strings.Contains(err.Error(), "no observation time") {
		t.Errorf("no time: %v", err)
	}
}

// repeatReader yields n copies of one byte, made as they are read.
type repeatReader struct {
	c byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), r.n))
	for i := range p[:k] {
		p[i] = r.c
	}
	r.n -= int64(k)
	return k, nil
}

// A line over the source's bound is stored in quarantine as an excerpt
// with the reason, and the good records around it are stored; the bound
// is the Ingester's for the source, else the source's default.
func TestLongLineQuarantinedAsAnExcerpt(t *testing.T) {
	lines := strings.Split(goodAndBad, "\n")
	tests := []struct {
		name   string
		limits map[string]formats.Limits
		long   int64
		reason string
	}{
		{"default bound, 100 MB line", nil, 100 << 20, fmt.Sprintf("line of %d bytes exceeds the limit of %d", 100<<20, formats.DefaultLineLimit)},
		{"configured bound", map[string]formats.Limits{record.IVOBeslut: {Record: 4096}}, 5000, "line of 5000 bytes exceeds the limit of 4096"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := store.Open(t.TempDir(), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			persons, _ := record.NewHMACPseudonymizer([]byte("ingest tests: not a secret"))
			in := &Ingester{Store: st, Limits: tt.limits}
			obs := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
			r := io.MultiReader(strings.NewReader(lines[0]+"\n"), &repeatReader{c: 'x', n: tt.long}, strings.NewReader("\n"+lines[3]+"\n"))
			c, err := in.Reader(context.Background(), r, Job{Source: record.IVOBeslut, Name: "beslut.jsonl", Observed: obs, Persons: persons})
			if err != nil {
				t.Fatal(err)
			}
			if c.New != 2 || c.Quarantined != 1 {
				t.Fatalf("counts %+v, want 2 new, 1 quarantined", c)
			}
			q, err := st.Quarantined(record.IVOBeslut)
			if err != nil || len(q) != 1 {
				t.Fatalf("quarantine: %v, %v", q, err)
			}
			if q[0].Pos != "beslut.jsonl:2" || q[0].Reason != tt.reason {
				t.Errorf("quarantined %s: %q, want beslut.jsonl:2: %q", q[0].Pos, q[0].Reason, tt.reason)
			}
			if len(q[0].Raw) != excerpt.Record || strings.Trim(string(q[0].Raw), "x") != "" {
				t.Errorf("quarantined Raw of %d bytes, want the line's first %d", len(q[0].Raw), excerpt.Record)
			}
		})
	}
}

// A sanctions list is imported one file at a time: two files at one
// observation time would blend into one snapshot. One file is imported.
func TestListFilesOneAtATime(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	persons, _ := record.NewHMACPseudonymizer([]byte("ingest tests: not a secret"))
	in := &Ingester{Store: st}
	job := Job{Source: record.SanctionsEU, Observed: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), Persons: persons}
	xmlFile, csvFile := "../../connectors/sanctions/testdata/eu_fsf_1_1.xml", "../../connectors/sanctions/testdata/eu_fsf_1_1.csv"
	_, err = in.Files(context.Background(), []string{xmlFile, csvFile}, job, func(string, Counts) {})
	if err == nil || !strings.Contains(err.Error(), "ingest sanctions-eu: 2 files at one observation time") {
		t.Errorf("two list files: err = %v", err)
	}
	if subs, _ := st.SourceSubjects(record.SanctionsEU); len(subs) != 0 {
		t.Errorf("refused files stored records under %v", subs)
	}
	c, err := in.Files(context.Background(), []string{xmlFile}, job, func(string, Counts) {})
	if err != nil || c.New != 3 {
		t.Errorf("one list file: %+v, %v; want 2 entities and the version", c, err)
	}
}
