package sign

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testSigner signs with the key of RFC 8032's first test vector, which
// docs/events.md uses too.
func testSigner(t testing.TB) *Signer {
	t.Helper()
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	s, err := NewSigner(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func otherSigner(t testing.TB) *Signer {
	t.Helper()
	key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const (
	actionSubject = "vaksam.action.halt.5591234561"
	actionPayload = `{"action_id":"5591234561-1-d1","kind":"halt","orgnr":"5591234561","name":"Omsorgshuset Norr AB","at":"2026-11-22T09:30:00Z","decided_by":"karin.lund","ground":"LOU 13:1","contracts":["ASN-2024-1001","HVB-2025-0007"]}`
)

// message is a signed message as a consumer receives it.
type message struct {
	subject string
	header  map[string][]string
	data    []byte
}

func signed(t testing.TB, s *Signer, subject string, h map[string][]string, data string) message {
	t.Helper()
	if err := s.Sign(subject, h, []byte(data)); err != nil {
		t.Fatal(err)
	}
	return message{subject, h, []byte(data)}
}

func action(t testing.TB, s *Signer) message {
	return signed(t, s, actionSubject, map[string][]string{
		"Nats-Msg-Id": {"action.5591234561-1-d1"}, "Vaksam-Schema": {"vaksam.action/1"}, "Vaksam-Org-Seq": {"7"},
	}, actionPayload)
}

func reply(t testing.TB, s *Signer) message {
	return signed(t, s, "vaksam.screen", map[string][]string{
		"Vaksam-Schema": {"vaksam.screen-reply/1"}, "Vaksam-Request-Id": {"order-4711"},
		"Vaksam-Signed-At": {"2026-11-23T08:14:05.318Z"},
	}, `{"orgnr":"5591234561","verdict":"block"}`)
}

func errorReply(t testing.TB, s *Signer) message {
	return signed(t, s, "vaksam.screen", map[string][]string{
		"Vaksam-Request-Id": {"order-4711"}, "Vaksam-Signed-At": {"2026-11-23T08:14:05.318Z"},
		"Nats-Service-Error-Code": {"404"}, "Nats-Service-Error": {"orgnr: 5560160680 is not in Bolagsverket's register"},
	}, `{"orgnr":"5560160680","not_registered":true}`)
}

func (m message) clone() message {
	h := map[string][]string{}
	for k, v := range m.header {
		h[k] = slices.Clone(v)
	}
	return message{m.subject, h, slices.Clone(m.data)}
}

// A signed message verifies with the signer's key, as it came, and as
// NATS and HTTP parsers hand it over.
func TestSignVerify(t *testing.T) {
	s := testSigner(t)
	keys := NewKeys(otherSigner(t).PublicKey(), s.PublicKey())
	for _, tc := range []struct {
		name string
		m    message
	}{
		{"action", action(t, s)},
		{"reply", reply(t, s)},
		{"error reply", errorReply(t, s)},
		{"empty payload", signed(t, s, "vaksam.screen", map[string][]string{"Nats-Service-Error-Code": {"503"}}, "")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := keys.Verify(tc.m.subject, tc.m.header, tc.m.data)
			if err != nil || id != s.KeyID() {
				t.Fatalf("Verify: %q, %v; want key %s", id, err, s.KeyID())
			}
			// Header names in another case, as an HTTP client
			// canonicalises them, and values with the spaces a parser
			// may leave.
			h := http.Header{}
			for k, v := range tc.m.header {
				h[strings.ToLower(k)] = []string{" " + v[0] + "\t"}
			}
			if _, err := keys.Verify(tc.m.subject, h, tc.m.data); err != nil {
				t.Errorf("with the header names lower-cased and values padded: %v", err)
			}
		})
	}
}

// Changing anything the signature covers, or verifying with keys that do
// not include the signer's, fails, each with its error.
func TestVerifyRefuses(t *testing.T) {
	s, other := testSigner(t), otherSigner(t)
	keys := NewKeys(s.PublicKey(), other.PublicKey())
	set := func(name, v string) func(*message) {
		return func(m *message) { m.header[name] = []string{v} }
	}
	drop := func(name string) func(*message) {
		return func(m *message) { delete(m.header, name) }
	}
	tests := []struct {
		name   string
		base   func(testing.TB, *Signer) message
		change func(*message)
		keys   *Keys
		want   error
	}{
		{"payload changed", action, func(m *message) { m.data[len(m.data)-3] = '8' }, nil, ErrInvalid},
		{"payload extended", action, func(m *message) { m.data = append(m.data, ' ') }, nil, ErrInvalid},
		{"other subject", action, func(m *message) { m.subject = "vaksam.action.terminate.5591234561" }, nil, ErrInvalid},
		{"other organisation", action, func(m *message) { m.subject = "vaksam.action.halt.5560160680" }, nil, ErrInvalid},
		{"a reply's signature on an event subject", reply, func(m *message) { m.subject = actionSubject }, nil, ErrInvalid},
		{"other message id", action, set("Nats-Msg-Id", "action.5591234561-1-d9"), nil, ErrInvalid},
		{"message id removed", action, drop("Nats-Msg-Id"), nil, ErrInvalid},
		{"other schema", action, set("Vaksam-Schema", "vaksam.action/2"), nil, ErrInvalid},
		{"other org seq", action, set("Vaksam-Org-Seq", "8"), nil, ErrInvalid},
		{"org seq removed", action, drop("Vaksam-Org-Seq"), nil, ErrInvalid},
		{"request id added to an event", action, set("Vaksam-Request-Id", "x"), nil, ErrInvalid},
		{"signing time added to an event", action, set("Vaksam-Signed-At", "2026-11-23T08:14:05Z"), nil, ErrInvalid},
		{"reply to another request", reply, set("Vaksam-Request-Id", "order-4712"), nil, ErrInvalid},
		{"reply without its request id", reply, drop("Vaksam-Request-Id"), nil, ErrInvalid},
		{"reply signed at another time", reply, set("Vaksam-Signed-At", "2026-11-24T08:14:05.318Z"), nil, ErrInvalid},
		{"reply's schema changed", reply, set("Vaksam-Schema", "vaksam.assessment/1"), nil, ErrInvalid},
		{"error code changed", errorReply, set("Nats-Service-Error-Code", "503"), nil, ErrInvalid},
		{"error code removed", errorReply, drop("Nats-Service-Error-Code"), nil, ErrInvalid},
		{"error description changed", errorReply, set("Nats-Service-Error", "orgnr: fine"), nil, ErrInvalid},
		{"error added to a reply", reply, set("Nats-Service-Error-Code", "503"), nil, ErrInvalid},
		{"a covered header twice", action, func(m *message) { m.header["Vaksam-Org-Seq"] = []string{"7", "8"} }, nil, ErrInvalid},
		{"a covered header twice, in another case", action, set("vaksam-org-seq", "8"), nil, ErrInvalid},
		{"signature changed", action, func(m *message) {
			sig, _ := base64.StdEncoding.DecodeString(m.header[HeaderSignature][0])
			sig[10] ^= 1
			m.header[HeaderSignature] = []string{base64.StdEncoding.EncodeToString(sig)}
		}, nil, ErrInvalid},
		{"signature cut short", action, func(m *message) { m.header[HeaderSignature][0] = m.header[HeaderSignature][0][:40] }, nil, ErrInvalid},
		{"signature not base64", action, set(HeaderSignature, "not base64!"), nil, ErrInvalid},
		{"two signatures", action, func(m *message) { m.header["vaksam-signature"] = m.header[HeaderSignature] }, nil, ErrInvalid},
		{"key id of another trusted key", action, set(HeaderKeyID, KeyID(other.PublicKey())), nil, ErrInvalid},
		{"key id removed", action, drop(HeaderKeyID), nil, ErrInvalid},
		{"unsigned", action, func(m *message) { drop(HeaderSignature)(m); drop(HeaderKeyID)(m) }, nil, ErrUnsigned},
		{"empty signature", action, set(HeaderSignature, ""), nil, ErrUnsigned},
		{"signed with an untrusted key", func(t testing.TB, _ *Signer) message { return action(t, otherSigner(t)) }, nil, nil, ErrUnknownKey},
		{"signer's key not trusted", action, nil, NewKeys(other.PublicKey()), ErrUnknownKey},
		{"no key trusted", action, nil, NewKeys(), ErrUnknownKey},
		{"nil keys", action, nil, (*Keys)(nil), ErrUnknownKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.base(t, s).clone()
			k := keys
			if tc.keys != nil || strings.HasPrefix(tc.name, "nil") {
				k = tc.keys
			}
			if tc.change != nil {
				tc.change(&m)
			}
			id, err := k.Verify(m.subject, m.header, m.data)
			if !errors.Is(err, tc.want) || id != "" {
				t.Fatalf("Verify: %q, %v; want %v", id, err, tc.want)
			}
		})
	}
	// The base messages themselves verify: the refusals above are the
	// changes'.
	for _, m := range []message{action(t, s), reply(t, s), errorReply(t, s)} {
		if _, err := keys.Verify(m.subject, m.header, m.data); err != nil {
			t.Errorf("%s unchanged: %v", m.subject, err)
		}
	}
}

// The signed bytes are exactly those docs/events.md describes.
func TestMessage(t *testing.T) {
	got, err := Message(actionSubject, map[string][]string{
		"nats-msg-id": {"action.5591234561-1-d1"}, "Vaksam-Schema": {"  vaksam.action/1 "}, "Vaksam-Org-Seq": {"7"},
		"Vaksam-Key-Id": {"21fe31dfa154a261"}, "Nats-Expected-Stream": {"VAKSAM_ACTIONS"}, "X-Other": {"not covered"},
	}, []byte("{}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "vaksam-sig-v1\nvaksam.action.halt.5591234561\nVaksam-Key-Id:21fe31dfa154a261\nVaksam-Signed-At:\n" +
		"Nats-Msg-Id:action.5591234561-1-d1\nVaksam-Schema:vaksam.action/1\nVaksam-Org-Seq:7\nVaksam-Request-Id:\n" +
		"Nats-Service-Error-Code:\nNats-Service-Error:\n{}\n"
	if string(got) != want {
		t.Errorf("Message:\n%s\nwant\n%s", got, want)
	}
	for _, tc := range []struct {
		name    string
		subject string
		h       map[string][]string
	}{
		{"empty subject", "", nil},
		{"subject with a space", "vaksam.action halt", nil},
		{"subject with a line break", "vaksam.action\nNats-Msg-Id:x", nil},
		{"value with a line break", actionSubject, map[string][]string{"Nats-Msg-Id": {"a\nVaksam-Org-Seq:9"}}},
		{"two values", actionSubject, map[string][]string{"Nats-Msg-Id": {"a", "b"}}},
	} {
		if _, err := Message(tc.subject, tc.h, nil); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
		h := map[string][]string{}
		maps.Copy(h, tc.h)
		if err := testSigner(t).Sign(tc.subject, h, nil); err == nil || h[HeaderSignature] != nil {
			t.Errorf("%s: Sign: %v, signature %q", tc.name, err, h[HeaderSignature])
		}
	}
	if err := testSigner(t).Sign(actionSubject, nil, nil); err == nil {
		t.Error("Sign into a nil header: no error")
	}
}

// A message signed again keeps one signature and one key id, the new
// signer's.
func TestSignReplaces(t *testing.T) {
	a, b := testSigner(t), otherSigner(t)
	m := action(t, a)
	m.header["vaksam-signature"] = m.header[HeaderSignature]
	delete(m.header, HeaderSignature)
	if err := b.Sign(m.subject, m.header, m.data); err != nil {
		t.Fatal(err)
	}
	if len(m.header) != 5 {
		t.Errorf("headers after signing again: %v", m.header)
	}
	if id, err := NewKeys(b.PublicKey()).Verify(m.subject, m.header, m.data); err != nil || id != b.KeyID() {
		t.Errorf("Verify: %q, %v", id, err)
	}
}

func TestPublicKeyText(t *testing.T) {
	s := testSigner(t)
	text := FormatPublicKey(s.PublicKey())
	if text != "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=" || s.KeyID() != "21fe31dfa154a261" {
		t.Errorf("public key %s, id %s", text, s.KeyID())
	}
	keys, err := ParseKeys(" "+text+"\n", FormatPublicKey(otherSigner(t).PublicKey()))
	if err != nil || keys.Len() != 2 || !slices.Contains(keys.IDs(), s.KeyID()) {
		t.Fatalf("ParseKeys: %v, %v", keys.IDs(), err)
	}
	for _, bad := range []string{"", "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "ed25519:", "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUR",
		"ed25519:AAAA", "rsa:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "ed25519:" + strings.Repeat("A", 100000)} {
		_, err := ParsePublicKey(bad)
		if err == nil {
			t.Errorf("ParsePublicKey(%.40q): no error", bad)
		} else if len(err.Error()) > 200 {
			t.Errorf("ParsePublicKey: an error of %d bytes", len(err.Error()))
		}
	}
}

// Key files: what WriteKeyFile and openssl write is read back; other keys
// and other files are refused with the reason.
func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "signing.pem")
	s, err := WriteKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, %v; want 0600", info.Mode(), err)
	}
	back, err := LoadSigner(path)
	if err != nil || back.KeyID() != s.KeyID() {
		t.Fatalf("LoadSigner: %v, %v", back, err)
	}
	if _, err := WriteKeyFile(path); err == nil {
		t.Error("WriteKeyFile overwrote a key")
	}
	if again, _ := LoadSigner(path); again.KeyID() != s.KeyID() {
		t.Error("the key changed")
	}

	// `openssl genpkey -algorithm ed25519` writes this form.
	openssl := "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n"
	if key, err := ParsePrivateKey([]byte(openssl)); err != nil || KeyID(key.Public().(ed25519.PublicKey)) != testSigner(t).KeyID() {
		t.Errorf("openssl's PEM: %v", err)
	}

	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(ec)
	pub, _ := x509.MarshalPKIXPublicKey(s.PublicKey())
	for _, tc := range []struct{ name, data, want string }{
		{"empty", "", "no PEM block"},
		{"not PEM", "REPLACE-ME\n", "no PEM block"},
		{"an ECDSA key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "want an Ed25519 key"},
		{"a public key", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})), `PEM block "PUBLIC KEY"`},
		{"broken DER", "-----BEGIN PRIVATE KEY-----\nMC4CAQAw\n-----END PRIVATE KEY-----\n", "PKCS#8"},
	} {
		f := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
		os.WriteFile(f, []byte(tc.data), 0o600)
		_, err := LoadSigner(f)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), f) {
			t.Errorf("%s: %v; want an error naming %s and %q", tc.name, err, f, tc.want)
		}
	}
	if _, err := LoadSigner(filepath.Join(dir, "missing.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// A reply verifies as the answer to the request sent with its id, and to
// no other; an event's signature is no reply's.
func TestVerifyReply(t *testing.T) {
	s := testSigner(t)
	keys := NewKeys(s.PublicKey())
	r := reply(t, s)
	for _, tc := range []struct {
		name, sent string
		m          message
		want       error
	}{
		{"the request's own reply", "order-4711", r, nil},
		{"a refusal", "order-4711", errorReply(t, s), nil},
		{"an old reply sent again", "order-4712", r, ErrOtherRequest},
		{"no id sent", "", r, ErrOtherRequest},
		{"a reply with its id changed", "order-4712", func() message {
			m := r.clone()
			m.header["Vaksam-Request-Id"] = []string{"order-4712"}
			return m
		}(), ErrInvalid},
		{"an event", "order-4711", func() message {
			m := action(t, s)
			m.header["Vaksam-Request-Id"] = []string{"order-4711"}
			return m
		}(), ErrInvalid},
		{"unsigned", "order-4711", message{"", map[string][]string{"Vaksam-Request-Id": {"order-4711"}}, r.data}, ErrUnsigned},
	} {
		id, err := keys.VerifyReply(tc.sent, tc.m.header, tc.m.data)
		if !errors.Is(err, tc.want) || (err == nil) != (id == s.KeyID()) {
			t.Errorf("%s: %q, %v; want %v", tc.name, id, err, tc.want)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	s := testSigner(b)
	for b.Loop() {
		h := map[string][]string{"Nats-Msg-Id": {"action.5591234561-1-d1"}, "Vaksam-Schema": {"vaksam.action/1"}, "Vaksam-Org-Seq": {"7"}}
		if err := s.Sign(actionSubject, h, []byte(actionPayload)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	s := testSigner(b)
	m := action(b, s)
	keys := NewKeys(s.PublicKey())
	for b.Loop() {
		if _, err := keys.Verify(m.subject, m.header, m.data); err != nil {
			b.Fatal(err)
		}
	}
}
