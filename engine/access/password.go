package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. Each hash records its own, so
// hashes made with different parameters verify side by side.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are OWASP's minimum for argon2id: 19 MiB, 2 passes, 1
// thread, with a 16-byte salt and a 32-byte key.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Password length limits. MinPasswordLen is policy (ValidatePassword);
// MaxPasswordLen bounds the work one login attempt can cause.
const (
	MinPasswordLen = 12   // characters
	MaxPasswordLen = 1024 // bytes
)

// Bounds a stored hash's parameters must respect, so that a corrupt or
// hostile configuration cannot make one login cost gigabytes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	minSaltLen = 8
	minKeyLen  = 16
	maxKeyLen  = 128
)

// ErrHashFormat is wrapped by every error about a malformed password hash.
var ErrHashFormat = errors.New("password hash is not PHC argon2id ($argon2id$v=19$m=…,t=…,p=…$salt$hash)")

var b64 = base64.RawStdEncoding // the PHC string format's B64: no padding

// ValidatePassword is the password policy, for `vaksam config hash-password` and any
// later password change: at least MinPasswordLen characters, at most
// MaxPasswordLen bytes, valid UTF-8. Login does not apply it (a policy
// change must not lock anyone out).
func ValidatePassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return errors.New("password is not valid UTF-8")
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return fmt.Errorf("password has fewer than %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return fmt.Errorf("password is longer than %d bytes", MaxPasswordLen)
	}
	return nil
}

// HashPassword hashes pw with DefaultParams into a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) { return HashPasswordWith(pw, DefaultParams) }

// HashPasswordWith hashes pw with the given parameters (tests use cheap
// ones). It refuses an empty or overlong password; the policy is
// ValidatePassword's.
func HashPasswordWith(pw string, p Params) (string, error) {
	if pw == "" {
		return "", errors.New("password is empty")
	}
	if len(pw) > MaxPasswordLen {
		return "", fmt.Errorf("password is longer than %d bytes", MaxPasswordLen)
	}
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	rand.Read(salt) // never fails (crypto/rand, Go 1.24+)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

// CheckPassword reports whether pw matches the PHC argon2id hash. The
// comparison is constant-time; an error means the hash itself is unusable.
func CheckPassword(hash, pw string) (bool, error) {
	p, salt, key, err := ParseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether hash was made with weaker parameters than p
// (or cannot be read), so that a later password change can upgrade it.
func NeedsRehash(hash string, p Params) bool {
	h, salt, key, err := ParseHash(hash)
	return err != nil || h.Memory < p.Memory || h.Time < p.Time || uint32(len(salt)) < p.SaltLen || uint32(len(key)) < p.KeyLen
}

// ParseHash reads a PHC argon2id string. Params.SaltLen and KeyLen are
// those of the salt and key found.
func ParseHash(s string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, ErrHashFormat
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: algorithm %q, want argon2id", ErrHashFormat, parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: version %q, want v=%d", ErrHashFormat, parts[2], argon2.Version)
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", ErrHashFormat, parts[3])
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		k, v, ok := strings.Cut(kv[i], "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || k != name || err != nil {
			return p, nil, nil, fmt.Errorf("%w: parameters %q", ErrHashFormat, parts[3])
		}
		vals[i] = n
	}
	if vals[2] > 255 {
		return p, nil, nil, fmt.Errorf("%w: p=%d", ErrHashFormat, vals[2])
	}
	salt, err := b64.DecodeString(strings.TrimRight(parts[4], "="))
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt: %v", ErrHashFormat, err)
	}
	key, err := b64.DecodeString(strings.TrimRight(parts[5], "="))
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: hash: %v", ErrHashFormat, err)
	}
	p = Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2]),
		SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if err := p.check(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %v", ErrHashFormat, err)
	}
	return p, salt, key, nil
}

// check keeps parameters within what argon2id and this server accept.
func (p Params) check() error {
	switch {
	case p.Threads < 1:
		return errors.New("argon2id: p must be at least 1")
	case p.Memory < 8*uint32(p.Threads):
		return fmt.Errorf("argon2id: m=%d KiB, want at least 8×p", p.Memory)
	case p.Memory > maxMemory:
		return fmt.Errorf("argon2id: m=%d KiB, want at most %d", p.Memory, maxMemory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("argon2id: t=%d, want 1 to %d", p.Time, maxTime)
	case p.SaltLen < minSaltLen:
		return fmt.Errorf("argon2id: salt of %d bytes, want at least %d", p.SaltLen, minSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("argon2id: hash of %d bytes, want %d to %d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// dummyHash is a well-formed hash with parameters p that no password
// matches: checking a password against it costs what a real check costs,
// so an unknown user answers as slowly as a known one.
func dummyHash(p Params) string {
	salt, key := make([]byte, p.SaltLen), make([]byte, p.KeyLen)
	rand.Read(salt)
	rand.Read(key)
	return encodePHC(p, salt, key)
}
