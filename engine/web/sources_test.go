package web

import (
	"testing"

	"github.com/vaksam/vaksam/engine/record"
)

// TestEverySourceDescribed checks that the web names every source of the
// registry in both languages and describes a version of each on the
// supplier's timeline; a source it cannot describe gives no lines.
func TestEverySourceDescribed(t *testing.T) {
	// Sources whose records never reach an organisation's timeline, and why.
	notOnTimeline := map[string]string{
		record.Naringsforbud: "a trading ban's subject is the person (record.PersonSubjectPrefix), not an organisation",
		record.SanctionsEU:   "a sanctions list's subject is the list (record.ListSubject), not an organisation",
		record.SanctionsUN:   "a sanctions list's subject is the list (record.ListSubject), not an organisation",
		record.SanctionsFtM:  "a sanctions list's subject is the list (record.ListSubject), not an organisation",
	}
	for _, s := range record.Registry {
		for _, lang := range uiLangs {
			if m, ok := uiText["src."+s.Name]; !ok || m.in(lang) == "" {
				t.Errorf("%s: no %s label", s.Name, lang)
			}
			if _, ok := notOnTimeline[s.Name]; ok {
				continue
			}
			if lines := describe(lang, s.Name, []byte("{}"), nil, true, true); len(lines) == 0 {
				t.Errorf("%s: describe (%s) says nothing of a version", s.Name, lang)
			}
		}
	}
	if lines := describe("sv", "kronofogden2", []byte("{}"), nil, true, true); lines != nil {
		t.Errorf("an unknown source described: %q", lines)
	}
}
