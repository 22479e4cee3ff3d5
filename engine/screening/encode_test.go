package screening

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/rules"
)

// fill gives every member of v (a pointer to a struct), and of the
// structs and slices within it, a value that is not the zero value, so
// that a member the encoder does not write makes the bytes differ.
func fill(v reflect.Value, r *rand.Rand) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem(), r)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			zone := time.FixedZone("", (r.IntN(27)-13)*3600+r.IntN(2)*1800)
			v.Set(reflect.ValueOf(time.Unix(r.Int64N(4e9), r.Int64N(1e9)).In(zone)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), r)
		}
	case reflect.Slice:
		n := 1 + r.IntN(3)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < s.Len(); i++ {
			fill(s.Index(i), r)
		}
		v.Set(s)
	case reflect.String:
		v.SetString(oddString(r))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float64:
		v.SetFloat(oddFloats[r.IntN(len(oddFloats))])
	case reflect.Uint32:
		v.SetUint(uint64(1 + r.Uint32N(math.MaxUint32)))
	default:
		panic("fill: a member of kind " + v.Kind().String() + ": teach fill and the encoder")
	}
}

var oddFloats = []float64{1, 0.5, 32.5, 0.1, 1e-7, 1.5e-9, 1e21, 2.5e25, 999999999999999, 123456.789, -3.25, math.Copysign(0, -1), 5e-324}

// oddString mixes what encoding/json escapes (quotes, HTML, controls,
// line separators, bytes that are not UTF-8) with plain and non-ASCII
// text.
func oddString(r *rand.Rand) string {
	parts := []string{"Vård AB", "<b>", "&amp;", `"`, `\`, "\n", "\t", "\r", "\b", "\f", "\x00", "\x1f", "\x7f",
		"\u2028", "\u2029", "å", "日本", "\xff", "\xe2\x82", "🙂", "5591234561", " "}
	var b strings.Builder
	for n := r.IntN(6); n >= 0; n-- {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	return b.String()
}

func TestEncodeIsMarshal(t *testing.T) {
	check := func(name string, a *Assessment) {
		t.Helper()
		want, werr := json.Marshal(a)
		got, err := encode(a)
		if (err != nil) != (werr != nil) || !bytes.Equal(got, want) {
			t.Errorf("%s: encode gave (%v)\n%s\njson.Marshal (%v)\n%s", name, err, got, werr, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		var a Assessment
		fill(reflect.ValueOf(&a), r)
		check("filled", &a)
	}
	check("zero", &Assessment{})
	check("as a screening makes it", &Assessment{Orgnr: "5591234561", Name: "Omsorg AB", At: time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC),
		Missing: []Missing{}, NotChecked: []string{}, Hits: []Hit{{ID: "S04", Title: rules.Text{SV: "Skuld"}, Evidence: []profile.Ref{}}},
		Records: []profile.Ref{{Source: "bolagsverket", Key: "5591234561", Version: 3, Observed: time.Date(2026, 11, 20, 22, 59, 59, 999999999, time.UTC)}}})
	check("a sanctions candidate without the optional members", &Assessment{Sanctions: []*profile.Sanction{{Subject: "organisation", Score: 0.875}, nil}})
	check("not a number", &Assessment{Score: math.NaN()})
	check("infinite confidence", &Assessment{Hits: []Hit{{Confidence: math.Inf(1)}}})
	check("year 10000", &Assessment{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	check("year -1", &Assessment{At: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)})
	check("offset 24 h", &Assessment{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))})
	check("offset with seconds", &Assessment{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600+30))})
	for i := 0; i < 200; i++ {
		b := make([]byte, r.IntN(40))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		check("random bytes", &Assessment{Name: string(b)})
	}
}
