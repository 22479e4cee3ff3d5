// Package sign signs Vaksam's messages with Ed25519 and verifies them, so
// that a consumer can tell a message Vaksam sent from one that anybody
// else put on the broker: a forged action, or an answer to a pre-award
// check given by someone who joined the service's queue group.
//
// A signature covers the message's subject, its payload and the headers
// that carry meaning, in the canonical form Message builds (docs/events.md,
// "Signatures", defines it for implementations in other languages). The
// signature and the signing key's id travel in the headers
// Vaksam-Signature and Vaksam-Key-Id. A consumer verifies with the public
// keys it trusts (Keys), which it must get from its own configuration,
// never from the broker it does not trust.
//
// The package uses only the standard library, so that a consumer can
// import it without the rest of Vaksam.
package sign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Version starts the signed bytes: a new canonical form gets a new
// version, and a signature of one version never verifies as another.
const Version = "vaksam-sig-v1"

// Headers the signature travels in.
const (
	HeaderSignature = "Vaksam-Signature" // base64 (standard, padded) of the 64-byte signature
	HeaderKeyID     = "Vaksam-Key-Id"    // KeyID of the signing key
	HeaderSignedAt  = "Vaksam-Signed-At" // RFC 3339 UTC; set on replies, absent on events
)

// covered are the headers the signature covers, in the order of the
// signed bytes. An absent header counts as empty.
var covered = [...]string{
	HeaderKeyID,
	HeaderSignedAt,
	"Nats-Msg-Id",
	"Vaksam-Schema",
	"Vaksam-Org-Seq",
	"Vaksam-Request-Id",
	"Nats-Service-Error-Code",
	"Nats-Service-Error",
}

// Errors of Verify; each is wrapped with the detail.
var (
	// ErrUnsigned: the message has no signature.
	ErrUnsigned = errors.New("not signed")
	// ErrUnknownKey: the message names a key that is not trusted.
	ErrUnknownKey = errors.New("signed with a key that is not trusted")
	// ErrInvalid: the signature does not verify, or the message cannot
	// have been signed (a covered header given twice, a bad signature
	// encoding).
	ErrInvalid = errors.New("signature does not verify")
	// ErrOtherRequest: a reply, signed, that answers another request: an
	// old answer sent again.
	ErrOtherRequest = errors.New("a reply to another request")
)

// ReplySubject is the subject a pre-award reply is signed under, the
// service's own (vaksam.screen), whatever inbox it arrives on.
const ReplySubject = "vaksam.screen"

// headerRequestID carries a pre-award request's id, and its reply's.
const headerRequestID = "Vaksam-Request-Id"

// Message returns the bytes a signature is made over: the version, the
// subject and the covered headers' values, each on a line of its own
// ending in LF, then the payload as it is:
//
//	vaksam-sig-v1
//	<subject>
//	Vaksam-Key-Id:<value>
//	Vaksam-Signed-At:<value>
//	Nats-Msg-Id:<value>
//	Vaksam-Schema:<value>
//	Vaksam-Org-Seq:<value>
//	Vaksam-Request-Id:<value>
//	Nats-Service-Error-Code:<value>
//	Nats-Service-Error:<value>
//	<payload>
//
// A header's name is matched without regard to case; its value has
// leading and trailing spaces and tabs removed, and is empty when the
// header is absent. A covered header with more than one value, or a value
// or subject holding a line break, is an error (the bytes would be
// ambiguous). The subject of an event is its NATS subject; that of a
// pre-award reply is the service's subject, vaksam.screen, whatever inbox
// the reply arrives on.
func Message(subject string, h map[string][]string, payload []byte) ([]byte, error) {
	if subject == "" || strings.ContainsAny(subject, " \t\r\n") {
		return nil, fmt.Errorf("subject %q: empty or with white space", subject)
	}
	var b bytes.Buffer
	b.Grow(len(Version) + len(subject) + 256 + len(payload))
	b.WriteString(Version)
	b.WriteByte('\n')
	b.WriteString(subject)
	b.WriteByte('\n')
	for _, name := range covered {
		v, err := value(h, name)
		if err != nil {
			return nil, err
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(v)
		b.WriteByte('\n')
	}
	b.Write(payload)
	return b.Bytes(), nil
}

// value returns a header's one value, trimmed, or "" when it is absent.
func value(h map[string][]string, name string) (string, error) {
	var vals []string
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			vals = append(vals, vs...)
		}
	}
	switch {
	case len(vals) == 0:
		return "", nil
	case len(vals) > 1:
		return "", fmt.Errorf("header %s given %d times", name, len(vals))
	}
	v := strings.Trim(vals[0], " \t")
	if strings.ContainsAny(v, "\r\n") {
		return "", fmt.Errorf("header %s: value with a line break", name)
	}
	return v, nil
}

// del removes every header named name, in any case.
func del(h map[string][]string, name string) {
	for k := range h {
		if strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in
// lower-case hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// keyPrefix starts the text form of a public key.
const keyPrefix = "ed25519:"

// FormatPublicKey writes a public key as text: "ed25519:" and the
// standard base64 (padded) of its 32 bytes.
func FormatPublicKey(pub ed25519.PublicKey) string {
	return keyPrefix + base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey reads the text form of FormatPublicKey.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	b64, ok := strings.CutPrefix(s, keyPrefix)
	if !ok {
		return nil, fmt.Errorf("public key %q: want ed25519:BASE64", excerpt(s))
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key %q: want ed25519: and the base64 of %d bytes", excerpt(s), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// excerpt shortens s for an error message.
func excerpt(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// Signer signs messages with one private key.
type Signer struct {
	key ed25519.PrivateKey
	pub ed25519.PublicKey
	id  string
}

// NewSigner returns a Signer of the key.
func NewSigner(key ed25519.PrivateKey) (*Signer, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("sign: private key of %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	pub := key.Public().(ed25519.PublicKey)
	return &Signer{key: key, pub: pub, id: KeyID(pub)}, nil
}

// PublicKey is the key that verifies the Signer's signatures.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.pub }

// KeyID is the id of the Signer's key, as its signatures name it.
func (s *Signer) KeyID() string { return s.id }

// Sign signs a message: it sets h's Vaksam-Key-Id and Vaksam-Signature
// (replacing any there) over subject, payload and h's other covered
// headers, which must be set already and not change afterwards.
func (s *Signer) Sign(subject string, h map[string][]string, payload []byte) error {
	if h == nil {
		return fmt.Errorf("sign: %s: no header map to sign into", subject)
	}
	del(h, HeaderSignature)
	del(h, HeaderKeyID)
	h[HeaderKeyID] = []string{s.id}
	msg, err := Message(subject, h, payload)
	if err != nil {
		delete(h, HeaderKeyID)
		return fmt.Errorf("sign: %s: %w", subject, err)
	}
	h[HeaderSignature] = []string{base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, msg))}
	return nil
}

// Keys are the public keys a consumer trusts, by id. Trust more than one
// while a key is being replaced: the old one verifies what it signed, the
// new one what comes after.
type Keys struct {
	byID map[string]ed25519.PublicKey
}

// NewKeys returns the set of the keys given.
func NewKeys(pubs ...ed25519.PublicKey) *Keys {
	k := &Keys{byID: map[string]ed25519.PublicKey{}}
	for _, p := range pubs {
		k.Add(p)
	}
	return k
}

// ParseKeys returns the set of the keys given in text form (see
// ParsePublicKey).
func ParseKeys(texts ...string) (*Keys, error) {
	k := NewKeys()
	for _, t := range texts {
		pub, err := ParsePublicKey(t)
		if err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
		k.Add(pub)
	}
	return k, nil
}

// Add trusts one more key.
func (k *Keys) Add(pub ed25519.PublicKey) {
	if k.byID == nil {
		k.byID = map[string]ed25519.PublicKey{}
	}
	k.byID[KeyID(pub)] = append(ed25519.PublicKey(nil), pub...)
}

// Len is the number of keys trusted.
func (k *Keys) Len() int {
	if k == nil {
		return 0
	}
	return len(k.byID)
}

// IDs lists the ids of the keys trusted, sorted.
func (k *Keys) IDs() []string {
	var ids []string
	if k != nil {
		for id := range k.byID {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// VerifyReply checks that a pre-award reply was signed by one of the keys
// (Verify, on ReplySubject) and answers the request sent with requestID:
// the caller sends a new id with every request, so that an answer
// recorded earlier and sent again does not pass. The error is one of
// Verify's or ErrOtherRequest.
func (k *Keys) VerifyReply(requestID string, h map[string][]string, payload []byte) (keyID string, err error) {
	if requestID == "" {
		return "", fmt.Errorf("%w: no request id sent to compare with", ErrOtherRequest)
	}
	id, err := k.Verify(ReplySubject, h, payload)
	if err != nil {
		return "", err
	}
	if got, _ := value(h, headerRequestID); got != requestID {
		return "", fmt.Errorf("%w: it answers request %q, not %q", ErrOtherRequest, excerpt(got), excerpt(requestID))
	}
	return id, nil
}

// Verify checks that a message on subject, with headers h and payload,
// was signed by one of the keys and returns that key's id. The error is
// ErrUnsigned, ErrUnknownKey or ErrInvalid, wrapped with the detail. For a
// pre-award reply the subject is vaksam.screen (see Message).
//
// A message that verifies was sent by the holder of the key exactly as
// it is: the subject, the payload and every covered header. A consumer
// should still read Vaksam-Org-Seq, the action_id and, for a reply,
// Vaksam-Request-Id as docs/events.md says, since a real message can be
// sent again.
func (k *Keys) Verify(subject string, h map[string][]string, payload []byte) (keyID string, err error) {
	sig, err := value(h, HeaderSignature)
	switch {
	case err != nil:
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	case sig == "":
		return "", fmt.Errorf("%w: no %s header", ErrUnsigned, HeaderSignature)
	}
	id, err := value(h, HeaderKeyID)
	switch {
	case err != nil:
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	case id == "":
		return "", fmt.Errorf("%w: no %s header", ErrInvalid, HeaderKeyID)
	}
	var pub ed25519.PublicKey
	if k != nil {
		pub = k.byID[id]
	}
	if pub == nil {
		return "", fmt.Errorf("%w: key id %q", ErrUnknownKey, excerpt(id))
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return "", fmt.Errorf("%w: %s is not the base64 of %d bytes", ErrInvalid, HeaderSignature, ed25519.SignatureSize)
	}
	msg, err := Message(subject, h, payload)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if !ed25519.Verify(pub, msg, raw) {
		return "", fmt.Errorf("%w: key %s, subject %s", ErrInvalid, id, excerpt(subject))
	}
	return id, nil
}
