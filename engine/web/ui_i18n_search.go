package web

import "fmt"

// The strings of the supplier search (/suppliers) and the pre-award
// check form (/check), merged into uiText.
func init() {
	for k, m := range uiTextSearch {
		if _, dup := uiText[k]; dup {
			panic(fmt.Sprintf("web: catalogue key %q twice", k))
		}
		uiText[k] = m
	}
}

var uiTextSearch = map[string]msg{
	"nav.suppliers": {"Leverantörer", "Suppliers"},
	"nav.check":     {"Kontroll före tilldelning", "Pre-award check"},

	"sup.title":         {"Leverantörer", "Suppliers"},
	"sup.intro":         {"Sök bland leverantörerna på namn, organisationsnummer eller adress.", "Search the suppliers by name, organisation number or address."},
	"sup.intro.persons": {"Du kan också söka på en person (personnummer); sådana sökningar loggas.", "You can also search for a person (personal identity number); such searches are logged."},
	"sup.searchlabel":   {"Sök leverantörer", "Search suppliers"},
	"sup.q":             {"Sök", "Search"},
	"sup.qhelp":         {"Namn eller del av namn, organisationsnummer (med eller utan bindestreck) eller gatuadress, t.ex. Storgatan 12.", "A name or part of one, an organisation number (with or without hyphen) or a street address, e.g. Storgatan 12."},
	"sup.qhelp.persons": {"Namn eller del av namn, organisationsnummer (med eller utan bindestreck), gatuadress, t.ex. Storgatan 12, eller en persons personnummer.", "A name or part of one, an organisation number (with or without hyphen), a street address, e.g. Storgatan 12, or a person's personal identity number."},
	"sup.search":        {"Sök", "Search"},
	"sup.reset":         {"Visa alla", "Show all"},
	"sup.count.one":     {"%s leverantör.", "%s supplier."},
	"sup.count":         {"%s leverantörer.", "%s suppliers."},
	"sup.truncated":     {"Adressen eller personen har fler bolag än en sökning läser (500); alla visas inte.", "The address or the person has more organisations than one search reads (500); not all are shown."},
	"sup.caption":       {"Leverantörer i bokstavsordning", "Suppliers in alphabetical order"},
	"sup.caption.q":     {"Leverantörer som matchar ”%s”", "Suppliers matching “%s”"},
	"sup.col.assessed":  {"Senast bedömd", "Last assessed"},
	"sup.col.match":     {"Hittad på", "Found by"},
	"sup.notscreened":   {"Ej bedömd", "Not assessed"},
	"sup.incomplete":    {"(ofullständig)", "(incomplete)"},
	"sup.openalert":     {"Öppet larm", "Open alert"},
	"sup.noalert":       {"Inget", "None"},
	"sup.none":          {"Inga leverantörer är bedömda ännu.", "No supplier has been assessed yet."},
	"sup.none.q":        {"Ingen leverantör matchar sökningen.", "No supplier matches the search."},
	"sup.match.name":    {"namn", "name"},
	"sup.match.number":  {"organisationsnummer", "organisation number"},
	"sup.match.address": {"adress", "address"},
	"sup.match.person":  {"person", "person"},

	"check.title":          {"Kontroll före tilldelning", "Pre-award check"},
	"check.intro":          {"Kontrollera en leverantör innan ni tilldelar, avropar eller direktupphandlar. Svaret är detsamma som beställningssystemen får (NATS vaksam.screen och POST /api/v1/screen), och kontrollen loggas.", "Check a supplier before an award, a call-off or a direct award. The answer is the one ordering systems get (NATS vaksam.screen and POST /api/v1/screen), and the check is logged."},
	"check.form":           {"Uppgifter om upphandlingen", "The procurement"},
	"check.failed":         {"Kontrollen gjordes inte. Rätta felen nedan.", "The check was not made. Correct the errors below."},
	"check.f.orgnr":        {"Organisationsnummer", "Organisation number"},
	"check.f.purpose":      {"Syfte", "Purpose"},
	"check.f.category":     {"Kategori", "Category"},
	"check.f.value_sek":    {"Kontraktsvärde (kr)", "Contract value (SEK)"},
	"check.h.orgnr":        {"Tio siffror, med eller utan bindestreck: NNNNNN-NNNN.", "Ten digits, with or without hyphen: NNNNNN-NNNN."},
	"check.h.category":     {"Kategorier som kräver tillstånd från IVO kontrolleras mot IVO:s register.", "Categories that need an IVO permit are checked against IVO's register."},
	"check.h.value_sek":    {"Hela kronor, valfritt.", "Whole kronor, optional."},
	"check.nocategory":     {"Ingen angiven", "None given"},
	"check.submit":         {"Kontrollera", "Check"},
	"check.err.value":      {"Ange ett belopp i hela kronor, 0 eller mer.", "Give an amount in whole kronor, 0 or more."},
	"check.answer":         {"Svar för %s", "Answer for %s"},
	"check.notfound":       {"Bolagsverket känner inte till organisationsnumret.", "Bolagsverket does not know the organisation number."},
	"check.verdict":        {"Besked", "Verdict"},
	"check.at":             {"Kontrollerad", "Checked"},
	"check.ruleset":        {"Regeluppsättning", "Rule set"},
	"check.incomplete":     {"Underlag", "Data"},
	"check.incomplete.yes": {"Ofullständigt: någon källa saknas eller är för gammal.", "Incomplete: a source is missing or too old."},
	"check.supplier":       {"Leverantörens sida", "The supplier's page"},
	"check.hits":           {"Träffar och underlag", "Hits and evidence"},
	"check.nohits":         {"Inga träffar.", "No hits."},
}
