package logging

import (
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/vaksam/vaksam/engine/ident"
)

// Masked stands in the place of a secret.
const Masked = "[redacted]"

// secretWords are the last words of keys that name secrets.
var secretWords = map[string]bool{
	"password": true, "passwd": true, "passphrase": true, "pass": true,
	"secret": true, "token": true, "bearer": true, "key": true, "apikey": true,
	"authorization": true, "cookie": true, "credential": true, "credentials": true,
}

// SecretKey reports whether an attribute's key names a secret, whose value
// must not be logged. The key is split into words at every character that
// is not a letter or digit and where lower case turns to upper case
// ("clientSecret", "APIKey"); it names a secret when its last word,
// lower-cased, is one of password, passwd, passphrase, pass, secret,
// token, bearer, key, apikey, authorization, cookie, credential or
// credentials. So "password", "client_secret", "Set-Cookie", "api_key",
// "apiKey" and "key" name secrets, while "keys", "key_id", "token_id",
// "tokens", "monkey" and "pseudonym_key_file" do not: a name, id, count or
// file of a secret is not the secret.
func SecretKey(key string) bool {
	w := lastWord(key)
	return w != "" && secretWords[strings.ToLower(w)]
}

// lastWord returns the last word of a key (see SecretKey).
func lastWord(key string) string {
	end := len(key)
	for end > 0 && !alnum(key[end-1]) {
		end--
	}
	start := end
	for start > 0 && alnum(key[start-1]) {
		// A boundary before key[start-1]? Lower or digit before upper:
		// "clientSecret" splits before 'S'. An upper before an upper
		// that a lower follows: "APIKey" splits before 'K'.
		if start < end && upper(key[start]) && !upper(key[start-1]) {
			break
		}
		if start+1 < end && upper(key[start-1]) && upper(key[start]) && lower(key[start+1]) {
			break
		}
		start--
	}
	return key[start:end]
}

func alnum(c byte) bool { return lower(c) || upper(c) || c >= '0' && c <= '9' }
func lower(c byte) bool { return c >= 'a' && c <= 'z' }
func upper(c byte) bool { return c >= 'A' && c <= 'Z' }
func digit(c byte) bool { return c >= '0' && c <= '9' }

// RedactText masks, in free text, every personnummer and
// samordningsnummer (see MaskPersons) and credentials: a bearer token,
// the value of an Authorization or Cookie header, a password in a URL,
// key=value and "key": "value" pairs whose key names a secret.
func RedactText(s string) string {
	return maskSecrets(MaskPersons(s))
}

// MaskPersons replaces each personnummer and samordningsnummer in s by
// its redacted form (ident.Org.Redacted: "19XXXX-XXXX"). A number is one
// of 10 or 12 digits, or 6 or 8 digits, a '-' or '+' and 4 digits, with no
// digit right before or after it, which ident parses as a person's: a
// valid date (the day plus 60 for a samordningsnummer) and a valid check
// digit. Organisation numbers of legal persons (third digit 2 or more)
// and other numbers stay as they are.
func MaskPersons(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !digit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && digit(s[j]) {
			j++
		}
		end := -1
		switch run := j - i; {
		case (run == 6 || run == 8) && j+5 <= len(s) && (s[j] == '-' || s[j] == '+') &&
			allDigits(s[j+1:j+5]) && (j+5 == len(s) || !digit(s[j+5])):
			end = j + 5
		case run == 10 || run == 12:
			end = j
		}
		if end < 0 {
			i = j
			continue
		}
		if n := s[i:end]; ident.MayBePerson(n) {
			b.WriteString(s[last:i])
			b.WriteString(redactedPerson(n))
			last = end
		}
		i = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// redactedPerson masks a person number as ident.Org.Redacted does
// (YYXXXX-XXXX), whether or not it is one Skatteverket would issue.
func redactedPerson(n string) string {
	d := strings.NewReplacer("-", "", "+", "").Replace(n)
	return d[len(d)-10:len(d)-8] + "XXXX-XXXX"
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !digit(s[i]) {
			return false
		}
	}
	return true
}

// The secret-word alternation of the patterns below: a key whose last
// word (split at '_' and '-') names a secret, as SecretKey decides.
const secretKeyRE = `(?:[A-Za-z0-9]+[_\-])*(?:password|passwd|passphrase|secret|token|key|apikey|credentials?)`

var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	// Authorization: Bearer …, Cookie: …  (header dumps)
	{regexp.MustCompile(`(?i)\b((?:proxy-)?authorization|set-cookie|cookie|x-api-key)(\s*[:=]\s*)[^\r\n]+`), "${1}${2}" + Masked},
	// Bearer eyJ…
	{regexp.MustCompile(`(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]{16,}=*`), "${1} " + Masked},
	// nats://user:password@host
	{regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*):[^/\s@]*@`), "${1}:" + Masked + "@"},
	// client_secret=…  (queries, forms)
	{regexp.MustCompile(`(?i)\b(` + secretKeyRE + `)=[^&\s"',;]+`), "${1}=" + Masked},
	// "access_token": "…"  (JSON bodies)
	{regexp.MustCompile(`(?i)("` + secretKeyRE + `"\s*:\s*)"(?:[^"\\]|\\.)*"`), `${1}"` + Masked + `"`},
}

func maskSecrets(s string) string {
	if !strings.ContainsAny(s, "=:@") && !strings.Contains(s, "earer") && !strings.Contains(s, "EARER") {
		return s
	}
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}

// redactAttr masks what an attribute must not show: the whole value of a
// key that names a secret; person numbers and credentials in strings,
// errors, numbers and formatted values; the same in groups.
func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if a.Key != "" && SecretKey(a.Key) {
		return slog.String(a.Key, Masked)
	}
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, RedactText(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, x := range g {
			out[i] = redactAttr(x)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindInt64, slog.KindUint64:
		// A number, as a handler prints it, may be a person's (an
		// identity number stored as an integer).
		s := v.String()
		if m := MaskPersons(s); m != s {
			return slog.String(a.Key, m)
		}
	case slog.KindAny:
		return slog.Attr{Key: a.Key, Value: redactAny(v)}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// redactAny masks an arbitrary value: an error by its text (which is how
// the handlers show it anyway); anything else is left as it is unless one
// of the forms a handler may print (%+v, its text or its JSON) holds
// something to mask, and is then replaced by that form, masked.
func redactAny(v slog.Value) slog.Value {
	x := v.Any()
	switch x := x.(type) {
	case nil:
		return v
	case error:
		return slog.StringValue(RedactText(x.Error()))
	case []byte:
		s := string(x)
		if r := RedactText(s); r != s {
			return slog.StringValue(r)
		}
		return v
	}
	forms := []string{fmt.Sprintf("%+v", x)}
	if tm, ok := x.(encoding.TextMarshaler); ok {
		if b, err := tm.MarshalText(); err == nil {
			forms = append(forms, string(b))
		}
	}
	if b, err := json.Marshal(x); err == nil {
		forms = append(forms, string(b))
	}
	for _, f := range forms {
		if r := RedactText(f); r != f {
			return slog.StringValue(r)
		}
	}
	return v
}
