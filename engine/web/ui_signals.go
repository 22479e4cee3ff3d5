package web

import (
	"html/template"
	"strings"

	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/rules"
)

// A critical hit adds no points: it places the assessment on L3 (L5
// before award) whatever the score. Wherever a score is shown beside a
// step, a critical step says "Kritisk" (with the points of the other
// hits, when there are any), never a bare score that reads as low risk.

// StepScore is a score cell: the score, or "Kritisk" (+ the score when
// above 0) at a step a critical hit placed it on.
func (v *view) StepScore(step ladder.Step, score float64) template.HTML {
	if !step.Critical() {
		return template.HTML(template.HTMLEscapeString(v.Score(score)))
	}
	title := template.HTMLEscapeString(v.T("score.criticaltitle", string(step)))
	word := template.HTMLEscapeString(v.T("score.critical"))
	out := `<strong class="score-critical" title="` + title + `">` + word + `</strong>`
	if score > 0 {
		out += " " + template.HTMLEscapeString(v.T("score.plus", v.Score(score)))
	}
	return template.HTML(out)
}

// ScoreText is a score in words, for running text and labels: "poäng
// 40", "kritisk träff" or "kritisk träff och 15 poäng".
func (v *view) ScoreText(step ladder.Step, score float64) string {
	return scoreText(v.Lang, step, score)
}

func scoreText(lang string, step ladder.Step, score float64) string {
	switch {
	case !step.Critical():
		return uiT(lang, "score.points", uiDecimal(lang, score))
	case score > 0:
		return uiT(lang, "score.criticalandpoints", uiDecimal(lang, score))
	}
	return uiT(lang, "score.criticalhit")
}

// Ruleset names a rule set as a coordinator reads it (RulesetText),
// with the stored name (pack@hash) as the tooltip and its checksum as a
// detail.
func (v *view) Ruleset(name string) template.HTML {
	text := template.HTMLEscapeString(v.RulesetText(name))
	if name == "" {
		return template.HTML(text)
	}
	_, hash, _ := strings.Cut(name, "@")
	detail := template.HTMLEscapeString(v.T("ruleset.detail", hash))
	return template.HTML(`<span class="ruleset" title="` + template.HTMLEscapeString(name) + `">` + text +
		` <span class="detail">` + detail + `</span></span>`)
}

// RulesetText names a rule set ("pack+pack@hash") in words: each pack
// by its label, with its version and "current" when the set is the
// running one, "earlier version" otherwise.
func (v *view) RulesetText(name string) string {
	if name == "" {
		return v.T("value.none")
	}
	var running *rules.Set
	if v.s != nil && v.s.Screener != nil && v.s.Screener.Rules != nil {
		running = v.s.Screener.Rules()
	}
	current := running != nil && running.Version() == name
	packs, _, _ := strings.Cut(name, "@")
	var parts []string
	for _, p := range strings.Split(packs, "+") {
		label := v.L("pack", p)
		switch {
		case current && running.Versions[p] > 0:
			parts = append(parts, v.T("ruleset.current", label, running.Versions[p]))
		case current:
			parts = append(parts, v.T("ruleset.currentnov", label))
		default:
			parts = append(parts, v.T("ruleset.earlier", label))
		}
	}
	return strings.Join(parts, ", ")
}
