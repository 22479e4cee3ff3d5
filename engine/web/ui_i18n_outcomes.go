package web

// The strings of the outcomes of closed alerts and of the precision per
// indicator (issue 17): the close form, the bulk close, the
// Träffsäkerhet page.
var uiTextOutcomes = map[string]msg{
	"outcome.legend":         {"Utfall", "Outcome"},
	"outcome.bekraftad_risk": {"Bekräftad risk", "Confirmed risk"},
	"outcome.befogat_larm":   {"Befogat larm", "Justified alert"},
	"outcome.falsklarm":      {"Falsklarm", "False alarm"},
	"outcomehelp.bekraftad_risk": {"Utredningen bekräftade risken hos leverantören.",
		"The investigation confirmed the risk at the supplier."},
	"outcomehelp.befogat_larm": {"Larmet var värt att utreda, men ingen risk hittades.",
		"The alert was worth investigating, but no risk was found."},
	"outcomehelp.falsklarm": {"Träffarna var felaktiga: markera vilka nedan.",
		"The hits were wrong: mark which ones below."},
	"outcome.wrong":         {"Felaktiga träffar (vid falsklarm)", "Wrong hits (for a false alarm)"},
	"outcome.wronghelp":     {"Markera de träffar som var fel. Krävs vid falsklarm, annars lämnas tomt.", "Mark the hits that were wrong. Required for a false alarm, otherwise left empty."},
	"outcome.recorded":      {"Utfall: %s.", "Outcome: %s."},
	"outcome.recordedwrong": {"Felaktiga träffar: %s.", "Wrong hits: %s."},
	"outcome.bulk":          {"Utfall (när larmen stängs)", "Outcome (when the alerts are closed)"},
	"outcome.bulkhelp":      {"Krävs för att stänga. Falsklarm stängs ett i taget på larmets sida, där de felaktiga träffarna anges.", "Required to close. False alarms are closed one at a time on the alert's page, where the wrong hits are marked."},
	"outcome.choose":        {"Välj utfall", "Choose an outcome"},
	"bulk.bad.outcome":      {"Välj utfall: bekräftad risk eller befogat larm.", "Choose an outcome: confirmed risk or justified alert."},
	"field.outcome":         {"Utfall", "Outcome"},
	"field.wrong_hits":      {"Felaktiga träffar", "Wrong hits"},
	"fe.not_a_hit":          {"%s är inte en av larmets träffar.", "%s is not one of the alert's hits."},
}
