package report

// The Swedish words the PDF and the page print for the report's keys.

var categoryLabels = map[string]string{
	"":                     "Utan kategori",
	"hvb_barn":             "HVB barn och unga",
	"hvb_vuxna":            "HVB vuxna",
	"stodboende":           "Stödboende",
	"skyddat_boende":       "Skyddat boende",
	"familjehem_konsulent": "Konsulentstödda familjehem",
	"oppenvard":            "Öppenvård",
	"arbetskooperativ":     "Arbetskooperativ",
	"handledning":          "Handledning av personal",
	"tolk":                 "Tolktjänster",
	"larm":                 "Larm och bevakning",
	"livsmedel":            "Livsmedel",
	"it":                   "IT- och teleinventarier",
	"ovrigt":               "Övrigt",
}

// CategoryLabel is a purchasing category's name in Swedish; a category
// it does not know, its own words.
func CategoryLabel(c string) string {
	if l, ok := categoryLabels[c]; ok {
		return l
	}
	return c
}

var keyLabels = map[string]string{
	"bekraftad_risk":        "Bekräftad risk",
	"befogat_larm":          "Befogat larm",
	"falsklarm":             "Falsklarm",
	NoOutcome:               "Ej angivet",
	"avropsstopp":           "Avropsstopp",
	"hav_avropsstopp":       "Hävt avropsstopp",
	"havning":               "Hävning",
	"uteslutning":           "Uteslutning",
	"ingen_atgard":          "Ingen åtgärd",
	"besvarad":              "Besvarad",
	"frist_utgangen":        "Frist utgången utan svar",
	"vantar_svar":           "Väntar svar",
	"underrattelse_ogiltig": "Underrättelse ogiltig",
}

// Label is a key's Swedish words: an outcome, a decision kind, a
// hearing status; a key it does not know, the key.
func Label(k string) string {
	if l, ok := keyLabels[k]; ok {
		return l
	}
	return k
}
