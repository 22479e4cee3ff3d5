package web

// The strings of the decision's diarienummer and the printed decision
// basis (beslutsunderlag, ui_underlag.go), merged into uiText.
var uiTextUnderlag = map[string]msg{
	"form.diarienummer":     {"Diarienummer", "Case number (diarienummer)"},
	"form.diarienummerhelp": {"Valfritt. Ärendets nummer i nämndens diarium, t.ex. KS 2026/123. Skrivs ut på beslutsunderlaget.", "Optional. The case's number in the board's registry, e.g. KS 2026/123. Printed on the decision basis."},
	"field.diarienummer":    {"Diarienummer", "Case number (diarienummer)"},
	"dec.diarienummer":      {"Diarienummer", "Case number (diarienummer)"},
	"ul.municipality":       {"Kommun", "Municipality"},
	"ul.date":               {"Datum", "Date"},
	"ul.hashhelp":           {"Kontrollsumman är SHA-256 av postversionens lagrade innehåll (den tolkade formen som JSON); dess första 32 tecken är lagrets egen kontrollsumma för versionen.", "The checksum is the SHA-256 of the record version's stored content (its typed form as JSON); its first 32 characters are the store's own checksum of the version."},
	"ul.nohash":             {"finns inte längre i lagret", "no longer in the store"},
	"ul.signatures":         {"Underskrifter", "Signatures"},
	"ul.sign.decider":       {"Beslutande", "Decided by"},
	"ul.sign.approver":      {"Godkännande (fyra ögon)", "Approved by (four eyes)"},
	"ul.sign.line":          {"Underskrift", "Signature"},
	"ul.sign.name":          {"Namn", "Name"},
	"ul.sign.role":          {"Roll", "Role"},
	"ul.sign.date":          {"Datum", "Date"},
	"ul.sign.blank":         {"fylls i för hand", "to be filled in by hand"},
}
