package sign

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// block returns the fenced block of kind (json, text, go) that follows
// the marker line in docs/events.md.
func block(t *testing.T, doc []byte, marker, kind string) string {
	t.Helper()
	re := regexp.MustCompile("(?s)" + regexp.QuoteMeta(marker) + "\\s*```" + kind + "\\n(.*?)```")
	m := re.FindSubmatch(doc)
	if m == nil {
		t.Fatalf("docs/events.md: no %s block after %q", kind, marker)
	}
	return string(m[1])
}

func readDoc(t *testing.T) []byte {
	t.Helper()
	doc, err := os.ReadFile("../../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The test vectors of docs/events.md are what this package signs and
// verifies, and the bytes it shows are those signed.
func TestDocTestVectors(t *testing.T) {
	doc := readDoc(t)
	var vectors []struct {
		Seed, Subject, Payload string
		PublicKey              string `json:"public_key"`
		KeyID                  string `json:"key_id"`
		Headers                map[string]string
	}
	dec := json.NewDecoder(strings.NewReader(block(t, doc, "<!-- signature test vectors -->", "json")))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&vectors); err != nil {
		t.Fatal(err)
	}
	if len(vectors) != 2 {
		t.Fatalf("%d vectors", len(vectors))
	}
	for _, v := range vectors {
		seed, err := hex.DecodeString(v.Seed)
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewSigner(ed25519.NewKeyFromSeed(seed))
		if err != nil {
			t.Fatal(err)
		}
		if FormatPublicKey(s.PublicKey()) != v.PublicKey || s.KeyID() != v.KeyID {
			t.Errorf("%s: key %s %s, the document says %s %s", v.Subject, FormatPublicKey(s.PublicKey()), s.KeyID(), v.PublicKey, v.KeyID)
		}
		received := map[string][]string{}
		unsigned := map[string][]string{}
		for k, val := range v.Headers {
			received[k] = []string{val}
			if k != HeaderSignature && k != HeaderKeyID {
				unsigned[k] = []string{val}
			}
		}
		if err := s.Sign(v.Subject, unsigned, []byte(v.Payload)); err != nil {
			t.Fatal(err)
		}
		if got := unsigned[HeaderSignature][0]; got != v.Headers[HeaderSignature] {
			t.Errorf("%s: signature %s, the document says %s", v.Subject, got, v.Headers[HeaderSignature])
		}
		keys, _ := ParseKeys(v.PublicKey)
		if _, err := keys.Verify(v.Subject, received, []byte(v.Payload)); err != nil {
			t.Errorf("%s: %v", v.Subject, err)
		}
	}
	first := vectors[0]
	h := map[string][]string{}
	for k, val := range first.Headers {
		h[k] = []string{val}
	}
	msg, err := Message(first.Subject, h, []byte(first.Payload))
	if err != nil {
		t.Fatal(err)
	}
	shown := strings.TrimSuffix(block(t, doc, "<!-- signed bytes of the first test vector -->", "text"), "\n")
	if !bytes.Equal(msg, []byte(shown)) {
		t.Errorf("docs/events.md shows the signed bytes\n%s\nthey are\n%s", shown, msg)
	}
}

// The Go example of docs/events.md is example_test.go, which go test
// compiles and runs.
func TestDocExample(t *testing.T) {
	want, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	got := block(t, readDoc(t), "<!-- go: engine/sign/example_test.go -->", "go")
	if got != string(want) {
		t.Errorf("docs/events.md's example differs from example_test.go:\n%s", got)
	}
}
