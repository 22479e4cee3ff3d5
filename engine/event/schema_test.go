package event_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/sanctions"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
	defaultpack "github.com/vaksam/vaksam/rules/default"
)

// The schema files, one per payload.
const (
	assessmentEvent = "assessment-event.json"
	alertEvent      = "alert-event.json"
	actionEvent     = "action-event.json"
	screenRequest   = "screen-request.json"
	screenReply     = "screen-reply.json"
	screenError     = "screen-error.json"
)

var schemaFiles = []string{actionEvent, alertEvent, assessmentEvent, screenError, screenReply, screenRequest}

// compiled is every schema compiled once, by file name.
func compiled(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat() // date-time is checked, not only annotated
	for _, name := range schemaFiles {
		data, err := event.Schema(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.AddResource(event.SchemaBase+name, doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, name := range schemaFiles {
		sch, err := c.Compile(event.SchemaBase + name)
		if err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
		out[name] = sch
	}
	return out
}

// validate checks a JSON document against a schema.
func validate(t *testing.T, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	return sch.Validate(inst)
}

func mustValid(t *testing.T, schemas map[string]*jsonschema.Schema, name string, data []byte) {
	t.Helper()
	if err := validate(t, schemas[name], data); err != nil {
		t.Errorf("%s rejects a valid payload: %v\n%s", name, err, data)
	}
}

func TestSchemaFiles(t *testing.T) {
	entries, err := fs.ReadDir(event.Schemas, "schema")
	if err != nil {
		t.Fatal(err)
	}
	var embedded []string
	for _, e := range entries {
		embedded = append(embedded, e.Name())
	}
	if !slices.Equal(embedded, schemaFiles) {
		t.Fatalf("embedded schemas %v, want %v", embedded, schemaFiles)
	}
	for _, name := range schemaFiles {
		data, err := event.Schema(name)
		if err != nil {
			t.Fatal(err)
		}
		var head struct {
			Schema      string `json:"$schema"`
			ID          string `json:"$id"`
			Title       string `json:"title"`
			Description string `json:"description"`
			Type        string `json:"type"`
			Additional  *bool  `json:"additionalProperties"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch {
		case head.Schema != "https://json-schema.org/draft/2020-12/schema":
			t.Errorf("%s: $schema %q", name, head.Schema)
		case head.ID != "https://vaksam.example/schema/"+name:
			t.Errorf("%s: $id %q", name, head.ID)
		case head.Title == "" || head.Description == "":
			t.Errorf("%s: no title or description", name)
		case head.Type != "object" || head.Additional == nil || *head.Additional:
			t.Errorf("%s: want a closed object (additionalProperties false)", name)
		}
	}
	compiled(t)
}

func TestSchemaLookup(t *testing.T) {
	want, err := event.Schemas.ReadFile("schema/action-event.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"action-event.json", true},
		{"action-event", true},
		{"screen-reply", true},
		{"nothing.json", false},
		{"", false},
		{"../event.go", false},
		{"schema/action-event.json", false},
		{"./action-event.json", false},
		{".json", false},
	} {
		got, err := event.Schema(tc.name)
		switch {
		case tc.ok && err != nil:
			t.Errorf("Schema(%q): %v", tc.name, err)
		case tc.ok && tc.name == "action-event" && !bytes.Equal(got, want):
			t.Errorf("Schema(%q) is not action-event.json", tc.name)
		case !tc.ok && !errors.Is(err, fs.ErrNotExist):
			t.Errorf("Schema(%q) = %d bytes, %v; want fs.ErrNotExist", tc.name, len(got), err)
		}
	}
}

// jsonFields lists the JSON names of a struct's fields and whether each
// is omitted when empty; embedded structs without a tag are flattened as
// encoding/json does.
func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("json")
		if f.Anonymous && !ok {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out[name] = strings.Contains(","+opts+",", ",omitempty,")
	}
	return out
}

// TestSchemasMatchGoTypes keeps the schemas and the Go types in step: a
// field added to a type without its schema (or the other way round) fails
// here, and so does a required field that Go may omit.
func TestSchemasMatchGoTypes(t *testing.T) {
	for _, tc := range []struct {
		file, pointer string
		typ           any
	}{
		{assessmentEvent, "", event.Assessment{}},
		{assessmentEvent, "/$defs/result", event.Result{}},
		{alertEvent, "", event.Alert{}},
		{actionEvent, "", event.Action{}},
		{screenRequest, "", event.ScreenRequest{}},
		{screenError, "", event.ScreenError{}},
		{screenReply, "", screening.Assessment{}},
		{screenReply, "/$defs/missing", screening.Missing{}},
		{screenReply, "/$defs/hit", screening.Hit{}},
		{screenReply, "/$defs/text", rules.Text{}},
		{screenReply, "/$defs/ref", profile.Ref{}},
		{screenReply, "/$defs/sanction", profile.Sanction{}},
	} {
		typ := reflect.TypeOf(tc.typ)
		t.Run(tc.file+tc.pointer, func(t *testing.T) {
			data, err := event.Schema(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			obj := doc
			for _, p := range strings.Split(strings.TrimPrefix(tc.pointer, "/"), "/") {
				if p != "" {
					obj, _ = obj[p].(map[string]any)
				}
			}
			if obj == nil {
				t.Fatalf("no %s in %s", tc.pointer, tc.file)
			}
			if obj["additionalProperties"] != false {
				t.Errorf("%s is not closed", typ)
			}
			props, _ := obj["properties"].(map[string]any)
			required := map[string]bool{}
			if rs, ok := obj["required"].([]any); ok {
				for _, r := range rs {
					required[r.(string)] = true
				}
			}
			fields := jsonFields(typ)
			for name, omitempty := range fields {
				if _, ok := props[name]; !ok {
					t.Errorf("%s.%s is not in the schema", typ, name)
				}
				if !omitempty && !required[name] {
					t.Errorf("%s.%s is always present but not required", typ, name)
				}
				if omitempty && required[name] {
					t.Errorf("%s.%s may be omitted but is required", typ, name)
				}
			}
			for name := range props {
				if _, ok := fields[name]; !ok {
					t.Errorf("schema property %s is not a field of %s", name, typ)
				}
			}
		})
	}
}

// TestSchemaEnums: the enums of the schemas are the Go constants.
func TestSchemaEnums(t *testing.T) {
	steps := []string{string(screening.L0), string(screening.L1), string(screening.L2), string(screening.L3), string(screening.L4), string(screening.L5)}
	verdicts := []string{string(screening.Clear), string(screening.Review), string(screening.Block)}
	purposes := []string{screening.Award, screening.Calloff, screening.Direct}
	severities := []string{rules.Critical, rules.High, rules.Medium, rules.Low}
	for _, tc := range []struct {
		file, pointer string
		want          []string
	}{
		{alertEvent, "/properties/event", event.AlertEvents},
		{alertEvent, "/properties/state", []string{"ny", "utreds", "beslutad", "stangd"}},
		{alertEvent, "/properties/step", steps},
		{actionEvent, "/properties/kind", event.ActionKinds},
		{assessmentEvent, "/$defs/step", steps},
		{assessmentEvent, "/$defs/verdict", verdicts},
		{assessmentEvent, "/properties/purpose", purposes},
		{screenRequest, "/properties/purpose", purposes},
		{screenReply, "/$defs/step", steps},
		{screenReply, "/properties/verdict", verdicts},
		{screenReply, "/properties/purpose", purposes},
		{screenReply, "/$defs/hit/properties/severity", severities},
		{screenReply, "/$defs/missing/properties/id", []string{"D01", "D02"}},
	} {
		data, err := event.Schema(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var node any
		if err := json.Unmarshal(data, &node); err != nil {
			t.Fatal(err)
		}
		for _, p := range strings.Split(tc.pointer[1:], "/") {
			m, _ := node.(map[string]any)
			node = m[p]
		}
		m, _ := node.(map[string]any)
		enum, ok := m["enum"].([]any)
		if !ok {
			t.Errorf("%s%s: no enum", tc.file, tc.pointer)
			continue
		}
		var got []string
		for _, v := range enum {
			s, _ := v.(string)
			got = append(got, s)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s%s: enum %v, want %v", tc.file, tc.pointer, got, tc.want)
		}
	}
}

var (
	at0    = time.Date(2026, 11, 21, 7, 30, 0, 0, time.UTC)
	orgnr  = "5591234561"
	stepRe = regexp.MustCompile(`^vaksam\.assessment\.(L[0-5])\.([0-9]{10})$`)
)

// handAssessment is an assessment as the engine gives it for a supplier
// with a critical, a high and a medium hit and one source missing.
func handAssessment(purpose string) *screening.Assessment {
	obs := time.Date(2026, 11, 20, 22, 59, 59, 999999999, time.UTC)
	ref := func(src, key string, v uint32) profile.Ref {
		return profile.Ref{Source: src, Key: key, Version: v, Observed: obs}
	}
	return &screening.Assessment{Orgnr: orgnr, Name: "Omsorgshuset Norr AB", At: at0, Purpose: purpose, Score: 32.5,
		Step: screening.L3, Verdict: screening.Block, Incomplete: true, Reasons: []string{"critical", "incomplete"},
		Missing:    []screening.Missing{{ID: "D01", Source: "scb", Reason: "stale: last observed 2026-08-01 10:00, window 31 days"}},
		NotChecked: []string{"S01", "S02", "S03"},
		Hits: []screening.Hit{
			{ID: "S15", Title: rules.Text{SV: "Näringsförbud", EN: "Trading ban"}, Severity: rules.Critical, Category: "S", Confidence: 1,
				Message: rules.Text{SV: "Sara Holm (vd) har näringsförbud", EN: "Sara Holm (vd) is under a trading ban"},
				Legal:   "LOU 13:1; lag (2014:836) om näringsförbud",
				Evidence: []profile.Ref{ref("roles", orgnr+"/PK2KLPEJQJ4CDBXMXDF4J/vd/2021-01-15", 1),
					ref("naringsforbud", "p:PK2KLPEJQJ4CDBXMXDF4J/2026-05-01", 1)}},
			{ID: "S04", Title: rules.Text{SV: "Skatte- eller avgiftsskuld hos Kronofogden", EN: "Tax or fee debt at Kronofogden"},
				Severity: rules.High, Category: "S", Confidence: 1,
				Message: rules.Text{SV: "3 allmänna mål, 184500 kr (per 2026-10-01)", EN: "3 public claims, SEK 184500 (as of 2026-10-01)"},
				Legal:   "LOU 13:2", Evidence: []profile.Ref{ref("kronofogden", orgnr, 2)}},
			{ID: "S12", Title: rules.Text{SV: "Massregistreringsadress", EN: "Mass-registration address"},
				Severity: rules.Medium, Category: "S", Confidence: 0.5,
				Message:  rules.Text{SV: "14 organisationer på adressen", EN: "14 organisations at the address"},
				Evidence: []profile.Ref{ref("network", "5560021361", 1)}},
		},
		Ruleset: "default@c05fc14f24c8",
		Records: []profile.Ref{ref("bolagsverket", orgnr, 3), ref("kronofogden", orgnr, 2), ref("roles", orgnr+"/PK2KLPEJQJ4CDBXMXDF4J/vd/2021-01-15", 1)},
	}
}

func assessmentEventOf(t *testing.T, a *screening.Assessment, prev *event.Result) event.Assessment {
	t.Helper()
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return event.Assessment{Orgnr: a.Orgnr, Name: a.Name, At: a.At, Purpose: a.Purpose, Result: a.Result(),
		Previous: prev, Ruleset: a.Ruleset, Assessment: data}
}

// alertStates is the state after each event; "updated" is a reopening.
var alertStates = map[string]string{
	event.AlertOpened: "ny", event.AlertUpdated: "ny", event.AlertAssigned: "utreds",
	event.AlertDecided: "beslutad", event.AlertClosed: "stangd",
}

func alertOf(ev string, revision int) event.Alert {
	a := event.Alert{Event: ev, AlertID: orgnr + "-1", Revision: revision, Orgnr: orgnr, Name: "Omsorgshuset Norr AB",
		At: at0.Add(time.Duration(revision) * time.Hour), State: ladder.AlertState(alertStates[ev]), Step: screening.L3, Score: 32.5,
		Hits: []string{"S04", "S12", "S15"}}
	switch ev {
	case event.AlertAssigned:
		a.Assignee, a.By = "karin.lund", "per.berg"
	case event.AlertDecided:
		a.Assignee, a.By, a.Decision = "karin.lund", "karin.lund", orgnr+"-1-d1"
	case event.AlertClosed:
		a.By = "karin.lund"
	case event.AlertUpdated:
		a.By, a.Reason = "vaksam", "reopened"
	}
	return a
}

func actionOf(kind string) event.Action {
	a := event.Action{ActionID: orgnr + "-1-d1", Kind: kind, Orgnr: orgnr, Name: "Omsorgshuset Norr AB",
		At: at0.Add(26 * time.Hour), DecidedBy: "karin.lund", Ground: "LOU 13:1",
		Contracts: []string{"ASN-2024-1001", "HVB-2025-0007"}}
	switch kind {
	case event.Resume:
		a.ActionID, a.Supersedes, a.Ground = orgnr+"-1-d2", orgnr+"-1-d1", "avtalsvillkor: 12.3 rättelse"
	case event.Terminate:
		a.ActionID, a.ApprovedBy, a.Ground = orgnr+"-1-d3", "eva.ek", "avtalsvillkor: 14.2 hävning vid väsentligt avtalsbrott"
	case event.Exclude:
		a.ActionID, a.ApprovedBy, a.Contracts = orgnr+"-1-d4", "eva.ek", []string{}
	}
	return a
}

func TestPayloadsValidate(t *testing.T) {
	schemas := compiled(t)
	prev := handAssessment("").Result()
	prev.Step, prev.Verdict, prev.Score, prev.Hits = screening.L1, screening.Clear, 7.5, []string{"S12"}
	type tc struct {
		name, schema, subject, msgID, header string
		build                                func() (store.Event, error)
	}
	cases := []tc{
		{"assessment first", assessmentEvent, "vaksam.assessment.L3." + orgnr, "assessment." + orgnr + "." + strconv.FormatInt(at0.UnixNano(), 10) + ".",
			event.AssessmentSchema, func() (store.Event, error) { return event.NewAssessment(assessmentEventOf(t, handAssessment(""), nil)) }},
		{"assessment changed", assessmentEvent, "vaksam.assessment.L3." + orgnr, "assessment." + orgnr + ".",
			event.AssessmentSchema, func() (store.Event, error) {
				return event.NewAssessment(assessmentEventOf(t, handAssessment(""), &prev))
			}},
		{"assessment pre-award", assessmentEvent, "vaksam.assessment.L3." + orgnr, "assessment." + orgnr + ".",
			event.AssessmentSchema, func() (store.Event, error) {
				return event.NewAssessment(assessmentEventOf(t, handAssessment(screening.Award), &prev))
			}},
	}
	for i, ev := range event.AlertEvents {
		cases = append(cases, tc{"alert " + ev, alertEvent, "vaksam.alert." + ev + "." + orgnr,
			"alert." + orgnr + "-1." + strconv.Itoa(i+1), event.AlertSchema,
			func() (store.Event, error) { return event.NewAlert(alertOf(ev, i+1)) }})
	}
	for _, kind := range event.ActionKinds {
		a := actionOf(kind)
		cases = append(cases, tc{"action " + kind, actionEvent, "vaksam.action." + kind + "." + orgnr,
			"action." + a.ActionID, event.ActionSchema, func() (store.Event, error) { return event.NewAction(a) }})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := c.build()
			if err != nil {
				t.Fatal(err)
			}
			if ev.Subject != c.subject {
				t.Errorf("subject %q, want %q", ev.Subject, c.subject)
			}
			if !strings.HasPrefix(ev.MsgID, c.msgID) || strings.HasSuffix(ev.MsgID, ".") {
				t.Errorf("message id %q, want %q…", ev.MsgID, c.msgID)
			}
			if ev.Header[event.HeaderSchema] != c.header {
				t.Errorf("header %s = %q, want %q", event.HeaderSchema, ev.Header[event.HeaderSchema], c.header)
			}
			if ev.Org != orgnr || ev.Created.IsZero() {
				t.Errorf("org %q, created %v", ev.Org, ev.Created)
			}
			mustValid(t, schemas, c.schema, ev.Data)
			// The same input is the same message.
			again, err := c.build()
			if err != nil {
				t.Fatal(err)
			}
			if again.MsgID != ev.MsgID || !bytes.Equal(again.Data, ev.Data) {
				t.Errorf("not deterministic: %q then %q", ev.MsgID, again.MsgID)
			}
		})
	}
}

func TestMessageIDs(t *testing.T) {
	base := assessmentEventOf(t, handAssessment(""), nil)
	id := func(p event.Assessment) string {
		t.Helper()
		ev, err := event.NewAssessment(p)
		if err != nil {
			t.Fatal(err)
		}
		return ev.MsgID
	}
	alertID := func(p event.Alert) string {
		t.Helper()
		ev, err := event.NewAlert(p)
		if err != nil {
			t.Fatal(err)
		}
		return ev.MsgID
	}
	for _, tc := range []struct {
		name   string
		a, b   string
		differ bool
	}{
		{"same assessment", id(base), id(base), false},
		{"same result, other name and ruleset", id(base), id(func() event.Assessment {
			p := base
			p.Name, p.Ruleset = "Omsorgshuset Norr Aktiebolag", "default@000000000000"
			return p
		}()), false},
		{"other score", id(base), id(func() event.Assessment { p := base; p.Score = 42; return p }()), true},
		{"other verdict", id(base), id(func() event.Assessment { p := base; p.Verdict = screening.Review; return p }()), true},
		{"other hits", id(base), id(func() event.Assessment { p := base; p.Hits = []string{"S04"}; return p }()), true},
		{"now complete", id(base), id(func() event.Assessment { p := base; p.Incomplete, p.Missing = false, []string{}; return p }()), true},
		{"other time", id(base), id(func() event.Assessment { p := base; p.At = p.At.Add(time.Nanosecond); return p }()), true},
		{"other organisation", id(base), id(func() event.Assessment { p := base; p.Orgnr = "5560021361"; return p }()), true},
		{"same alert revision", alertID(alertOf(event.AlertOpened, 1)), alertID(alertOf(event.AlertOpened, 1)), false},
		{"next alert revision", alertID(alertOf(event.AlertOpened, 1)), alertID(alertOf(event.AlertUpdated, 2)), true},
	} {
		if (tc.a != tc.b) != tc.differ {
			t.Errorf("%s: %q and %q, want differ=%t", tc.name, tc.a, tc.b, tc.differ)
		}
	}
}

func TestBadSubjectTokens(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func() (store.Event, error)
	}{
		{"alert event with a dot", func() (store.Event, error) { return event.NewAlert(alertOf("opened.x", 1)) }},
		{"alert event *", func() (store.Event, error) { return event.NewAlert(alertOf("*", 1)) }},
		{"alert event >", func() (store.Event, error) { return event.NewAlert(alertOf(">", 1)) }},
		{"alert event empty", func() (store.Event, error) { return event.NewAlert(alertOf("", 1)) }},
		{"alert event with a space", func() (store.Event, error) { return event.NewAlert(alertOf("open ed", 1)) }},
		{"alert orgnr with a dot", func() (store.Event, error) {
			a := alertOf(event.AlertOpened, 1)
			a.Orgnr = orgnr + ".x"
			return event.NewAlert(a)
		}},
		{"alert orgnr wildcard", func() (store.Event, error) {
			a := alertOf(event.AlertOpened, 1)
			a.Orgnr = "*"
			return event.NewAlert(a)
		}},
		{"action kind with a dot", func() (store.Event, error) { return event.NewAction(actionOf("halt.now")) }},
		{"action orgnr >", func() (store.Event, error) {
			a := actionOf(event.Halt)
			a.Orgnr = ">"
			return event.NewAction(a)
		}},
		{"assessment step wildcard", func() (store.Event, error) {
			p := assessmentEventOf(t, handAssessment(""), nil)
			p.Step = "L*"
			return event.NewAssessment(p)
		}},
	} {
		if ev, err := tc.build(); err == nil {
			t.Errorf("%s: built %q, want an error", tc.name, ev.Subject)
		}
	}
}

func TestScreenRequest(t *testing.T) {
	schemas := compiled(t)
	for _, r := range []event.ScreenRequest{
		{Orgnr: "559123-4561", Purpose: screening.Award},
		{Orgnr: "5591234561", Purpose: screening.Calloff, Category: "hvb_barn", ValueSEK: 1_200_000, MaxAge: "36h", Timeout: "1500ms"},
		{Orgnr: "165591234561", Purpose: screening.Direct, MaxAge: "7d", Timeout: "2s"},
		{Orgnr: "16559123-4561", Purpose: screening.Award, MaxAge: "1h30m"},
		{Orgnr: "19821130-4345", Purpose: screening.Award, Timeout: "0.5s"},
		{Orgnr: "200101+1234", Purpose: screening.Award}, // a sole trader 100 years or older
	} {
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		mustValid(t, schemas, screenRequest, data)
	}
}

// TestRejects: payloads that break the contract must fail validation.
func TestRejects(t *testing.T) {
	schemas := compiled(t)
	asJSON := func(build func() (store.Event, error)) string {
		ev, err := build()
		if err != nil {
			t.Fatal(err)
		}
		return string(ev.Data)
	}
	action := asJSON(func() (store.Event, error) { return event.NewAction(actionOf(event.Halt)) })
	resume := asJSON(func() (store.Event, error) { return event.NewAction(actionOf(event.Resume)) })
	alert := asJSON(func() (store.Event, error) { return event.NewAlert(alertOf(event.AlertAssigned, 3)) })
	assessment := asJSON(func() (store.Event, error) {
		return event.NewAssessment(assessmentEventOf(t, handAssessment(""), nil))
	})
	reply, _ := json.Marshal(handAssessment(screening.Award))
	request := `{"orgnr":"559123-4561","purpose":"award","max_age":"36h","timeout":"1500ms"}`

	type edit func(m map[string]any)
	del := func(path ...string) edit {
		return func(m map[string]any) { delete(at(m, path[:len(path)-1]), path[len(path)-1]) }
	}
	set := func(v any, path ...string) edit {
		return func(m map[string]any) { at(m, path[:len(path)-1])[path[len(path)-1]] = v }
	}
	for _, tc := range []struct {
		name, schema, doc string
		edit              edit
		want              string // in the validation error
	}{
		{"action without action_id", actionEvent, action, del("action_id"), "missing property 'action_id'"},
		{"action without contracts", actionEvent, action, del("contracts"), "missing property 'contracts'"},
		{"action kind unknown", actionEvent, action, set("pause", "kind"), "value must be one of"},
		{"action extra field", actionEvent, action, set(1, "priority"), "additional properties 'priority' not allowed"},
		{"action orgnr with hyphen", actionEvent, action, set("559123-4561", "orgnr"), "does not match pattern"},
		{"action time not RFC 3339", actionEvent, action, set("2026-11-22 09:30", "at"), "not valid date-time"},
		{"action contracts null", actionEvent, action, set(nil, "contracts"), "got null, want array"},
		{"resume without supersedes", actionEvent, resume, del("supersedes"), "missing property 'supersedes'"},
		{"alert without revision", alertEvent, alert, del("revision"), "missing property 'revision'"},
		{"alert event unknown", alertEvent, alert, set("reopened", "event"), "value must be one of"},
		{"alert state in English", alertEvent, alert, set("open", "state"), "value must be one of"},
		{"alert revision 0", alertEvent, alert, set(0, "revision"), "minimum"},
		{"alert hits null", alertEvent, alert, set(nil, "hits"), "got null, want array"},
		{"alert extra field", alertEvent, alert, set("x", "alertId"), "additional properties 'alertId' not allowed"},
		{"assessment without previous", assessmentEvent, assessment, del("previous"), "missing property 'previous'"},
		{"assessment step L6", assessmentEvent, assessment, set("L6", "step"), "value must be one of"},
		{"assessment missing not id:source", assessmentEvent, assessment, set([]any{"scb"}, "missing"), "does not match pattern"},
		{"assessment extra field", assessmentEvent, assessment, set(true, "changed"), "additional properties 'changed' not allowed"},
		{"embedded verdict unknown", assessmentEvent, assessment, set("ok", "assessment", "verdict"), "value must be one of"},
		{"embedded without records", assessmentEvent, assessment, del("assessment", "records"), "missing property 'records'"},
		{"embedded hit title without en", assessmentEvent, assessment, func(m map[string]any) {
			hit := at(m, []string{"assessment"})["hits"].([]any)[0].(map[string]any)
			delete(hit["title"].(map[string]any), "en")
		}, "missing property 'en'"},
		{"reply severity unknown", screenReply, string(reply), func(m map[string]any) {
			m["hits"].([]any)[1].(map[string]any)["severity"] = "severe"
		}, "value must be one of"},
		{"reply evidence version 0", screenReply, string(reply), func(m map[string]any) {
			m["hits"].([]any)[0].(map[string]any)["evidence"].([]any)[0].(map[string]any)["version"] = 0
		}, "minimum"},
		{"reply missing id D03", screenReply, string(reply), func(m map[string]any) {
			m["missing"].([]any)[0].(map[string]any)["id"] = "D03"
		}, "value must be one of"},
		{"reply purpose monitor", screenReply, string(reply), set("monitor", "purpose"), "value must be one of"},
		{"reply extra field", screenReply, string(reply), set(0.4, "probability"), "additional properties 'probability' not allowed"},
		{"reply without verdict", screenReply, string(reply), del("verdict"), "missing property 'verdict'"},
		{"request without purpose", screenRequest, request, del("purpose"), "missing property 'purpose'"},
		{"request without orgnr", screenRequest, request, del("orgnr"), "missing property 'orgnr'"},
		{"request purpose unknown", screenRequest, request, set("monitor", "purpose"), "value must be one of"},
		{"request orgnr 9 digits", screenRequest, request, set("559123-456", "orgnr"), "does not match pattern"},
		{"request orgnr hyphen misplaced", screenRequest, request, set("55912-34561", "orgnr"), "does not match pattern"},
		{"request orgnr with space", screenRequest, request, set("559123 4561", "orgnr"), "does not match pattern"},
		{"request orgnr as number", screenRequest, request, set(5591234561, "orgnr"), "want string"},
		{"request max_age in words", screenRequest, request, set("7 days", "max_age"), "does not match pattern"},
		{"request max_age days and hours", screenRequest, request, set("1d12h", "max_age"), "does not match pattern"},
		{"request negative timeout", screenRequest, request, set("-1s", "timeout"), "does not match pattern"},
		{"request timeout without unit", screenRequest, request, set("1500", "timeout"), "does not match pattern"},
		{"request negative value", screenRequest, request, set(-1, "value_sek"), "minimum"},
		{"request extra field", screenRequest, request, set("559123-4561", "orgnummer"), "additional properties 'orgnummer' not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal([]byte(tc.doc), &m); err != nil {
				t.Fatal(err)
			}
			if err := validate(t, schemas[tc.schema], []byte(tc.doc)); err != nil {
				t.Fatalf("the unedited document is invalid: %v", err)
			}
			tc.edit(m)
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			err = validate(t, schemas[tc.schema], data)
			if err == nil {
				t.Fatalf("%s accepts %s", tc.schema, data)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

// at walks a decoded JSON object along path.
func at(m map[string]any, path []string) map[string]any {
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

// TestRealScreening screens the sample organisations with the default rules
// and checks what the engine itself produces: the assessments (the reply of
// the pre-award service) and the assessment events in the outbox.
func TestRealScreening(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the sample files")
	}
	schemas := compiled(t)
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	set, err := defaultpack.Load(rules.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	persons, err := record.NewHMACPseudonymizer([]byte("event tests: not a deployment secret"))
	if err != nil {
		t.Fatal(err)
	}
	observed := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	in := &ingest.Ingester{Store: st}
	const samples = "../../connectors/formats/testdata"
	for _, f := range []struct{ source, file, orgnr string }{
		{"bolagsverket", "bolagsverket-organisationer.json", ""},
		{"bolagsverket", "bolagsverket-organisationer-finns-ej.json", ""},
		{"bolagsverket-dokument", "bolagsverket-dokumentlista.json", "5591234561"},
		{"scb", "scb-hamtaforetag.json", ""},
		{"kronofogden", "kronofogden.jsonl", ""},
		{"ivo", "ivo-tillstand.csv", ""},
		{"ivo-beslut", "ivo-beslut.jsonl", ""},
		{"roles", "roles.jsonl", ""},
		{"huvudman", "huvudman.jsonl", ""},
		{"naringsforbud", "naringsforbud.jsonl", ""},
		{"arbetsmiljoverket", "arbetsmiljoverket.jsonl", ""},
		{"contracts", "avtal.csv", ""},
		{"invoices", "fakturor.csv", ""},
	} {
		job := ingest.Job{Source: f.source, Observed: observed, Persons: persons}
		if f.orgnr != "" {
			job.Orgnr = ident.MustOrg(f.orgnr)
		}
		if _, err := in.File(context.Background(), filepath.Join(samples, f.file), job); err != nil {
			t.Fatal(err)
		}
	}
	// The EU sanctions list lists the sample supplier's chair, Erik Lind
	// (born 1975), under a spelling of his own: a sanctions candidate.
	listed := sanctions.Entity{List: sanctions.EU, ID: "EU.30.1", Kind: sanctions.Person, Names: []sanctions.Name{{Full: "Erik Lindh"}}, BirthDates: []string{"1975"}}
	if _, err := st.Put(watchlist.Snapshot(record.SanctionsEU, record.ListVersion{SHA256: "e0"}, []sanctions.Entity{listed}, observed)); err != nil {
		t.Fatal(err)
	}
	desk := &review.Desk{Store: st}
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, screening.DefaultConfig(), desk.OnSave)
	if err != nil {
		t.Fatal(err)
	}
	// 5591234561 has critical hits, 5560021361 is not in the register,
	// 5560160680 has no record at all.
	orgs := []ident.Org{ident.MustOrg("5591234561"), ident.MustOrg("5560021361"), ident.MustOrg("5560160680")}
	var replies []*screening.Assessment
	for _, run := range []struct {
		at      time.Time
		purpose string
	}{
		{time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC), screening.Monitor},
		{time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC), screening.Award}, // critical before award: L5
		{time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC), screening.Monitor},
		{time.Date(2027, 6, 1, 6, 0, 0, 0, time.UTC), screening.Monitor}, // the data has gone stale
	} {
		as, err := sc.Screen(context.Background(), orgs, screening.Options{At: run.at, Purpose: run.purpose, Save: true})
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, as...)
	}
	var sawNullRecords, sawBlock, sawIncomplete, sawSanction bool
	for _, a := range replies {
		data, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		mustValid(t, schemas, screenReply, data)
		sawSanction = sawSanction || len(a.Sanctions) > 0
		sawNullRecords = sawNullRecords || (a.Unknown && a.Records != nil && len(a.Records) == 0)
		sawBlock = sawBlock || a.Verdict == screening.Block
		sawIncomplete = sawIncomplete || a.Incomplete
	}
	if !sawNullRecords || !sawBlock || !sawIncomplete || !sawSanction {
		t.Errorf("the samples no longer cover an unknown organisation with records [] (%t), block (%t), incomplete (%t) and a sanctions candidate (%t)",
			sawNullRecords, sawBlock, sawIncomplete, sawSanction)
	}

	evs, err := st.Outbox(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	seq := map[string]uint64{}
	steps := map[string]bool{}
	var withPrevious, preAward int
	for _, ev := range evs {
		if strings.HasPrefix(ev.Subject, event.AlertRoot+".") {
			// The alert the desk opened for the L3 follow-up.
			mustValid(t, schemas, alertEvent, ev.Data)
			seq[ev.Org]++
			continue
		}
		m := stepRe.FindStringSubmatch(ev.Subject)
		if m == nil {
			t.Errorf("subject %q", ev.Subject)
			continue
		}
		mustValid(t, schemas, assessmentEvent, ev.Data)
		var p event.Assessment
		if err := json.Unmarshal(ev.Data, &p); err != nil {
			t.Fatal(err)
		}
		if m[1] != string(p.Step) || m[2] != p.Orgnr || ev.Org != p.Orgnr {
			t.Errorf("subject %q for step %s, orgnr %s (org %s)", ev.Subject, p.Step, p.Orgnr, ev.Org)
		}
		if want := "assessment." + p.Orgnr + "." + strconv.FormatInt(p.At.UnixNano(), 10) + "."; !strings.HasPrefix(ev.MsgID, want) {
			t.Errorf("message id %q, want %q…", ev.MsgID, want)
		}
		if ev.Header[event.HeaderSchema] != event.AssessmentSchema {
			t.Errorf("%s: header %s = %q", ev.Subject, event.HeaderSchema, ev.Header[event.HeaderSchema])
		}
		seq[p.Orgnr]++
		if got := ev.Header[event.HeaderOrgSeq]; got != strconv.FormatUint(seq[p.Orgnr], 10) || ev.OrgSeq != seq[p.Orgnr] {
			t.Errorf("%s: %s %q (org_seq %d), want %d", ev.Subject, event.HeaderOrgSeq, got, ev.OrgSeq, seq[p.Orgnr])
		}
		steps[string(p.Step)] = true
		if p.Previous != nil {
			withPrevious++
		}
		if p.Purpose != "" {
			preAward++
		}
	}
	if len(seq) != len(orgs) || withPrevious == 0 || preAward == 0 || !steps[string(screening.L5)] {
		t.Errorf("events for %d organisations, %d with previous, %d pre-award, steps %v", len(seq), withPrevious, preAward, steps)
	}
}

// TestDocExamples validates the example messages in docs/events.md: each
// ```json block after a `<!-- schema: FILE -->` line.
func TestDocExamples(t *testing.T) {
	schemas := compiled(t)
	doc, err := os.ReadFile("../../docs/events.md")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no docs/events.md")
	}
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)<!-- schema: ([a-z-]+\\.json) -->\\s*```json\\n(.*?)```")
	seen := map[string]int{}
	for _, m := range re.FindAllSubmatch(doc, -1) {
		name := string(m[1])
		if schemas[name] == nil {
			t.Errorf("docs/events.md: unknown schema %s", name)
			continue
		}
		seen[name]++
		if err := validate(t, schemas[name], m[2]); err != nil {
			t.Errorf("docs/events.md: example %d of %s: %v", seen[name], name, err)
		}
	}
	var missing []string
	for _, name := range schemaFiles {
		if seen[name] == 0 {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/events.md has no example of %v", missing)
	}
}

// NewAssessment places the assessment's bytes in the event as they are:
// the event reads exactly as json.Marshal writes the payload, with or
// without a previous result, whatever the strings hold (HTML and line
// separators escaped, non-ASCII letters), and with no assessment at all.
func TestAssessmentEventIsTheMarshalledPayload(t *testing.T) {
	odd := handAssessment("")
	odd.Name = "Vård <&> Omsorg \"Norr\" AB\u2028\u00e5"
	odd.Hits[0].Message = rules.Text{SV: "<script>&amp;</script>", EN: "tab\there\nnewline \u2029"}
	prev := odd.Result()
	prev.Step = screening.L1
	none := assessmentEventOf(t, handAssessment(""), nil)
	none.Assessment = nil
	for name, p := range map[string]event.Assessment{
		"first":         assessmentEventOf(t, handAssessment(""), nil),
		"previous":      assessmentEventOf(t, handAssessment(screening.Award), &prev),
		"odd strings":   assessmentEventOf(t, odd, &prev),
		"no assessment": none,
	} {
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := event.NewAssessment(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(ev.Data, want) {
			t.Errorf("%s: the event holds\n%s\nwant\n%s", name, ev.Data, want)
		}
	}
}

// An assessment event's payload is the bytes encoding/json gives the whole
// payload, whether the assessment's JSON is put in place as it is (the
// store's own encoding, names with characters JSON escapes for HTML) or,
// not being encoding/json's own output, encoded again.
func TestAssessmentEventBytes(t *testing.T) {
	a := handAssessment(screening.Award)
	a.Name = "Vård & Omsorg <Norr> AB\u2028"
	prev := event.Result{Step: screening.L1, Verdict: screening.Clear, Hits: []string{}, Missing: []string{}}
	p := assessmentEventOf(t, a, &prev)
	var indented bytes.Buffer
	if err := json.Indent(&indented, p.Assessment, "", "  "); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]json.RawMessage{"as stored": p.Assessment, "indented": indented.Bytes(), "a string with a space": json.RawMessage(`"a b"`),
		"unescaped": json.RawMessage("[\"<b> & \u2028\"]")} {
		p.Assessment = data
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := event.NewAssessment(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ev.Data, want) {
			t.Errorf("%s: event payload\n%s\nwant\n%s", name, ev.Data, want)
		}
	}
}
