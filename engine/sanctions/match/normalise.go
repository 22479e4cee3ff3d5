package match

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-unidecode"
)

// fold transliterates s to Latin letters (Cyrillic, Arabic, Greek and the
// other scripts go-unidecode knows; diacritics are dropped the same way),
// folds case and turns everything but letters and digits into spaces, and
// returns the tokens.
func fold(s string) []string {
	latin := unidecode.Unidecode(s)
	var b strings.Builder
	b.Grow(len(latin))
	for _, r := range latin {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '`' || r == '.':
			// apostrophes inside names (O'Brien, the transliterated
			// ayn and hamza) join rather than split, and so do the dots
			// of abbreviations (S.A., B.V., L.L.C.)
		default:
			b.WriteByte(' ')
		}
	}
	toks := strings.Fields(b.String())
	// the Arabic article is written apart in Latin listings ("Al-Zahrani",
	// "el Sayed") but joined in Arabic script (الزهراني): join it
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		if (toks[i] == "al" || toks[i] == "el") && i+1 < len(toks) {
			out = append(out, toks[i]+toks[i+1])
			i++
			continue
		}
		out = append(out, toks[i])
	}
	return out
}

// legalForms are the organisation forms dropped from organisation names
// before matching, folded as fold folds them (ООО folds to ooo). Domain
// data: the forms of Sweden, its neighbours and the countries the lists
// name most often.
var legalForms = map[string]bool{
	"ab": true, "aktiebolag": true, "publ": true, "hb": true, "handelsbolag": true,
	"kb": true, "kommanditbolag": true, "ek": true, "ekonomisk": true, "forening": true,
	"as": true, "asa": true, "aps": true, "oy": true, "oyj": true, "ehf": true,
	"llc": true, "ltd": true, "limited": true, "inc": true, "incorporated": true,
	"corp": true, "corporation": true, "co": true, "company": true, "plc": true,
	"llp": true, "lp": true, "gmbh": true, "ag": true, "kg": true, "mbh": true,
	"sa": true, "sarl": true, "sas": true, "srl": true, "spa": true, "bv": true, "nv": true,
	"ooo": true, "oao": true, "zao": true, "pao": true, "ao": true, "jsc": true,
	"pjsc": true, "ojsc": true, "cjsc": true, "tov": true, "pat": true, "fzco": true,
	"fze": true, "fzc": true, "wll": true,
}

// orgTokens drops the legal forms from an organisation's tokens; it keeps
// them when nothing else is left (a company called "AB AB").
func orgTokens(toks []string) []string {
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if !legalForms[t] {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return toks
	}
	return out
}

// skeleton is a token's consonants, doubled letters written once (h and w
// count as vowels): "mohammed" and the Arabic "mHmd" both give "mmd",
// "andersson" and "andersen" both "ndrsn". It is the blocking key that survives vowel
// misspellings and vowel-less transliterations.
func skeleton(t string) string {
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'h', 'w':
			// vowels, and h and w which transliterations add or drop
			continue
		}
		if i > 0 && t[i-1] == c {
			continue // a doubled letter
		}
		b.WriteByte(c)
	}
	return b.String()
}

// hasVowel reports whether a token has a vowel (y, which transliterations
// of Arabic use for its long i, does not count); a transliteration from
// Arabic or Hebrew often has none.
func hasVowel(t string) bool {
	return strings.ContainsAny(t, "aeiou")
}

// NormaliseIdentifier folds an identifier for exact comparison: case,
// spaces, hyphens, dots and slashes do not count.
func NormaliseIdentifier(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '.', '/', '\t':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
