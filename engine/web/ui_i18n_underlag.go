package web

// The strings of the decision's diarienummer and the printed decision
// basis (beslutsunderlag, ui_underlag.go), merged into uiText.
var uiTextUnderlag = map[string]msg{
	"form.diarienummer":     {"Diarienummer", "Case number (diarienummer)"},
	"form.diarienummerhelp": {"Valfritt. Ärendets nummer i nämndens diarium, t.ex. KS 2026/123. Skrivs ut på beslutsunderlaget.", "Optional. The case's number in the board's registry, e.g. KS 2026/123. Printed on the decision basis."},
	"field.diarienummer":    {"Diarienummer", "Case number (diarienummer)"},
	"dec.diarienummer":      {"Diarienummer", "Case number (diarienummer)"},
}

func init() {
	for k, m := range uiTextUnderlag {
		if _, dup := uiText[k]; dup {
			panic("ui_i18n_underlag.go: key " + k + " is already in uiText")
		}
		uiText[k] = m
	}
}
