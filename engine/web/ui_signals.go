package web

import (
	"html/template"
	"regexp"
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
// running one, "earlier version" otherwise (the label alone when no rule
// set runs).
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
		case running == nil: // nothing runs to compare with
			parts = append(parts, label)
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

// missingReasons are the screening's reasons for a data-quality finding
// (D01, D02; engine/screening, connectors/formats), which assessments
// store in English, with their Swedish: a pattern of the English and the
// Swedish with its submatches ($1, $2). A reason without a pattern shows
// as stored.
var missingReasons = []struct {
	en *regexp.Regexp
	sv string
}{
	{regexp.MustCompile(`^no record for this organisation$`), "ingen uppgift om organisationen"},
	{regexp.MustCompile(`^organisation not found in the register \((.+)\)$`), "organisationen finns inte i registret ($1)"},
	{regexp.MustCompile(`^stale: last observed (.+), window (\d+) days$`), "inaktuell: senast hämtad $1, får vara högst $2 dagar gammal"},
	{regexp.MustCompile(`^older than the requested max age (.+): last observed (.+)$`), "äldre än den begärda högsta åldern $1: senast hämtad $2"},
	{regexp.MustCompile(`^source error: (.*)$`), "fel hos källan: $1"},
	{regexp.MustCompile(`^(\d+) of (\d+) current representatives never looked up in the trading-ban register$`), "$1 av $2 nuvarande företrädare har aldrig slagits upp i näringsförbudsregistret"},
	{regexp.MustCompile(`^(.+): not ordered from SCB \(\*\)$`), "$1: inte beställd från SCB (*)"},
	{regexp.MustCompile(`^(.+): not delivered by SCB \(no such column\)$`), "$1: levereras inte av SCB (kolumnen saknas)"},
	{regexp.MustCompile(`^(.+): no value in SCB's row$`), "$1: inget värde i SCB:s rad"},
	{regexp.MustCompile(`^answer without organisationsidentitet$`), "svar utan organisationsidentitet"},
}

// unknownFact is the screening's "unknown <fact>: <why>".
var unknownFact = regexp.MustCompile(`^unknown (\S+): (.+)$`)

// MissingReason is a data-quality finding's reason in the page's
// language: the screening joins several with "; ".
func (v *view) MissingReason(reason string) string { return missingReason(v.Lang, reason) }

func missingReason(lang, reason string) string {
	if lang == "en" {
		return reason
	}
	parts := strings.Split(reason, "; ")
	for i, p := range parts {
		if m := unknownFact.FindStringSubmatch(p); m != nil {
			parts[i] = "okänd uppgift (" + m[1] + "): " + missingReason(lang, m[2])
			continue
		}
		for _, r := range missingReasons {
			if r.en.MatchString(p) {
				parts[i] = r.en.ReplaceAllString(p, r.sv)
				break
			}
		}
	}
	return strings.Join(parts, "; ")
}
