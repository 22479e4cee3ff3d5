package web

// The strings of the signals a coordinator reads: critical steps
// instead of a bare score, the rule set's label, the chart's critical
// marker (ui_signals.go, ui_supplier.go's chart).
var uiTextSignals = map[string]msg{
	"score.critical":          {"Kritisk", "Critical"},
	"score.criticaltitle":     {"En kritisk träff placerade bedömningen på %s; kritiska träffar ger inga poäng.", "A critical hit placed the assessment on %s; critical hits add no points."},
	"score.plus":              {"+\u00a0%s\u00a0poäng", "+\u00a0%s\u00a0points"},
	"score.points":            {"%s poäng", "%s points"},
	"score.criticalhit":       {"kritisk träff", "critical hit"},
	"score.criticalandpoints": {"kritisk träff och %s poäng", "critical hit and %s points"},
	"ruleset.current":         {"%s, version %d (gällande)", "%s, version %d (current)"},
	"ruleset.currentnov":      {"%s (gällande)", "%s (current)"},
	"ruleset.earlier":         {"%s, tidigare version", "%s, earlier version"},
	"ruleset.detail":          {"kontrollsumma %s", "checksum %s"},
	"pack.default":            {"Vaksams standardregler", "Vaksam's default rules"},
	"chart.critical":          {"Kritisk", "Critical"},
	"chart.criticallegend":    {"Romb i bandet Kritisk överst: en bedömning med kritisk träff (steg L3), som gäller oavsett poäng.", "Diamond in the Critical band at the top: an assessment with a critical hit (step L3), which applies whatever the score."},
	"queue.nobody":            {"Ej tilldelad", "Unassigned"},
	// The singular of a format whose first count is 1 (uiT): "<key>.one".
	"net.coloaddr.one":         {"%d organisation är registrerad på %s.", "%d organisation is registered at %s."},
	"queue.countlink.one":      {"%s: %d larm", "%s: %d alert"},
	"bytes.b.one":              {"%d byte", "%d byte"},
	"hear.deadlinehelp.one":    {"Sista dag för leverantören att svara, minst %d dag efter att leverantören underrättades. Kommer inget svar kan beslutet godkännas dagen därpå.", "The last day for the supplier to respond, at least %d day after it was informed. If no response comes, the decision may be approved the day after."},
	"fe.deadline_too_soon.one": {"Svarsfristen måste vara minst %d dag efter att leverantören underrättades: tidigast %s.", "The deadline must be at least %d day after the supplier was informed: %s at the earliest."},
}
