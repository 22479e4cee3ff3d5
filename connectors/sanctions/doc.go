// Package sanctions reads the sanctions lists' own formats into the shared
// model of engine/sanctions (S18):
//
//   - ReadEUXML: the EU consolidated financial sanctions file, XML 1.1 (root
//     export, one sanctionEntity per listed subject), streamed one entity at
//     a time, so the ~20 MB file is never held whole.
//   - ReadEUCSV: the same list as CSV 1.1 (semicolon separated, one row per
//     detail: an alias, a birth date, an identification…), rows grouped by
//     Entity_LogicalId. The groups are held until the end of the file, since
//     the format does not promise that one entity's rows are adjacent: the
//     memory is that of the list's entities, not of its rows. The CSV has
//     no column for the XML's strong="false", so its aliases are all read
//     as strong: prefer the XML, which marks the weak ones.
//   - ReadUNXML: the UN Security Council consolidated list (CONSOLIDATED_LIST,
//     INDIVIDUALS/INDIVIDUAL and ENTITIES/ENTITY), streamed one entry at a
//     time. The entity id is the DATAID; the reference number (QDi.001…) is
//     kept as an identifier of type "un-reference". The list gives
//     nationalities as country names ("Democratic Republic of the Congo"),
//     not ISO codes, and they are not read yet.
//   - ReadFtM: an OpenSanctions FollowTheMoney entity stream
//     (entities.ftm.json, one JSON object per line). Only target entities
//     (target: true) of the schemata Person, Organization, Company,
//     LegalEntity and PublicBody are screened, and vessels and aircraft are
//     kept as Kind Other; addresses, ownerships and the like are skipped as
//     they are read. The Sanction entities carry the programme, authority and
//     start date of a listing and point at their entity (by id or by one of
//     its referents); since they may come before or after it, the reader
//     collects the screened entities and the sanctions' few fields, and joins
//     them at the end of the stream. Its memory is bounded by the screened
//     entities (about 60 000 for the OpenSanctions sanctions collection), not
//     by the stream's lines.
//
// Every reader returns the entities it read and the Problems it met. A bad
// entity (no id, no name, a date that is not a date) is quarantined: it is
// left out of Entities and listed in Problems with the file, line (or
// entity id) and field, and the others are still read. A file that is not
// the format at all (broken XML, no header) is an error, which again names
// the file and line. No reader panics on any input (fuzz tests).
package sanctions
