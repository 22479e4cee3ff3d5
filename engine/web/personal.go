package web

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/logging"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

// Personal data by role, as pages and answers present it.
//
// A sole trader's organisation number is its owner's personnummer, and
// its name is usually the owner's. A principal without access.ViewPersons
// (a viewer) sees a sole trader as SoleTrader with the number masked as
// ident.Org.Redacted masks it ("60XXXX-XXXX"), and finds one in a search
// only by its whole number (matches). Where the number is part of what
// such a principal follows or asks for, a link or an identifier (the
// number in /suppliers/{orgnr}, an alert's id <orgnr>-<n>, a decision's
// <orgnr>-<n>-d<m>), it is a sealed reference instead (sealRef): opaque,
// and valid until the process restarts; the routes those lead to take it
// (pathValue). The API gives such an organisation's reference in
// orgnr_ref.
//
// Pseudonyms, the ids records know persons by (P and 20 base-32
// characters, in a role record's key, say), are shown only with
// ViewPersons.
//
// Last, every answer to a principal without ViewPersons, JSON or HTML,
// has each personnummer and samordningsnummer still in it masked
// (logging.MaskPersons: by shape and check digit) and each pseudonym
// replaced by withheldPerson: in the strings of a JSON answer
// (maskJSON), in the whole of a page (maskText). So what no code above
// thought of (a number in a reason, a comment, a record's key) is masked
// too.

// SoleTrader names a sole trader to those who may not see personal data.
const SoleTrader = "enskild näringsidkare"

// withheldPerson stands in the place of a pseudonym.
const withheldPerson = "[person]"

// pseudonymPattern is a pseudonym (record.HMACPseudonymizer).
var pseudonymPattern = regexp.MustCompile(`P[A-Z2-7]{20}`)

// hidden reports whether p may not see an organisation's number and name:
// it is a sole trader's and p lacks ViewPersons.
func hidden(p *access.Principal, orgnr string) bool {
	return !p.Can(access.ViewPersons) && personalOrg(orgnr)
}

// nameFor is an organisation's name as p may see it.
func nameFor(p *access.Principal, orgnr, name string) string {
	if hidden(p, orgnr) {
		return SoleTrader
	}
	return name
}

// orgnrFor is an organisation's number as p may see it.
func orgnrFor(p *access.Principal, orgnr string) string {
	if hidden(p, orgnr) {
		return ident.MustOrg(orgnr).Redacted()
	}
	return orgnr
}

// ref is an identifier that begins with an organisation's number (the
// number itself, an alert's or a decision's id) as p may follow it:
// sealed when p may not see the number.
func ref(p *access.Principal, orgnr, id string) string {
	if id == "" || !hidden(p, orgnr) {
		return id
	}
	return sealRef(id)
}

// orgnrRef is the reference to an organisation p gets beside its masked
// number, "" when the number is not masked.
func orgnrRef(p *access.Principal, orgnr string) string {
	if !hidden(p, orgnr) {
		return ""
	}
	return sealRef(orgnr)
}

// pathValue is a path's value as its handler looks it up: what a sealed
// reference stands for, else the value as it is.
func pathValue(r *http.Request, name string) string { return unsealed(r.PathValue(name)) }

// unsealed is what a sealed reference stands for, else v itself.
func unsealed(v string) string {
	if plain, ok := openRef(v); ok {
		return plain
	}
	return v
}

// matches reports whether an organisation (and its alert's id, if any)
// matches a search's text, lower-cased, and its digits (orgDigits): by
// name, id or part of the number. One p may not see matches only its
// whole number or id: a name would find a person, a part of the number
// their birth date.
func matches(p *access.Principal, orgnr, name, id, lower, digits string) bool {
	if hidden(p, orgnr) {
		return digits == orgnr || id != "" && lower == strings.ToLower(id)
	}
	return strings.Contains(strings.ToLower(name), lower) || id != "" && strings.Contains(strings.ToLower(id), lower) ||
		digits != "" && strings.Contains(orgnr, digits)
}

// alertFor is an alert as p may see it: a sole trader's with its name
// withheld and, when seal is set (for the API, whose identifiers are what
// a client asks for next), its identifiers sealed. The UI seals its links
// instead (view.Ref).
func alertFor(p *access.Principal, a *review.Alert, seal bool) *review.Alert {
	if a == nil || !hidden(p, a.Orgnr) {
		return a
	}
	c := *a
	c.Name = SoleTrader
	if seal {
		c.ID, c.Pending, c.Decision = ref(p, a.Orgnr, a.ID), ref(p, a.Orgnr, a.Pending), ref(p, a.Orgnr, a.Decision)
		c.Decisions = make([]string, len(a.Decisions))
		for i, d := range a.Decisions {
			c.Decisions[i] = ref(p, a.Orgnr, d)
		}
		c.History = slices.Clone(a.History)
		for i := range c.History {
			c.History[i].Decision = ref(p, a.Orgnr, c.History[i].Decision)
		}
	}
	return &c
}

// decisionFor is a decision as p may see it (as alertFor).
func decisionFor(p *access.Principal, d *review.Decision, seal bool) *review.Decision {
	if d == nil || !hidden(p, d.Orgnr) {
		return d
	}
	c := *d
	c.Name = SoleTrader
	if seal {
		c.ID, c.AlertID = ref(p, d.Orgnr, d.ID), ref(p, d.Orgnr, d.AlertID)
		c.Supersedes, c.LiftedBy = ref(p, d.Orgnr, d.Supersedes), ref(p, d.Orgnr, d.LiftedBy)
	}
	return &c
}

// decisionsFor is decisionFor of each.
func decisionsFor(p *access.Principal, ds []*review.Decision, seal bool) []*review.Decision {
	out := make([]*review.Decision, len(ds))
	for i, d := range ds {
		out[i] = decisionFor(p, d, seal)
	}
	return out
}

// Sealed references: "~" and, base64url, AES-GCM of the identifier under
// a key made when the process first needs one, with a nonce derived from
// the identifier (HMAC-SHA256), so that an identifier has one reference
// for the life of the process.
const sealMark = "~"

var seals struct {
	once sync.Once
	aead cipher.AEAD
	mac  []byte
}

func sealKeys() {
	seals.once.Do(func() {
		key := make([]byte, 64)
		rand.Read(key) // never fails (crypto/rand)
		block, err := aes.NewCipher(key[:32])
		if err != nil {
			panic(err) // a 32-byte key is always valid
		}
		if seals.aead, err = cipher.NewGCM(block); err != nil {
			panic(err)
		}
		seals.mac = key[32:]
	})
}

// sealRef seals an identifier.
func sealRef(plain string) string {
	sealKeys()
	m := hmac.New(sha256.New, seals.mac)
	m.Write([]byte(plain))
	nonce := m.Sum(nil)[:seals.aead.NonceSize()]
	return sealMark + base64.RawURLEncoding.EncodeToString(seals.aead.Seal(nonce, nonce, []byte(plain), nil))
}

// openRef is what a sealed reference stands for; false when v is none
// (or not one of this process).
func openRef(v string) (string, bool) {
	b64, ok := strings.CutPrefix(v, sealMark)
	if !ok {
		return "", false
	}
	// Strict: a reference has one spelling, its unused bits zero.
	b, err := base64.RawURLEncoding.Strict().DecodeString(b64)
	sealKeys()
	n := seals.aead.NonceSize()
	if err != nil || len(b) < n {
		return "", false
	}
	plain, err := seals.aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return "", false
	}
	return string(plain), true
}

// maskText masks the personnummer, samordningsnummer and pseudonyms in s.
func maskText(s string) string {
	s = logging.MaskPersons(s)
	if !pseudonymPattern.MatchString(s) {
		return s
	}
	return pseudonymPattern.ReplaceAllStringFunc(s, func(m string) string { return withheldPerson })
}

// maskJSON is maskText of every string (and key) of a JSON document, its
// numbers and layout as they were. What is not JSON is masked as text.
func maskJSON(b []byte) []byte {
	if len(bytes.TrimSpace(b)) == 0 {
		return b
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out bytes.Buffer
	type frame struct {
		object bool
		n      int // tokens written in it
	}
	var stack []frame
	str := json.NewEncoder(&out)
	str.SetEscapeHTML(false)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return []byte(maskText(string(b)))
		}
		closing := tok == json.Delim('}') || tok == json.Delim(']')
		if n := len(stack); n > 0 && !closing {
			f := &stack[n-1]
			switch {
			case f.object && f.n%2 == 1:
				out.WriteByte(':')
			case f.n > 0:
				out.WriteByte(',')
			}
			f.n++
		}
		switch t := tok.(type) {
		case json.Delim:
			out.WriteByte(byte(t))
			switch t {
			case '{', '[':
				stack = append(stack, frame{object: t == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			str.Encode(maskText(t))
			out.Truncate(out.Len() - 1) // the encoder's newline
		case json.Number:
			out.WriteString(t.String())
		case bool:
			out.WriteString(strconv.FormatBool(t))
		case nil:
			out.WriteString("null")
		}
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// maskedWriter holds back a JSON answer to a principal without
// ViewPersons and writes it masked (maskJSON).
type maskedWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (m *maskedWriter) WriteHeader(code int) {
	if m.status == 0 {
		m.status = code
	}
}

func (m *maskedWriter) Write(b []byte) (int, error) {
	m.WriteHeader(http.StatusOK)
	return m.buf.Write(b)
}

// flush writes the answer held back.
func (m *maskedWriter) flush() {
	if m.status == 0 {
		return
	}
	body := m.buf.Bytes()
	if strings.HasPrefix(m.Header().Get("Content-Type"), "application/json") {
		body = maskJSON(body)
	}
	if m.Header().Get("Content-Length") != "" {
		m.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	m.ResponseWriter.WriteHeader(m.status)
	m.ResponseWriter.Write(body)
}

// Personal data. Representatives (board members, the CEO, a sole
// trader's owner) and beneficial owners are personal data: they are shown
// only to principals granted access.ViewPersons, and every answer that
// shows them appends an audit.ViewPersons entry first (no entry, no
// data). A hit whose rule reads persons (its evidence names one of
// personSources) may name them in its message: viewers get the hit with
// its message withheld (withheldMessage) and the answer says
// "persons_withheld": true.

// personSources are the evidence names of rules that read persons.
var personSources = []string{record.Roles, record.Huvudman, record.Naringsforbud, profile.EvidenceNetwork}

// withheldMessage replaces a person-reading hit's message for viewers.
var withheldMessage = rules.Text{
	SV: "Uppgifter om personer visas bara för användare som får se personuppgifter.",
	EN: "Details about persons are shown only to users allowed to see personal data.",
}

// personHit reports whether a hit's rule reads persons: the running rule
// set's evidence for it, or the sources of the records it cites.
func (s *Server) personHit(h screening.Hit) bool {
	if s.Screener != nil && s.Screener.Rules != nil {
		if set := s.Screener.Rules(); set != nil {
			if r := set.Rule(h.ID); r != nil && slices.ContainsFunc(r.Evidence, isPersonSource) {
				return true
			}
		}
	}
	return slices.ContainsFunc(h.Evidence, func(ref profile.Ref) bool { return isPersonSource(ref.Source) })
}

func isPersonSource(src string) bool { return slices.Contains(personSources, src) }

// forPrincipal returns the assessment as the principal may see it: as it
// is with ViewPersons, else a copy with the messages of person-reading
// hits withheld (of every hit, for a sole trader: what the registry says
// of one, their address say, is about a person). withheld says whether
// any was; shown whether the answer shows such a message.
func (s *Server) forPrincipal(a *screening.Assessment, p *access.Principal) (out *screening.Assessment, withheld, shown bool) {
	if a == nil {
		return nil, false, false
	}
	if p.Can(access.ViewPersons) {
		// A representative among the sanctions candidates is a person
		// shown too (ui_sanctions.go).
		return a, false, len(a.Hits) > 0 && (personalOrg(a.Orgnr) || slices.ContainsFunc(a.Hits, s.personHit)) || personCandidates(a)
	}
	c := *a
	c.Hits = slices.Clone(a.Hits)
	c.Name = nameFor(p, a.Orgnr, a.Name)
	soleTrader := personalOrg(a.Orgnr)
	if len(a.Sanctions) > 0 {
		c.Sanctions = withheldSanctions(a.Sanctions, soleTrader)
	}
	for i := range c.Hits {
		if soleTrader || s.personHit(c.Hits[i]) {
			c.Hits[i].Message = withheldMessage
			withheld = true
		}
	}
	return &c, withheld, false
}

// profileOf builds an organisation's profile as of at; found is false
// when the store has no record of it (workplace.Profile).
func (s *Server) profileOf(orgnr string, at time.Time) (*profile.Profile, bool, error) {
	return s.workplace().Profile(orgnr, at)
}

// personalOrg reports whether an organisation number is a sole trader's
// personnummer.
func personalOrg(orgnr string) bool {
	o, err := ident.ParseOrg(orgnr)
	return err == nil && o.Personal()
}
