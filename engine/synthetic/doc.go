// Package synthetic generates a deterministic synthetic population of
// suppliers in Skåne, written as files in the sources' real formats
// (shared/formats/README.md), so that the importers, the store and the rule
// pack can be exercised end to end and measured at scale without personal
// data.
//
// Generate(dir, cfg) writes, for cfg.Seed and cfg.Now (the generator never
// reads the clock):
//
//	bolagsverket/organisationer-<date>.jsonl  API responses, one {"organisationer":[...]} of ≤1000 per line;
//	                                           snapshots at now-400, -300, -200, -110, -30 and -2 days: the
//	                                           last holds every organisation, earlier ones the special cases,
//	                                           organisations whose data differ and a 2 % sample
//	bolagsverket-utan-identitet/<orgnr>.json   an answer with "organisationsidentitet": null, observed at
//	                                           now-1 day (its Step names the organisation asked for)
//	bolagsverket-bulkfil.txt                   bulk file (subset of ordinary organisations, and the bankrupt
//	                                           predecessors known only from it)
//	bolagsverket-dokument/<orgnr>.json         document lists (all ABs up to 20 000 organisations, else
//	                                           those with contracts and the special cases)
//	scb/hamtaforetag-NNNN.json                 SCB API rows, ≤2000 per file, every organisation but those
//	                                           SCB does not know
//	scb-bulkfil.txt                            SCB bulk file (subset) in the real JE shape: ISO-8859-1, 34
//	                                           columns (values, then change flags m…), a tab ending every
//	                                           line, CRLF, PeOrgNr with 12 and 10 digits
//	kronofogden.jsonl                          one extract per supplier with a contract
//	ivo-tillstand.csv, ivo-beslut.jsonl        permits for permit-category contracts, decisions
//	roles.jsonl, huvudman.jsonl, naringsforbud.jsonl, arbetsmiljoverket.jsonl
//	avtal.csv, fakturor.csv                    contracts (about 12 % of organisations) and monthly invoices
//	sanktioner/eu-sanktionslista.xml           the EU consolidated sanctions list (XML 1.1), observed an hour
//	                                           before now: 320 foreign persons and enterprises, and two entries
//	                                           about suppliers' chairs (sanctions.go)
//	manifest.json                              the Manifest: steps in ingest order, planted, clean and
//	                                           real-format cases (ReadManifest reads it)
//
// Every organisation is derived from its index alone (numbers, addresses
// and people through bijections, so they never collide), which keeps memory
// bounded: only contracts are held. Files are written in one streaming pass.
//
// Special organisations are spread over the index range:
//
//   - planted cases, at least three per indicator S01–S17, S19, S20,
//     C01–C05, P01–P04 (more with Orgs, bounded), each built to trigger
//     exactly Planted.Indicators as of Now. Some cases come in sets: a mass
//     address holds 10–12 organisations (all S12), a straw man sits on ten
//     boards (all S14), every S13 case has two bankrupt predecessors (S01,
//     S06; in every third network from the second one is deregistered with
//     reason KKAV; in every third from the third one is known only from
//     the bulk file, see below);
//     P02 cases also trigger P01 (two invoices of 80–100 000 SEK exceed
//     100 000). The three P03 cases share the category "ovrigt" with two
//     small clean suppliers.
//   - clean controls (Manifest.Clean): active contracts, complete and fresh
//     data, nothing to find.
//   - two more clean controls whose SCB rows withhold tax statuses, as SCB
//     answers an account that has not ordered them (Manifest.Incomplete, not
//     Manifest.Clean): one says "*" for Fskattstatus, the other has no
//     Fskattstatus, Momsstatus or Arbetsgivarstatus columns. Their
//     assessments must be incomplete, never clear.
//   - an accounting firm with eight clients at one street address (nine
//     organisations: below the S12 threshold).
//   - a front men's chain of three companies without contracts, going on
//     from the first S13 network (chain.go): the second board member of
//     its first bankrupt predecessor also sat on the board of the chain's
//     first company, and each next front man on two neighbouring companies.
//     The first went bankrupt 22 months ago and the third was deregistered
//     (KKAV) 46 months ago, both Planted with S01 and S06; the second is
//     active and built to trigger nothing (each of its board members sat
//     on one bankrupt company only). From that network's S13 case the
//     chain's first company is at hop 2, so the supplier dossier's network
//     (drawn to depth 2) has an organisation to expand at every size.
//
// Some special organisations' sources answer as the real services were
// seen to (shared/formats/README.md, "Corrections from the real
// services"). They are listed in Manifest.RealFormat, each with the
// assessment the default rules must give it (RealCase.Expect: step,
// verdict, completeness, exactly the hits, rules not checked, exactly the
// missing sources); each is an existing special organisation answered so,
// which moved no other:
//
//   - KindSCBOnly, the first S06 case (a care supplier): Bolagsverket
//     answers with its own facts, an ongoing bankruptcy (KK) among them,
//     and ORGANISATION_FINNS_EJ with SCB's text on the wrappers SCB
//     produces (juridiskForm, verksamOrganisation,
//     naringsgrenOrganisation, dataproducent "SCB"); SCB's HamtaForetag
//     has no row. S06 fires (L3, block); S01–S03 and S19 (the SNI) are not
//     checked; incomplete (SCB missing, Bolagsverket's unknown SNI).
//   - KindBulkModifiers, the second predecessor in every third S13
//     network from the third: no API answer, only a bulk-file row with
//     "|FRUHOR-AVSLAVOMFO$null|KKAVOV-AVSLAVOMFO$null" (a reconstruction
//     that ended, an ended bankruptcy, no dates) and deregistration reason
//     KKAV-AVORG 18-25 months ago. It fires S01 and S06, not S07 (the
//     reconstruction ended). KindModifierBankruptcy is that network's S13
//     case: its ended bankruptcy counts at the deregistration date, and S13
//     fires. Ordinary bulk rows carry "|FRUHOR-AVSLAVOMFO$null" (the 2nd,
//     22nd, … row) and "|LIUHAVD-AVSLAVOMFO$null" (the 4th, 24th, …), which
//     change nothing.
//   - KindTaxWithheld: the two clean controls whose SCB rows withhold tax
//     statuses (above): S01 not checked, incomplete, review.
//   - KindUnknownBirthDate, the first S14 case with a coordination number:
//     its only board member's samordningsnummer has month 00 and day 60;
//     S14 fires, the birth year (RealCase.BirthYear) is known.
//     KindUnknownBirthDateMember: the first three clean controls' board
//     member beside the chair has one with month 00 and day 60, day 60, or
//     month 00: nothing fires.
//   - KindWithoutIdentity, the first S04 case: after the snapshots' good
//     answers, Bolagsverket's answer at now-1 day has
//     "organisationsidentitet": null and OTILLGANGLIG_UPPGIFTSKALLA on its
//     own fields (UnavailableFields), SCB's filled: a source error (D02)
//     for the organisation asked for, never a quarantine. It keeps its
//     earlier facts (name, S04 fires); the rules on Bolagsverket's facts
//     are not checked; incomplete, review.
//
// The sanctions list (sanctions.go) names two chairs of ordinary suppliers
// with an active contract (of clean controls when the population has too
// few): one with their personnummer (Planted with S18, and
// KindSanctionsIdentifier: L3, block, S18 alone), one by name with
// another birth year and no identifier (KindSanctionsNearName: a candidate
// below the threshold, clear). The generator runs every current
// representative through engine/sanctions/match against the candidates'
// entries, so that nobody else reaches the S18 threshold; the other files
// are those the population has without the list.
//
// Ordinary organisations are built to trigger nothing either: F-skatt
// approved, registered at least 30 months ago, unique addresses, at most
// three board seats per person, recent annual reports, a beneficial owner,
// employer status and size class fitting staffed contracts, valid permits
// with room for the contracted places, prices inside the outlier fences of
// their category (checked under several quartile definitions), no supplier
// above 28 % of a category's spend, invoices within contract periods and
// estimates. Benign history is sprinkled in: one address change, a replaced
// suppleant, decisions older than 24 months, small purchases outside
// contracts (populations of 5000 and more), ended proceedings in the bulk
// file.
//
// Manifest.Orgs is the number of organisations actually generated: Orgs,
// or more when Orgs is too small to hold the special cases (Orgs=100 gives
// about 200).
package synthetic
