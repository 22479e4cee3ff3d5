// Package audit keeps Vaksam's audit trail: an append-only, hash-chained
// log of who did what, when, to what. It covers every state change of the
// review desk (alerts opened, updated, reopened, assigned, closed;
// decisions created, approved, rejected; the supplier's hearing on a
// termination or exclusion: informed, responded), and is where the HTTP layer
// records logins, rule changes and every view of personal data
// (representatives, raw records). `vaksam audit verify` checks the chain;
// `vaksam audit list` shows it.
//
// # Entries
//
// An Entry says that Actor (a user id, or System for the engine's own
// changes) did Action (a dotted code such as "alert.assign" or
// "view.persons") to Object (an alert id, a decision id, an organisation
// number) at At, with a few details (codes and ids, never a user's text
// and never a personnummer: Append masks any it finds in them). The time
// is always passed in; nothing here reads the clock.
//
// Append writes an entry inside a store transaction (store.Update), so a
// change and its audit entry commit together or not at all. store.Update
// runs one transaction at a time, and Append reads the chain head within
// it, so the chain is linear: entry n+1 is appended after entry n is
// committed, whatever the number of writers. Several entries may be
// appended in one transaction (a batch of assessments that opens several
// alerts); they follow each other in the order appended.
//
// # The chain
//
// Entries are numbered from 1 (Seq) without gaps. Each carries Prev, the
// Hash of the entry before it (Genesis, 64 zeros, for entry 1), and its
// own Hash: the lowercase hex SHA-256 of its canonical encoding, which
// covers every field but Hash, Seq and Prev included. Altering an entry
// changes its hash; recomputing that hash breaks the next entry's Prev;
// removing an entry leaves a gap in Seq; removing the last one leaves the
// head (below) naming an entry that is not there.
//
// # Canonical encoding
//
// The bytes hashed are a sequence of netstrings (D. J. Bernstein's:
// the length of the string in bytes as a decimal number without leading
// zeros, a colon, the bytes of the string, a comma), one per field, in
// this order:
//
//  1. the version tag "vaksam-audit-v1"
//  2. Seq, decimal
//  3. At in UTC, formatted 2006-01-02T15:04:05.000000000Z (always nine
//     fraction digits, always Z)
//  4. Actor
//  5. Action
//  6. Object
//  7. the number of Detail pairs, decimal
//  8. each Detail key then its value, keys in increasing byte order
//  9. Prev
//
// Strings are UTF-8 (Append refuses any that is not). An auditor can
// recompute a hash from the stored JSON, for example in Python:
//
//	import hashlib, json
//	from datetime import datetime, timezone
//	def ns(s): b = s.encode(); return str(len(b)).encode() + b":" + b + b","
//	def at(s):  # the stored RFC 3339 time, UTC, nine fraction digits
//	    body, _, frac = s.rstrip("Z").partition(".")
//	    return body + "." + (frac + "000000000")[:9] + "Z"
//	def entry_hash(e):
//	    d = e.get("detail") or {}
//	    parts = ["vaksam-audit-v1", str(e["seq"]), at(e["at"]), e["actor"], e["action"],
//	             e["object"], str(len(d))]
//	    for k in sorted(d, key=lambda k: k.encode()):
//	        parts += [k, d[k]]
//	    parts.append(e["prev"])
//	    return hashlib.sha256(b"".join(ns(p) for p in parts)).hexdigest()
//
// (Stored times are in UTC, written with RFC 3339 and as many fraction
// digits as needed, so at() only pads the fraction.)
//
// # Storage
//
// Entries are store documents of kind "audit" whose id is the sequence
// number as 16 decimal digits, zero-padded, so that id order is chain
// order; the value is the Entry as JSON (fields seq, at, actor, action,
// object, detail, prev, hash). The head is the document "audit-head"
// "head": {"seq": <last seq>, "hash": <last hash>}. Both are written by the
// transaction that appends.
//
// # Verification
//
// Log.Verify reads the trail and the head in one snapshot and reports
// every problem it finds, each naming the sequence number: a gap (removed
// entries), an entry stored under another entry's number (moved or
// copied), a hash that does not recompute (altered), a Prev that is not
// the previous entry's Hash (the previous entry replaced with its hash
// recomputed), and a head that does not match the last entry (the last
// entry removed or replaced). It does not stop at the first problem.
//
// A chain only proves itself from the inside: someone able to write the
// store could rewrite every entry from some point on, and the head, with
// fresh hashes. The head hash that verify prints is the anchor against
// that: recorded outside the store (a ticket, a report, another system),
// it must still appear at its sequence number later.
package audit
