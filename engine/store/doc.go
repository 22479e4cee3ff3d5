// Package store keeps Vaksam's state in Badger: every observation and
// version of every record, the secondary indexes (person → organisations,
// normalised address → organisations, source → records), the quarantine
// of bad records, and stored assessments.
//
// # Records, versions, observations
//
// A record is identified by (subject, source, key); the subject is an
// organisation number or a person pseudonym. Every fetch or import of a
// record is an observation at a time. A new version (the raw bytes verbatim
// and the parsed form) is written only when the content hash differs from
// the newest version; otherwise only the observation is added. Reading "as
// of T" takes, per record, the newest observation at or before T: its
// version is the record's content at T and its time is when the record was
// last confirmed before T. Observations are not read from the wall clock:
// the caller passes every time.
//
// # Key layout
//
//	r <subject> 0 <source> 0 <key> 0 'h'              head: newest version, its hash
//	r <subject> 0 <source> 0 <key> 0 'o' ^observed    observation → version, source error
//	r <subject> 0 <source> 0 <key> 0 'v' version      version: hash, first observed, pos, raw, parsed
//	i 0 'p' 0 <person>  0 <subject>                   person → organisations
//	i 0 'a' 0 <address> 0 <subject>                   normalised address → organisations
//	s 0 <source> 0 <subject> 0 <key>                  source → records
//	m 0 <source> 0 <subject> 0 <key> 0 ^from          market index: a contract's or invoice's facts from a time (market.go)
//	m 1                                               the market index is complete
//	n 0 <subject> 0 <source> 0 <key>                  network index: a registry, role or trading-ban record's facts as it stands (network.go)
//	n 1                                               the network index is complete
//	q 0 <source> 0 ^seq                               quarantine
//	a 0 <subject> 0 <at> 0 <ruleset>                  assessments
//	l 0 <subject>                                     follow-up result: the stored assessment it is, its digest
//	l 0 <subject> 0 ^at                               confirmation: that assessment made again at at, unchanged
//	o 0 <seq>                                         outbox: an event, a reference to its stored assessment
//	w 0 <subject>                                     newest pre-award screening
//	x 0 probe                                         deleted by Check's probe commit, never stored
//
// All keys of one subject are contiguous, so screening every organisation
// is a single ordered scan; observations sort newest first, so the state as
// of T is a single seek per record. Every write of a record (its head,
// version, observation and index entries) is one Badger transaction: a crash
// never leaves half a record.
//
// # Reading for one check
//
// A Reader (reader.go) reads from one Badger read transaction and stops at
// its context's deadline: a pre-award check sees one state of the store
// however many subjects and indexes it reads. The market index lets it
// compute price quartiles and spend shares as of any time from small keys,
// without decoding every supplier. The network index does the same for
// what a screening of the whole store needs of every subject (registry
// facts, roles, trading bans), as of any time after the records' newest
// success.
package store
