package screening

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/rules"
)

// encode is json.Marshal(a), byte for byte, written without reflection:
// every assessment a screening saves is encoded, whether it is stored or
// only confirms the stored one (its digest is of these bytes), and
// json.Marshal's reflection and its copies of each time cost more than
// the rest of saving an unchanged result. What it cannot write as
// json.Marshal would (a time outside RFC 3339, a score that is not a
// number) it leaves to json.Marshal, and so to its error.
// TestEncodeIsMarshal holds the two together, every member included.
func encode(a *Assessment) ([]byte, error) {
	e := encoder{b: make([]byte, 0, 2048)}
	e.assessment(a)
	if e.bad {
		return json.Marshal(a)
	}
	return e.b, nil
}

type encoder struct {
	b   []byte
	bad bool // a value json.Marshal would refuse or write otherwise
}

func (e *encoder) raw(s string) { e.b = append(e.b, s...) }

// A member: its name, written as it is (with what comes before it), and
// its value.
func (e *encoder) str(name, v string)                    { e.raw(name); e.string(v) }
func (e *encoder) num(name string, f float64)            { e.raw(name); e.float(f) }
func (e *encoder) stamp(name string, t time.Time)        { e.raw(name); e.time(t) }
func (e *encoder) txt(name string, t rules.Text)         { e.raw(name); e.text(t) }
func (e *encoder) refList(name string, rs []profile.Ref) { e.raw(name); list(e, rs, e.ref) }
func (e *encoder) strList(name string, ss []string)      { e.raw(name); list(e, ss, e.string) }
func (e *encoder) flag(name string, v bool)              { e.raw(name); e.bool(v) }

func (e *encoder) bool(v bool) { e.b = strconv.AppendBool(e.b, v) }

// float is encoding/json's float64: as ECMAScript prints numbers.
func (e *encoder) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.bad = true
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if n := len(e.b); format == 'e' && n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
		e.b[n-2] = e.b[n-1] // e-09 → e-9
		e.b = e.b[:n-1]
	}
}

// time is time.Time's MarshalJSON (RFC 3339 with nanoseconds).
func (e *encoder) time(t time.Time) {
	e.b = append(e.b, '"')
	n0 := len(e.b)
	e.b = t.AppendFormat(e.b, time.RFC3339Nano)
	switch last := e.b[len(e.b)-1]; {
	case e.b[n0+4] != '-': // not a four-digit year
		e.bad = true
	case last != 'Z':
		// An offset of 24 hours or more, or with seconds, is not RFC 3339.
		if c := e.b[len(e.b)-len("Z07:00")]; '0' <= c && c <= '9' || 10*(e.b[len(e.b)-5]-'0')+(e.b[len(e.b)-4]-'0') >= 24 {
			e.bad = true
		}
	}
	e.b = append(e.b, '"')
}

const hexDigits = "0123456789abcdef"

// plain are the ASCII bytes encoding/json writes as they are (HTML
// escaped: not <, > and &).
var plain = func() (p [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		p[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return p
}()

// string is encoding/json's string, HTML escaped.
func (e *encoder) string(s string) {
	b := append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	e.b = append(b, '"')
}

// list writes xs as an array (nil: null), each element with each.
func list[T any](e *encoder, xs []T, each func(T)) {
	if xs == nil {
		e.raw("null")
		return
	}
	e.b = append(e.b, '[')
	for i, x := range xs {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		each(x)
	}
	e.b = append(e.b, ']')
}

func (e *encoder) text(t rules.Text) {
	e.str(`{"sv":`, t.SV)
	e.str(`,"en":`, t.EN)
	e.b = append(e.b, '}')
}

func (e *encoder) ref(r profile.Ref) {
	e.str(`{"source":`, r.Source)
	e.str(`,"key":`, r.Key)
	e.raw(`,"version":`)
	e.b = strconv.AppendUint(e.b, uint64(r.Version), 10)
	e.stamp(`,"observed":`, r.Observed)
	e.b = append(e.b, '}')
}

func (e *encoder) missing(m Missing) {
	e.str(`{"id":`, m.ID)
	e.str(`,"source":`, m.Source)
	e.str(`,"reason":`, m.Reason)
	e.b = append(e.b, '}')
}

func (e *encoder) assessment(a *Assessment) {
	e.str(`{"orgnr":`, a.Orgnr)
	e.str(`,"name":`, a.Name)
	e.stamp(`,"at":`, a.At)
	if a.Purpose != "" {
		e.str(`,"purpose":`, a.Purpose)
	}
	e.num(`,"score":`, a.Score)
	e.str(`,"step":`, string(a.Step))
	e.str(`,"verdict":`, string(a.Verdict))
	e.flag(`,"incomplete":`, a.Incomplete)
	if a.Unknown {
		e.flag(`,"unknown":`, true)
	}
	if a.NotRegistered {
		e.flag(`,"not_registered":`, true)
	}
	if len(a.Reasons) > 0 {
		e.strList(`,"reasons":`, a.Reasons)
	}
	if len(a.CriticalNotChecked) > 0 {
		e.strList(`,"critical_not_checked":`, a.CriticalNotChecked)
	}
	e.raw(`,"missing":`)
	list(e, a.Missing, e.missing)
	e.strList(`,"not_checked":`, a.NotChecked)
	e.raw(`,"hits":`)
	list(e, a.Hits, e.hit)
	if len(a.Sanctions) > 0 {
		e.raw(`,"sanctions":`)
		list(e, a.Sanctions, e.sanction)
	}
	e.str(`,"ruleset":`, a.Ruleset)
	e.refList(`,"records":`, a.Records)
	e.b = append(e.b, '}')
}

func (e *encoder) hit(h Hit) {
	e.str(`{"id":`, h.ID)
	e.txt(`,"title":`, h.Title)
	e.str(`,"severity":`, h.Severity)
	e.str(`,"category":`, h.Category)
	e.num(`,"confidence":`, h.Confidence)
	e.txt(`,"message":`, h.Message)
	if h.Legal != "" {
		e.str(`,"legal":`, h.Legal)
	}
	e.refList(`,"evidence":`, h.Evidence)
	if h.Suppressed != "" {
		e.str(`,"suppressed":`, h.Suppressed)
	}
	e.b = append(e.b, '}')
}

func (e *encoder) sanction(s *profile.Sanction) {
	if s == nil {
		e.raw("null")
		return
	}
	e.str(`{"subject":`, s.Subject)
	if s.Person != "" {
		e.str(`,"person":`, s.Person)
	}
	e.str(`,"name":`, s.Name)
	if s.Roles != "" {
		e.str(`,"roles":`, s.Roles)
	}
	e.str(`,"source":`, s.Source)
	e.str(`,"list":`, s.List)
	e.str(`,"version":`, s.Version)
	e.str(`,"entity_id":`, s.EntityID)
	e.str(`,"kind":`, s.Kind)
	e.str(`,"listed":`, s.Listed)
	e.num(`,"score":`, s.Score)
	e.flag(`,"identifier":`, s.Identifier)
	if s.BirthYear != "" {
		e.str(`,"birth_year":`, s.BirthYear)
	}
	if s.Nationality != "" {
		e.str(`,"nationality":`, s.Nationality)
	}
	e.flag(`,"corroborated":`, s.Corroborated)
	e.flag(`,"dismissed":`, s.Dismissed)
	e.str(`,"explanation":`, s.Explanation)
	e.raw(`,"ref":`)
	e.ref(s.Ref)
	e.b = append(e.b, '}')
}
