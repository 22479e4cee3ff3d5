package access

import (
	"slices"
	"strings"
	"testing"
)

func TestNewDirectoryErrors(t *testing.T) {
	h := hash(t, "pw")
	tok, _, err := NewToken("robot", "", []Role{Viewer})
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		users  []User
		tokens []Token
		want   []string // each must appear in the error
	}{
		"unknown role": {users: []User{{ID: "anna", Roles: []Role{Coordinator, "boss"}, PasswordHash: h}},
			want: []string{`user "anna"`, "roles", `"boss"`}},
		"no roles": {users: []User{{ID: "anna", PasswordHash: h}},
			want: []string{`user "anna"`, "roles", "none"}},
		"unknown token role": {tokens: []Token{{ID: "robot", Roles: []Role{"superuser"}, Hash: tok.Hash}},
			want: []string{`token "robot"`, "roles", `"superuser"`}},
		"missing hash": {users: []User{{ID: "anna", Roles: []Role{Viewer}}},
			want: []string{`user "anna"`, "password_hash", "missing"}},
		"bcrypt hash": {users: []User{{ID: "anna", Roles: []Role{Viewer}, PasswordHash: "$2b$10$abc"}},
			want: []string{`user "anna"`, "password_hash", "argon2id"}},
		"plain text password": {users: []User{{ID: "anna", Roles: []Role{Viewer}, PasswordHash: "hemligt"}},
			want: []string{`user "anna"`, "password_hash"}},
		"no id": {users: []User{{Roles: []Role{Viewer}, PasswordHash: h}},
			want: []string{"users[0]", "id: missing"}},
		"bad id": {users: []User{{ID: "anna andersson", Roles: []Role{Viewer}, PasswordHash: h}},
			want: []string{`user "anna andersson"`, "id"}},
		"duplicate user": {users: []User{{ID: "anna", Roles: []Role{Viewer}, PasswordHash: h}, {ID: "ANNA", Roles: []Role{Viewer}, PasswordHash: h}},
			want: []string{`user "anna"`, "already used by a user"}},
		"token named as a user": {users: []User{{ID: "robot", Roles: []Role{Viewer}, PasswordHash: h}}, tokens: []Token{tok},
			want: []string{`token "robot"`, "already used by a user"}},
		"dot in token id": {tokens: []Token{{ID: "ci.bot", Roles: []Role{Viewer}, Hash: tok.Hash}},
			want: []string{`token "ci.bot"`, "id"}},
		"token without hash": {tokens: []Token{{ID: "robot", Roles: []Role{Viewer}}},
			want: []string{`token "robot"`, "hash"}},
		"token secret as hash": {tokens: []Token{{ID: "robot", Roles: []Role{Viewer}, Hash: "not-a-sha256"}},
			want: []string{`token "robot"`, "hash"}},
		"deciding token without owner": {tokens: []Token{{ID: "robot", Roles: []Role{Coordinator}, Hash: tok.Hash}},
			want: []string{`token "robot": owner: missing`, "four eyes is per person"}},
		"approving token without owner": {tokens: []Token{{ID: "robot", Roles: []Role{Viewer, Approver}, Hash: tok.Hash}},
			want: []string{`token "robot": owner: missing`}},
		"owner not an id": {tokens: []Token{{ID: "robot", Roles: []Role{Viewer}, Hash: tok.Hash, Owner: "Anna Andersson"}},
			want: []string{`token "robot": owner: "anna andersson" is not a user id`}},
		"owner a token": {tokens: []Token{{ID: "robot", Roles: []Role{Coordinator}, Hash: tok.Hash, Owner: "ci"},
			{ID: "ci", Roles: []Role{Viewer}, Hash: tok.Hash}},
			want: []string{`token "robot": owner: "ci" is a token, not a person`}},
		"every problem": {users: []User{{ID: "anna", Roles: []Role{"boss"}, PasswordHash: h}, {ID: "bo", Roles: []Role{"chef"}}},
			want: []string{`user "anna": roles`, `"boss"`, `user "bo": roles`, `"chef"`, `user "bo": password_hash`}},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := NewDirectory(tc.users, tc.tokens)
			if err == nil {
				t.Fatalf("NewDirectory = %v, nil; want an error", d)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestNewDirectoryNormalizes(t *testing.T) {
	tok, _, _ := NewToken("robot", "", []Role{Viewer})
	tok.Hash = strings.ToUpper(tok.Hash)
	d, err := NewDirectory([]User{
		{ID: " Anna ", Roles: []Role{" Coordinator", "APPROVER", "coordinator"}, PasswordHash: hash(t, "pw")},
		{ID: "gammal", Roles: []Role{Viewer}, Disabled: true}, // disabled: no hash needed
	}, []Token{tok})
	if err != nil {
		t.Fatal(err)
	}
	u, ok := d.User("ANNA")
	if !ok || u.ID != "anna" || u.Name != "anna" || len(u.Roles) != 2 || u.Roles[0] != Coordinator || u.Roles[1] != Approver {
		t.Errorf("User(ANNA) = %+v, %v", u, ok)
	}
	u.Roles[0] = Admin // a copy: the directory does not change
	if u, _ := d.User("anna"); u.Roles[0] != Coordinator {
		t.Error("User returned the directory's slice")
	}
	if got := d.Users(); len(got) != 2 || got[0].ID != "anna" || got[1].ID != "gammal" {
		t.Errorf("Users = %+v", got)
	}
	if _, ok := d.verify("gammal", ""); ok {
		t.Error("a disabled user without a hash logged in with an empty password")
	}
}

func TestRoles(t *testing.T) {
	want := map[Permission][]Role{
		Authenticated: {Viewer, Coordinator, Approver, Admin},
		ViewAlerts:    {Viewer, Coordinator, Approver, Admin},
		ViewPersons:   {Coordinator, Approver, Admin},
		Assign:        {Coordinator, Approver, Admin},
		Decide:        {Coordinator, Approver, Admin},
		Approve:       {Approver, Admin},
		Administer:    {Admin},
	}
	for _, p := range Permissions() {
		for _, r := range Roles() {
			should := false
			for _, w := range want[p] {
				should = should || w == r
			}
			if r.Can(p) != should {
				t.Errorf("%s.Can(%s) = %v", r, p, !should)
			}
		}
	}
	if Role("boss").Can(ViewAlerts) || Viewer.Can("view_everything") {
		t.Error("unknown role or permission granted")
	}
	multi := &Principal{Roles: []Role{Viewer, Approver}}
	if !multi.Can(Approve) || !multi.Can(ViewPersons) || multi.Can(Administer) {
		t.Error("a principal with two roles does not hold the union of their permissions")
	}
	var none *Principal
	if none.Can(ViewAlerts) {
		t.Error("nil principal can")
	}
	if r, err := ParseRole(" Approver "); r != Approver || err != nil {
		t.Errorf("ParseRole = %q, %v", r, err)
	}
	if Coordinator.Label() != "Samordnare" {
		t.Errorf("label %q", Coordinator.Label())
	}
}

func TestTokens(t *testing.T) {
	tok, bearer, err := NewToken("CI", "Byggservern", []Role{Viewer})
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID != "ci" || !strings.HasPrefix(bearer, "ci.") || len(bearer) != len("ci.")+43 {
		t.Errorf("NewToken = %+v, %q", tok, bearer)
	}
	if strings.Contains(tok.Hash, strings.TrimPrefix(bearer, "ci.")) || tok.Hash != HashTokenSecret(strings.TrimPrefix(bearer, "ci.")) {
		t.Error("the token stores its secret, or not its hash")
	}
	d, err := NewDirectory(nil, []Token{tok})
	if err != nil {
		t.Fatal(err)
	}
	for cred, ok := range map[string]bool{
		bearer:                true,
		bearer + "x":          false,
		"ci":                  false,
		"ci.":                 false,
		"other." + bearer[3:]: false,
		"":                    false,
	} {
		if _, got := d.verifyToken(cred); got != ok {
			t.Errorf("verifyToken(%q) = %v, want %v", cred, got, ok)
		}
	}
	for _, bad := range []struct {
		id    string
		roles []Role
	}{{"a.b", []Role{Viewer}}, {"", []Role{Viewer}}, {"ok", nil}, {"ok", []Role{"x"}}} {
		if _, _, err := NewToken(bad.id, "", bad.roles); err == nil {
			t.Errorf("NewToken(%q, %v): no error", bad.id, bad.roles)
		}
	}
}

func TestDemoUsers(t *testing.T) {
	users, pw := DemoUsers()
	want := map[string]Role{"samordnare": Coordinator, "godkannare": Approver, "lasare": Viewer, "admin": Admin}
	if len(users) != len(want) || len(pw) != len(want) {
		t.Fatalf("DemoUsers = %d users, %d passwords", len(users), len(pw))
	}
	d, err := NewDirectory(users, nil)
	if err != nil {
		t.Fatal(err)
	}
	for id, role := range want {
		u, ok := d.User(id)
		if !ok || len(u.Roles) != 1 || u.Roles[0] != role {
			t.Errorf("demo user %s = %+v, want role %s", id, u, role)
		}
		if err := ValidatePassword(pw[id]); err != nil {
			t.Errorf("demo password of %s: %v", id, err)
		}
		if _, ok := d.verify(id, pw[id]); !ok {
			t.Errorf("demo user %s cannot log in with its password", id)
		}
	}
	if _, again := DemoUsers(); again["samordnare"] == pw["samordnare"] {
		t.Error("demo passwords are the same at every call")
	}
}

// The demo's ordering-system token is a coordinator's, owned by the demo
// coordinator, its bearer working with the demo users and new at every
// call.
func TestDemoToken(t *testing.T) {
	users, _ := DemoUsers()
	tok, bearer := DemoToken()
	d, err := NewDirectory(users, []Token{tok})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := d.verifyToken(bearer)
	if !ok || got.ID != DemoOrderingSystem || !slices.Equal(got.Roles, []Role{Coordinator}) || got.Owner != "samordnare" {
		t.Errorf("demo token %+v (ok %v), want %s of role coordinator owned by samordnare", got, ok, DemoOrderingSystem)
	}
	if _, again := DemoToken(); again == bearer {
		t.Error("the demo token is the same at every call")
	}
}

func TestTokenOwner(t *testing.T) {
	h := hash(t, "pw")
	mine, bearer, err := NewToken("annas-robot", "", []Role{Approver})
	if err != nil {
		t.Fatal(err)
	}
	mine.Owner = " Anna "
	reader, readerBearer, err := NewToken("panel", "", []Role{Viewer})
	if err != nil {
		t.Fatal(err)
	}
	sso, ssoBearer, err := NewToken("sso-robot", "", []Role{Coordinator})
	if err != nil {
		t.Fatal(err)
	}
	sso.Owner = "karin@kommun.example" // signs in through single sign-on: no user here
	users := []User{{ID: "anna", Roles: []Role{Coordinator}, PasswordHash: h}}
	d, err := NewDirectory(users, []Token{mine, reader, sso})
	if err != nil {
		t.Fatal(err)
	}
	for cred, want := range map[string]string{bearer: "anna", readerBearer: "panel", ssoBearer: "karin@kommun.example"} {
		tk, ok := d.verifyToken(cred)
		if !ok || tk.Person() != want {
			t.Errorf("token %s: ok %v, person %q; want %q", tk.ID, ok, tk.Person(), want)
		}
	}
	// The token of a disabled user stops working.
	users[0].Disabled = true
	d, err = NewDirectory(users, []Token{mine, reader})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.verifyToken(bearer); ok {
		t.Error("the token of a disabled user still works")
	}
	if _, ok := d.verifyToken(readerBearer); !ok {
		t.Error("a token without owner stopped working")
	}
}
