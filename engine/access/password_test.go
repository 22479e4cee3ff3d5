package access

import (
	"errors"
	"strings"
	"testing"
)

func TestHashRoundTrip(t *testing.T) {
	for _, pw := range []string{"korrekt-häst-batteri", "x", strings.Repeat("å", 512)} {
		h, err := HashPasswordWith(pw, cheap)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
			t.Errorf("hash %q: not PHC argon2id with the given parameters", h)
		}
		if ok, err := CheckPassword(h, pw); !ok || err != nil {
			t.Errorf("CheckPassword(right) = %v, %v", ok, err)
		}
		for _, wrong := range []string{"", pw + " ", strings.ToUpper(pw), pw[:len(pw)-1]} {
			if ok, err := CheckPassword(h, wrong); ok || err != nil {
				t.Errorf("CheckPassword(%q) = %v, %v; want false, nil", wrong, ok, err)
			}
		}
	}
	a, _ := HashPasswordWith("samma", cheap)
	b, _ := HashPasswordWith("samma", cheap)
	if a == b {
		t.Error("two hashes of one password are equal: no salt?")
	}
}

func TestHashPasswordDefaults(t *testing.T) {
	h, err := HashPassword("korrekt-häst-batteri")
	if err != nil {
		t.Fatal(err)
	}
	p, salt, key, err := ParseHash(h)
	if err != nil {
		t.Fatal(err)
	}
	if p.Memory != 19456 || p.Time != 2 || p.Threads != 1 || len(salt) != 16 || len(key) != 32 {
		t.Errorf("default hash %q: params %+v, want OWASP m=19456,t=2,p=1, 16-byte salt, 32-byte key", h, p)
	}
	if NeedsRehash(h, DefaultParams) {
		t.Error("NeedsRehash(default hash, DefaultParams)")
	}
	if !NeedsRehash(hash(t, "x"), DefaultParams) {
		t.Error("!NeedsRehash(cheap hash, DefaultParams)")
	}
}

func TestHashPasswordRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		pw string
		p  Params
	}{
		"empty":       {"", cheap},
		"too long":    {strings.Repeat("a", MaxPasswordLen+1), cheap},
		"no threads":  {"pw", Params{Memory: 64, Time: 1, SaltLen: 16, KeyLen: 32}},
		"no time":     {"pw", Params{Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}},
		"short salt":  {"pw", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}},
		"short key":   {"pw", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8}},
		"huge memory": {"pw", Params{Memory: 1 << 24, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
	} {
		if h, err := HashPasswordWith(tc.pw, tc.p); err == nil {
			t.Errorf("%s: hash %q, want an error", name, h)
		}
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good := hash(t, "pw")
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for name, h := range map[string]string{
		"empty":         "",
		"bcrypt":        "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":       "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"old version":   "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"param order":   "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key,
		"missing param": "$argon2id$v=19$m=64,t=1$" + salt + "$" + key,
		"bad number":    "$argon2id$v=19$m=x,t=1,p=1$" + salt + "$" + key,
		"p too big":     "$argon2id$v=19$m=4096,t=1,p=256$" + salt + "$" + key,
		"huge memory":   "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key,
		"bad salt":      "$argon2id$v=19$m=64,t=1,p=1$!!!$" + key,
		"short key":     "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAA",
		"extra field":   good + "$x",
		"no leading $":  good[1:],
	} {
		ok, err := CheckPassword(h, "pw")
		if ok || !errors.Is(err, ErrHashFormat) {
			t.Errorf("%s: CheckPassword(%q) = %v, %v; want false, ErrHashFormat", name, h, ok, err)
		}
	}
	// Padding, which some tools add, is accepted.
	if ok, err := CheckPassword("$argon2id$v=19$m=64,t=1,p=1$"+salt+"==$"+key+"=", "pw"); !ok || err != nil {
		t.Errorf("padded hash: %v, %v", ok, err)
	}
}

func TestValidatePassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"kort":                                false,
		"elva-tecken":                         false, // 11
		"tolv-tecken!":                        true,  // 12
		"åäöåäöåäöåäö":                        true,  // 12 characters, 24 bytes
		strings.Repeat("a", MaxPasswordLen):   true,
		strings.Repeat("a", MaxPasswordLen+1): false,
		"ogiltig\xffutf-8-text":               false,
	} {
		if err := ValidatePassword(pw); (err == nil) != ok {
			t.Errorf("ValidatePassword(%.20q) = %v, want ok=%v", pw, err, ok)
		}
	}
}
