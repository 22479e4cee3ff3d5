package web

// The supplier dossier's words (ui_dossier.go, supplier.html,
// static/network.js through dos.js.*), merged into uiText.
var uiTextDossier = map[string]msg{
	"dos.orgform.AB":               {"Aktiebolag", "Limited company"},
	"dos.orgform.E":                {"Enskild näringsidkare", "Sole trader"},
	"dos.orgform.HB":               {"Handelsbolag", "Trading partnership"},
	"dos.orgform.KB":               {"Kommanditbolag", "Limited partnership"},
	"dos.orgform.EK":               {"Ekonomisk förening", "Economic association"},
	"dos.orgform.I":                {"Ideell förening", "Non-profit association"},
	"dos.orgform.S":                {"Stiftelse", "Foundation"},
	"dos.orgform.FL":               {"Filial", "Branch"},
	"dos.status":                   {"Ärende", "Case"},
	"dos.spend":                    {"%d avtal gäller, värda %s. Fakturerat senaste 12 månaderna: %s; totalt: %s.", "Contracts in force: %d, worth %s. Invoiced in the last 12 months: %s; in all: %s."},
	"dos.spend0":                   {"Inga avtal gäller. Fakturerat senaste 12 månaderna: %s; totalt: %s.", "No contract is in force. Invoiced in the last 12 months: %s; in all: %s."},
	"dos.decisions":                {"Öppna beslut och kontradiktion", "Open decisions and hearings"},
	"dos.decision":                 {"Beslut", "Decision"},
	"dos.kind":                     {"Slag", "Kind"},
	"dos.dstatus":                  {"Läge", "Status"},
	"dos.decided":                  {"Fattat", "Decided"},
	"dos.hearing":                  {"Kontradiktion", "Hearing"},
	"dos.nodecisions":              {"Inga beslut väntar på godkännande och inget avropsstopp gäller.", "No decision awaits approval and no call-off halt is in force."},
	"dos.hs.ej_underrattad":        {"Leverantören är inte underrättad", "The supplier has not been informed"},
	"dos.hs.vantar_svar":           {"Väntar på leverantörens svar", "Awaiting the supplier's response"},
	"dos.hs.besvarad":              {"Leverantören har svarat", "The supplier has responded"},
	"dos.hs.frist_utgangen":        {"Svarsfristen har gått ut", "The deadline has passed"},
	"dos.hs.underrattelse_ogiltig": {"Underrättelsen uppfyller inte kraven", "The notice does not meet the requirements"},
	"dos.tl.fskatt":                {"F-skatt: %s → %s", "F-tax: %s → %s"},
	"dos.tl.moms":                  {"Moms: %s → %s", "VAT: %s → %s"},
	"dos.tl.employer":              {"Arbetsgivare: %s → %s", "Employer: %s → %s"},
	"dos.tl.size":                  {"Storleksklass: %s → %s", "Size class: %s → %s"},
	"dos.tl.public":                {"Allmänna mål hos Kronofogden: %d (%s) → %d (%s)", "Public claims at Kronofogden: %d (%s) → %d (%s)"},
	"dos.tl.private":               {"Enskilda mål hos Kronofogden: %d (%s) → %d (%s)", "Private claims at Kronofogden: %d (%s) → %d (%s)"},
	"dos.tlcaption":                {"Ändringar i källornas uppgifter, nyast först", "Changes in the sources' data, newest first"},
	"dos.netintro":                 {"Leverantören, dess företrädare, deras andra organisationer och ett steg till (%d steg, högst %d noder). Välj en organisation för att visa dess företrädare.", "The supplier, its representatives, their other organisations and one more step (%d steps, at most %d nodes). Choose an organisation to show its representatives."},
	"dos.nettruncated":             {"Nätverket är större än %d noder; alla visas inte.", "The network is larger than %d nodes; not all are shown."},
	"dos.netwithheld":              {"Din roll får inte se personuppgifter: företrädare visas som ”en företrädare” utan namn, och enskilda näringsidkare utan nummer.", "Your role may not see personal data: representatives are shown as “a representative” without a name, and sole traders without their number."},
	"dos.netnone":                  {"Inget är känt om leverantörens nätverk.", "Nothing is known of the supplier's network."},
	"dos.zoomin":                   {"Zooma in", "Zoom in"},
	"dos.zoomout":                  {"Zooma ut", "Zoom out"},
	"dos.fit":                      {"Visa hela", "Fit to view"},
	"dos.canvaslabel":              {"Nätverket som graf. Samma uppgifter finns i listan och tabellen nedan.", "The network as a graph. The list and the table below hold the same."},
	"dos.legend":                   {"Organisationer är rektanglar, företrädare ovaler. Röd kant: konkurs eller näringsförbud. Streckad: avregistrerad. Orange: massadress. Dra för att panorera, scrolla eller nyp för att zooma.", "Organisations are rectangles, representatives ovals. Red border: bankruptcy or trading ban. Dashed: deregistered. Orange: mass address. Drag to pan, scroll or pinch to zoom."},
	"dos.nodes":                    {"Noder", "Nodes"},
	"dos.nodeshelp":                {"Välj en nod för att visa den i grafen; en organisation som inte är expanderad visar då sina företrädare.", "Choose a node to show it in the graph; an organisation not yet expanded then shows its representatives."},
	"dos.nettable":                 {"Nätverket som tabell", "The network as a table"},
	"dos.hop":                      {"Steg", "Step"},
	"dos.marks":                    {"Att notera", "Of note"},
	"dos.via":                      {"Via", "Via"},
	"dos.ended":                    {"avslutad", "ended"},
	"dos.massaddr":                 {"Massadress: %d organisationer", "Mass address: %d organisations"},

	"dos.js.person":   {"en företrädare", "a representative"},
	"dos.js.expand":   {"visa företrädare", "show representatives"},
	"dos.js.open":     {"Öppna", "Open"},
	"dos.js.loading":  {"Hämtar nätverket för %s …", "Fetching the network of %s …"},
	"dos.js.failed":   {"Kunde inte hämta nätverket för %s.", "Could not fetch the network of %s."},
	"dos.js.added":    {"%s: %d nya noder.", "%s: %d new nodes."},
	"dos.js.full":     {"Grafen är full; öppna organisationens egen sida för att se dess nätverk.", "The graph is full; open the organisation's own page to see its network."},
	"dos.js.bankrupt": {"konkurs", "bankrupt"},
	"dos.js.dereg":    {"avregistrerad", "deregistered"},
	"dos.js.ban":      {"näringsförbud", "trading ban"},
	"dos.js.mass":     {"massadress", "mass address"},
	"dos.js.hop":      {"steg %s", "step %s"},
	"dos.js.root":     {"leverantören", "the supplier"},
}

func init() {
	for k, m := range uiTextDossier {
		if _, dup := uiText[k]; dup {
			panic("ui_i18n_dossier: " + k + " is already in uiText")
		}
		uiText[k] = m
	}
}
