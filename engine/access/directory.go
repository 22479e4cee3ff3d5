package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// User is a person who signs in with a password, as the configuration file
// lists them.
type User struct {
	ID           string `yaml:"id" json:"id"`     // login name, lower case: [a-z0-9][a-z0-9._@-]{0,63}
	Name         string `yaml:"name" json:"name"` // display name
	Roles        []Role `yaml:"roles" json:"roles"`
	PasswordHash string `yaml:"password_hash" json:"-"` // PHC argon2id, see HashPassword
	Disabled     bool   `yaml:"disabled" json:"disabled"`
}

// Token is a machine's credential. The machine sends
// "Authorization: Bearer <id>.<secret>"; only the SHA-256 of the secret is
// stored (the secret is 256 random bits, so a fast hash suffices).
//
// A token belongs to a person, its Owner: what it does, that person does,
// and four eyes is per person, so a token cannot approve its owner's own
// decision, nor its owner a decision the token proposed. A token that may
// decide or approve must have an owner; one that only reads may go
// without (it then stands for itself).
type Token struct {
	ID    string `yaml:"id" json:"id"` // [a-z0-9][a-z0-9_@-]{0,63}: no dot
	Name  string `yaml:"name" json:"name"`
	Roles []Role `yaml:"roles" json:"roles"`
	Hash  string `yaml:"hash" json:"-"` // lower-case hex SHA-256 of the secret
	// Owner is the id of the person the token belongs to: a user of the
	// directory, or a person who signs in through single sign-on. A
	// token whose owner is a disabled user does not work.
	Owner string `yaml:"owner" json:"owner,omitempty"`
}

// Person is who stands behind the token: its owner, or the token itself
// when it has none.
func (t Token) Person() string { return or(t.Owner, t.ID) }

var (
	userID  = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)
	tokenID = regexp.MustCompile(`^[a-z0-9][a-z0-9_@-]{0,63}$`)
)

// Directory holds the users and tokens of the configuration. It does not
// change once built: a new configuration makes a new Directory.
type Directory struct {
	users  map[string]User
	tokens map[string]Token
	dummy  string // a hash no password matches, with the users' usual parameters
}

// NewDirectory checks users and tokens and indexes them. It reports every
// problem, each naming the user or token and the field: ids (present,
// well-formed, unique across users and tokens, since both appear as the
// actor of a decision), roles (at least one, each known), password hashes
// (PHC argon2id; a disabled user may have none) and token hashes. Ids and
// roles are read case-insensitively and stored in lower case.
func NewDirectory(users []User, tokens []Token) (*Directory, error) {
	d := &Directory{users: map[string]User{}, tokens: map[string]Token{}}
	var errs []error
	seen := map[string]string{} // id → "user" or "token"
	params := map[Params]int{}
	for i, u := range users {
		u.ID = strings.ToLower(strings.TrimSpace(u.ID))
		who := fmt.Sprintf("user %q", u.ID)
		switch {
		case u.ID == "":
			errs = append(errs, fmt.Errorf("access: users[%d]: id: missing", i))
			continue
		case !userID.MatchString(u.ID):
			errs = append(errs, fmt.Errorf("access: %s: id: want 1 to 64 of a-z 0-9 . _ @ -, starting with a letter or digit", who))
			continue
		case seen[u.ID] != "":
			errs = append(errs, fmt.Errorf("access: %s: id: already used by a %s", who, seen[u.ID]))
			continue
		}
		seen[u.ID] = "user"
		var err error
		if u.Roles, err = parseRoles(u.Roles); err != nil {
			errs = append(errs, fmt.Errorf("access: %s: roles: %w", who, err))
		}
		switch p, _, _, err := ParseHash(u.PasswordHash); {
		case u.PasswordHash == "" && u.Disabled:
		case u.PasswordHash == "":
			errs = append(errs, fmt.Errorf("access: %s: password_hash: missing (make one with `vaksam config hash-password`)", who))
		case err != nil:
			errs = append(errs, fmt.Errorf("access: %s: password_hash: %w", who, err))
		default:
			params[p]++
		}
		if u.Name == "" {
			u.Name = u.ID
		}
		d.users[u.ID] = u
	}
	for i, t := range tokens {
		t.ID = strings.ToLower(strings.TrimSpace(t.ID))
		who := fmt.Sprintf("token %q", t.ID)
		switch {
		case t.ID == "":
			errs = append(errs, fmt.Errorf("access: tokens[%d]: id: missing", i))
			continue
		case !tokenID.MatchString(t.ID):
			errs = append(errs, fmt.Errorf("access: %s: id: want 1 to 64 of a-z 0-9 _ @ -, starting with a letter or digit", who))
			continue
		case seen[t.ID] != "":
			errs = append(errs, fmt.Errorf("access: %s: id: already used by a %s", who, seen[t.ID]))
			continue
		}
		seen[t.ID] = "token"
		var err error
		if t.Roles, err = parseRoles(t.Roles); err != nil {
			errs = append(errs, fmt.Errorf("access: %s: roles: %w", who, err))
		}
		t.Hash = strings.ToLower(strings.TrimSpace(t.Hash))
		if b, err := hex.DecodeString(t.Hash); err != nil || len(b) != sha256.Size {
			errs = append(errs, fmt.Errorf("access: %s: hash: want the 64 hex digits of the secret's SHA-256 (see tokens in docs/vaksam.example.yaml)", who))
		}
		t.Owner = strings.ToLower(strings.TrimSpace(t.Owner))
		switch {
		case t.Owner == "" && (canAny(t.Roles, Decide) || canAny(t.Roles, Approve)):
			errs = append(errs, fmt.Errorf("access: %s: owner: missing: a token that may decide or approve acts for a person (four eyes is per person); give the id of the user it belongs to", who))
		case t.Owner != "" && !userID.MatchString(t.Owner):
			errs = append(errs, fmt.Errorf("access: %s: owner: %q is not a user id (1 to 64 of a-z 0-9 . _ @ -)", who, t.Owner))
		}
		if t.Name == "" {
			t.Name = t.ID
		}
		d.tokens[t.ID] = t
	}
	for _, t := range tokens {
		id, owner := strings.ToLower(strings.TrimSpace(t.ID)), strings.ToLower(strings.TrimSpace(t.Owner))
		if owner != "" && seen[owner] == "token" {
			errs = append(errs, fmt.Errorf("access: token %q: owner: %q is a token, not a person", id, owner))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Unknown users are checked against a hash with the parameters most
	// users have, so that they cost the same.
	common, n := DefaultParams, 0
	for p, c := range params {
		if c > n || c == n && (p.Memory > common.Memory || p.Memory == common.Memory && p.Time > common.Time) {
			common, n = p, c
		}
	}
	d.dummy = dummyHash(common)
	return d, nil
}

func parseRoles(in []Role) ([]Role, error) {
	if len(in) == 0 {
		return nil, errors.New("none: give at least one of viewer, coordinator, approver, admin")
	}
	out := make([]Role, 0, len(in))
	var errs []error
	for i, r := range in {
		p, err := ParseRole(string(r))
		if err != nil {
			errs = append(errs, fmt.Errorf("[%d]: %w", i, err))
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, errors.Join(errs...)
}

// User returns the user with the id (any case), disabled or not.
func (d *Directory) User(id string) (User, bool) {
	u, ok := d.users[strings.ToLower(strings.TrimSpace(id))]
	u.Roles = slices.Clone(u.Roles)
	return u, ok
}

// Users returns every user, sorted by id.
func (d *Directory) Users() []User {
	out := make([]User, 0, len(d.users))
	for _, u := range d.users {
		u.Roles = slices.Clone(u.Roles)
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Token returns the token with the id.
func (d *Directory) Token(id string) (Token, bool) {
	t, ok := d.tokens[id]
	t.Roles = slices.Clone(t.Roles)
	return t, ok
}

// checkPassword is CheckPassword; tests count its calls.
var checkPassword = CheckPassword

// verify checks a login. It always does one password hash's work: against
// the user's hash, or against the dummy hash when the user is unknown, has
// no hash, or the password is too long; so the time taken does not tell
// whether the user exists. A disabled user never passes.
func (d *Directory) verify(id, pw string) (User, bool) {
	u, known := d.users[id]
	hash := u.PasswordHash
	if !known || hash == "" || len(pw) > MaxPasswordLen {
		hash, known = d.dummy, false
		if len(pw) > MaxPasswordLen {
			pw = pw[:MaxPasswordLen]
		}
	}
	ok, err := checkPassword(hash, pw)
	if err != nil || !ok || !known || u.Disabled {
		return User{}, false
	}
	u.Roles = slices.Clone(u.Roles)
	return u, true
}

// verifyToken checks "<id>.<secret>".
func (d *Directory) verifyToken(bearer string) (Token, bool) {
	id, secret, _ := strings.Cut(bearer, ".")
	t, known := d.tokens[id]
	want, _ := hex.DecodeString(t.Hash)
	got := sha256.Sum256([]byte(secret))
	if !known || secret == "" || len(want) != len(got) {
		want = make([]byte, len(got)) // compare anyway: same work either way
	}
	if subtle.ConstantTimeCompare(got[:], want) != 1 || !known || secret == "" {
		return Token{}, false
	}
	if u, ok := d.users[t.Owner]; ok && u.Disabled {
		return Token{}, false // the person it belongs to may no longer act
	}
	t.Roles = slices.Clone(t.Roles)
	return t, true
}

// HashTokenSecret is the hash stored for a token's secret: the lower-case
// hex SHA-256.
func HashTokenSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewToken makes a token for the configuration: the
// Token to store, with the secret's hash, and the bearer credential
// "<id>.<secret>" to give the machine once. The secret is 256 random bits.
func NewToken(id, name string, roles []Role) (Token, string, error) {
	t := Token{ID: strings.ToLower(strings.TrimSpace(id)), Name: name}
	if !tokenID.MatchString(t.ID) {
		return Token{}, "", fmt.Errorf("access: token %q: id: want 1 to 64 of a-z 0-9 _ @ -, starting with a letter or digit", id)
	}
	var err error
	if t.Roles, err = parseRoles(roles); err != nil {
		return Token{}, "", fmt.Errorf("access: token %q: roles: %w", t.ID, err)
	}
	secret := randomString(32)
	t.Hash = HashTokenSecret(secret)
	return t, t.ID + "." + secret, nil
}

// randomString returns n random bytes from crypto/rand, base64url without
// padding.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
