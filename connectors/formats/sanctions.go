package formats

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vaksam/vaksam/connectors/sanctions"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/record"
	model "github.com/vaksam/vaksam/engine/sanctions"
)

func init() {
	register(record.SanctionsEU, parseList(record.SanctionsEU, readEU))
	register(record.SanctionsUN, parseList(record.SanctionsUN, sanctions.ReadUNXML))
	register(record.SanctionsFtM, parseList(record.SanctionsFtM, sanctions.ReadFtM))
}

// readEU reads the EU consolidated list as XML 1.1 or CSV 1.1, told apart
// by the first byte that is not a byte order mark or white space: '<'
// starts the XML.
func readEU(r io.Reader, file string) (sanctions.Result, error) {
	br := bufio.NewReader(r)
	skipBOM(br)
	for {
		b, err := br.Peek(1)
		if err != nil || (b[0] != ' ' && b[0] != '\t' && b[0] != '\r' && b[0] != '\n') {
			break
		}
		br.Discard(1)
	}
	if b, err := br.Peek(1); err == nil && b[0] == '<' {
		return sanctions.ReadEUXML(br, file)
	}
	return sanctions.ReadEUCSV(br, file)
}

// parseList is the parser of a sanctions list (record/lists.go): the
// file is the whole list. It emits one record per entity the reader kept,
// under the list's subject and keyed by the list's own id, and, last, the
// list's version record (key "", record.ListVersion) with the digest of
// the file's bytes. An entity the reader could not read, and a second
// entity with an id already read, is quarantined with the reader's
// file:line (or file#id), field and reason.
//
// The readers do not keep the source's element bytes (an EU entity is
// spread over dozens of elements, a CSV entity over rows that need not be
// adjacent), so a record's Raw is the entity's JSON as read, after its
// Swedish personnummer were replaced (listIdentifiers).
func parseList(source string, read func(io.Reader, string) (sanctions.Result, error)) ParseFunc {
	list := record.SanctionsSources[source]
	return func(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
		e, err := newPersonEmitter(ctx, source, opt, sink)
		if err != nil {
			return err
		}
		if err := e.done(); err != nil {
			return err
		}
		h := sha256.New()
		res, err := read(io.TeeReader(&ctxReader{ctx: ctx, r: r}, h), e.name)
		if cerr := e.done(); cerr != nil {
			return cerr
		}
		if err != nil {
			return err
		}
		// The digest is the whole file's, also of bytes after the list's
		// end that the reader did not need.
		if _, err := io.Copy(h, &ctxReader{ctx: ctx, r: r}); err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		subject := record.ListSubject(list)
		ver := record.ListVersion{List: list, Published: res.Published, SHA256: hex.EncodeToString(h.Sum(nil)), File: opt.Name}
		for _, p := range res.Problems {
			if p.Kept {
				e.log.Warn(source+": detail dropped, entity kept", "pos", p.Where, "id", p.ID, "field", p.Field, "reason", p.Reason)
				continue
			}
			ver.Quarantined++
			if err := e.quarantineList(p); err != nil {
				return err
			}
		}
		seen := make(map[string]int, len(res.Entities))
		for i := range res.Entities {
			if err := e.done(); err != nil {
				return err
			}
			ent := &res.Entities[i]
			pos := e.name + "#" + ent.ID
			if first, dup := seen[ent.ID]; dup {
				ver.Quarantined++
				p := sanctions.Problem{Where: pos, ID: ent.ID, Field: "id",
					Reason: fmt.Sprintf("listed twice in the file (entity %d and %d of the list): the first is kept", first+1, i+1)}
				if err := e.quarantineList(p); err != nil {
					return err
				}
				continue
			}
			seen[ent.ID] = i
			listIdentifiers(ent, opt.Persons, res.Published, e)
			raw, err := json.Marshal(ent)
			if err != nil {
				return fmt.Errorf("%s: entity %s: %w", pos, ent.ID, err)
			}
			if err := sink.Record(record.Item{Source: source, Subject: subject, Key: ent.ID, Raw: raw, Parsed: *ent, Pos: pos}); err != nil {
				return err
			}
			ver.Entities++
		}
		raw, err := json.Marshal(ver)
		if err != nil {
			return fmt.Errorf("%s: version: %w", e.name, err)
		}
		return sink.Record(record.Item{Source: source, Subject: subject, Key: "", Raw: raw, Parsed: ver, Pos: e.name})
	}
}

// quarantineList quarantines an entity a sanctions reader could not read.
// The reader keeps no bytes of it: Raw is the problem as JSON, scrubbed of
// person numbers like any quarantined bytes.
func (e *emitter) quarantineList(p sanctions.Problem) error {
	reason := p.Field + ": " + p.Reason
	if p.ID != "" {
		reason = "entity " + p.ID + ": " + reason
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return e.sink.Quarantine(record.Quarantined{Source: e.source, Pos: p.Where, Reason: reason, Raw: scrubPersonNumbers(raw, e.scrub)})
}

// swedishForm is a number written as Swedish person and organisation
// numbers are: six or eight digits, a hyphen or plus, four digits.
var swedishForm = regexp.MustCompile(`^([0-9]{2})?[0-9]{6}[-+][0-9]{4}$`)

// listIdentifiers prepares a listed entity's identifiers for the store:
//
//   - a Swedish personnummer (or samordningsnummer) is replaced by its
//     keyed pseudonym, with type record.PseudonymIdentifier, so that a
//     representative whose pseudonym is the same is an identifier match;
//     a person's birth year is added to the birth dates when they have
//     none;
//   - an organisation's Swedish organisation number is normalised to its
//     10 digits, country SE.
//
// An identifier is foreign when the list says so: its country is another,
// or, when it gives none, the entity has nationalities and SE is not one
// (a Russian INN that happens to pass the check digit is left alone). Of
// a person, any other identifier that parses as a personnummer is one.
// Of an organisation, only one the list ties to Sweden (country SE, SE
// nationality, or the Swedish written form NNNNNN-NNNN) is read as an
// organisation number, or, a sole trader's, as a personnummer. A person's
// identifier of country SE that parses as no personnummer is dropped,
// since it may be a mistyped one, and noted. Person numbers in the
// remarks are replaced too.
func listIdentifiers(ent *model.Entity, ps record.Pseudonymizer, published time.Time, e *emitter) {
	seNational := slices.Contains(ent.Nationalities, "SE")
	person := ent.Kind == model.Person
	out := ent.Identifiers[:0]
	for _, id := range ent.Identifiers {
		v := strings.TrimSpace(id.Value)
		foreign := id.Country != "" && id.Country != "SE" || id.Country == "" && len(ent.Nationalities) > 0 && !seNational
		if foreign || id.Type == "passport" || id.Type == "eu-reference" || id.Type == "un-reference" {
			out = append(out, id)
			continue
		}
		swedish := id.Country == "SE" || id.Country == "" && seNational || swedishForm.MatchString(v)
		if !person && swedish {
			if o, err := ident.ParseOrg(v); err == nil && !o.Personal() {
				out = append(out, model.Identifier{Type: id.Type, Value: o.String(), Country: "SE"})
				continue
			}
		}
		if person || swedish {
			if p, err := parseListedPerson(v, published); err == nil {
				out = append(out, model.Identifier{Type: record.PseudonymIdentifier, Value: ps.Pseudonym(p), Country: "SE"})
				if year := p.BirthYear(); person && len(ent.BirthDates) == 0 && year > 0 {
					ent.BirthDates = append(ent.BirthDates, strconv.Itoa(year))
				}
				continue
			} else if person && id.Country == "SE" && (id.Type == "national-id" || id.Type == "tax" || id.Type == "other") {
				e.log.Warn(e.source+": a Swedish identifier that is no personnummer dropped", "pos", e.name+"#"+ent.ID, "type", id.Type, "reason", err.Error())
				continue
			}
		}
		out = append(out, id)
	}
	ent.Identifiers = out
	if ent.Remarks != "" {
		ent.Remarks = string(pseudonymiseText([]byte(ent.Remarks), ps))
	}
}

// parseListedPerson reads a personnummer of 12 digits, or of 10 as of the
// list's publication (which fixes the century); without a publication
// time a 10-digit number cannot be read.
func parseListedPerson(v string, published time.Time) (ident.Person, error) {
	v = strings.TrimSpace(v)
	if p, err := ident.ParsePerson(v); err == nil {
		return p, nil
	} else if published.IsZero() {
		return ident.Person{}, err
	}
	return ident.ParsePersonAt(v, published.In(record.Stockholm))
}

// personInText finds the numbers in free text that may be 12-digit
// person numbers, with or without the separator.
var personInText = regexp.MustCompile(`\b[0-9]{8}[-+]?[0-9]{4}\b`)

// pseudonymiseText replaces every valid 12-digit personnummer in free text
// (a list's remarks) by its pseudonym; other numbers stay as written.
func pseudonymiseText(b []byte, ps record.Pseudonymizer) []byte {
	return personInText.ReplaceAllFunc(b, func(m []byte) []byte {
		p, err := ident.ParsePerson(string(m))
		if err != nil || bytes.HasPrefix(m, []byte("16")) {
			return m
		}
		return []byte(ps.Pseudonym(p))
	})
}

// ctxReader ends a read when its context ends: the list readers take no
// context.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
