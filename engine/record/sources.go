package record

import "slices"

// Source names, as used on the command line, in freshness configuration and
// in evidence references.
const (
	Bolagsverket         = "bolagsverket"
	BolagsverketBulk     = "bolagsverket-bulk"
	BolagsverketDokument = "bolagsverket-dokument"
	SCB                  = "scb"
	SCBBulk              = "scb-bulk"
	Kronofogden          = "kronofogden"
	IVO                  = "ivo"
	IVOBeslut            = "ivo-beslut"
	Roles                = "roles"
	Huvudman             = "huvudman"
	Naringsforbud        = "naringsforbud"
	Arbetsmiljoverket    = "arbetsmiljoverket"
	Contracts            = "contracts"
	Invoices             = "invoices"
)

// Arrival says how a source's records reach Vaksam by themselves. Every
// source can also be imported with vaksam ingest or pushed over NATS.
type Arrival string

const (
	// ByAPI: fetched per organisation on a schedule (connectors/bolagsverket).
	ByAPI Arrival = "api"
	// ByBatch: fetched for the watch list in batches (connectors/scb).
	ByBatch Arrival = "batch"
	// ByBulkFile: a whole-register file downloaded weekly (connectors/bulkfile).
	ByBulkFile Arrival = "bulk file"
	// ByInbox: files dropped in the source's inbox directory
	// (connectors/filedrop).
	ByInbox Arrival = "inbox"
	// ByDownload: a whole list file fetched on a schedule with a
	// conditional request, or dropped in the source's inbox (the sanctions
	// lists).
	ByDownload Arrival = "download"
	// ByImportOnly: no fetcher; vaksam ingest and NATS push only.
	ByImportOnly Arrival = "import only"
)

// Text is a string in Swedish and English.
type Text struct{ Sv, En string }

// Source is one source in the registry: what every layer needs to know
// about it that is data, not code. The code each source needs is keyed by
// Name in its layer, and a test there checks it against Registry: the
// parser (connectors/formats), the profile decoder (engine/profile), the
// screening window (engine/screening DefaultConfig, derived from here),
// the web's description of a version (engine/web describe) and the
// fetcher (engine/service Fetcher.Setup). Which rules of a pack need a
// source is read from the pack (rules.Set.NeededBy), not typed here.
type Source struct {
	Name string
	// Label is how the web names the source.
	Label Text
	// Arrival is how its records arrive by themselves.
	Arrival Arrival
	// Own marks the municipality's own registers. What they do not hold
	// does not exist (an organisation without a contract record has no
	// contract), so they are never missing or stale and have no window.
	Own bool
	// Window is the default freshness window in days: older data does not
	// count. Zero for own registers.
	Window int
	// Required sources make an assessment incomplete (D01) when missing or
	// stale (screening's freshness); the others are used when present
	// (screening's windows).
	Required bool
	// RequiredFor limits Required to organisations with an active
	// contract in one of these categories (IVO's permits for the permit
	// categories); empty: every organisation.
	RequiredFor []string
	// PersonalExempt marks required sources that do not apply to sole
	// traders (they have no board: roles).
	PersonalExempt bool
	// StandsInFor names the sources whose facts this source's records also
	// carry (Bolagsverket's bulk file carries the API's). SCB's bulk file
	// names companies too, but has no proceedings or deregistrations: it
	// stands in for nothing.
	StandsInFor []string
}

// permitCategories are the contract categories that need an IVO permit.
var permitCategories = []string{"hvb_barn", "hvb_vuxna", "stodboende", "skyddat_boende", "familjehem_konsulent"}

// Registry is every source this version understands, in a stable order.
var Registry = []Source{
	{Name: Bolagsverket, Label: Text{"Bolagsverket", "Bolagsverket (companies registry)"}, Arrival: ByAPI, Window: 7, Required: true},
	{Name: BolagsverketBulk, Label: Text{"Bolagsverket (bulkfil)", "Bolagsverket (bulk file)"}, Arrival: ByBulkFile, Window: 7,
		StandsInFor: []string{Bolagsverket}},
	{Name: BolagsverketDokument, Label: Text{"Bolagsverket (årsredovisningar)", "Bolagsverket (annual reports)"}, Arrival: ByAPI, Window: 31},
	{Name: SCB, Label: Text{"SCB företagsregister", "SCB business register"}, Arrival: ByBatch, Window: 31, Required: true},
	{Name: SCBBulk, Label: Text{"SCB (bulkfil)", "SCB (bulk file)"}, Arrival: ByImportOnly, Window: 31},
	{Name: Kronofogden, Label: Text{"Kronofogden", "Kronofogden (enforcement)"}, Arrival: ByInbox, Window: 92, Required: true},
	{Name: IVO, Label: Text{"IVO tillstånd", "IVO permits"}, Arrival: ByInbox, Window: 92, Required: true, RequiredFor: permitCategories},
	{Name: IVOBeslut, Label: Text{"IVO beslut", "IVO decisions"}, Arrival: ByInbox, Window: 92},
	{Name: Roles, Label: Text{"Företrädare", "Representatives"}, Arrival: ByInbox, Window: 31, Required: true, PersonalExempt: true},
	{Name: Huvudman, Label: Text{"Verkliga huvudmän", "Beneficial owners"}, Arrival: ByInbox, Window: 92},
	{Name: Naringsforbud, Label: Text{"Näringsförbud", "Trading bans"}, Arrival: ByInbox, Window: 31},
	{Name: Arbetsmiljoverket, Label: Text{"Arbetsmiljöverket", "Swedish Work Environment Authority"}, Arrival: ByInbox, Window: 92},
	{Name: SanctionsEU, Label: Text{"EU:s sanktionslista", "EU sanctions list"}, Arrival: ByDownload, Window: 2},
	{Name: SanctionsUN, Label: Text{"FN:s sanktionslista", "UN sanctions list"}, Arrival: ByDownload, Window: 2},
	{Name: SanctionsFtM, Label: Text{"OpenSanctions", "OpenSanctions"}, Arrival: ByDownload, Window: 2,
		StandsInFor: []string{SanctionsEU}},
	{Name: Contracts, Label: Text{"Egna avtal", "Own contracts"}, Arrival: ByInbox, Own: true},
	{Name: Invoices, Label: Text{"Egna fakturor", "Own invoices"}, Arrival: ByInbox, Own: true},
}

// Sources lists every source this version understands, in Registry's
// order.
var Sources = SourcesWhere(func(Source) bool { return true })

// OwnSources are the municipality's own registers (Source.Own).
var OwnSources = SourcesWhere(func(s Source) bool { return s.Own })

// StandIns are, for a source, the sources whose records stand in for it
// (Source.StandsInFor read the other way).
var StandIns = func() map[string][]string {
	out := map[string][]string{}
	for _, s := range Registry {
		for _, f := range s.StandsInFor {
			out[f] = append(out[f], s.Name)
		}
	}
	return out
}()

// SourcesWhere lists, in Registry's order, the names of the sources keep
// accepts.
func SourcesWhere(keep func(Source) bool) []string {
	var out []string
	for _, s := range Registry {
		if keep(s) {
			out = append(out, s.Name)
		}
	}
	return out
}

// LookupSource returns the registry's entry of a source.
func LookupSource(name string) (Source, bool) {
	i := slices.IndexFunc(Registry, func(s Source) bool { return s.Name == name })
	if i < 0 {
		return Source{}, false
	}
	return Registry[i], true
}

// KnownSource reports whether name is a source of the registry.
func KnownSource(name string) bool {
	_, ok := LookupSource(name)
	return ok
}

// Covers reports whether a rule that needs source need may read facts of
// source src: the same source, or one that stands in for it.
func Covers(need, src string) bool {
	return need == src || slices.Contains(StandIns[src], need)
}
