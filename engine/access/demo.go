package access

import (
	"crypto/rand"
	"strings"
)

// DemoUsers returns users for `vaksam serve --demo` and their passwords
// (id → password): samordnare (coordinator), godkannare (approver), lasare
// (viewer) and admin. The passwords are new random ones at every call
// (80 bits, "abcd-efgh-jkmn-pqrs"), so a demo left reachable on a network
// is not open to anyone who read the documentation; serve --demo prints
// them at start.
//
// Nothing else in Vaksam makes users with known passwords: outside
// --demo, users come only from the configuration file, with hashes made by
// `vaksam config hash-password`, and a user without a hash cannot be configured.
func DemoUsers() ([]User, map[string]string) {
	users := []User{
		{ID: "samordnare", Name: "Sara Samordnare", Roles: []Role{Coordinator}},
		{ID: "godkannare", Name: "Gustav Godkännare", Roles: []Role{Approver}},
		{ID: "lasare", Name: "Lisa Läsare", Roles: []Role{Viewer}},
		{ID: "admin", Name: "Administratör", Roles: []Role{Admin}},
	}
	pw := map[string]string{}
	for i := range users {
		p := demoPassword()
		h, err := HashPassword(p)
		if err != nil {
			panic("access: DemoUsers: " + err.Error()) // cannot happen: the password and parameters are fixed
		}
		users[i].PasswordHash = h
		pw[users[i].ID] = p
	}
	return users, pw
}

// DemoOrderingSystem is the id of the API token `vaksam serve --demo`
// gives an ordering system.
const DemoOrderingSystem = "ordering-system"

// DemoToken returns the API token of `vaksam serve --demo` for an
// ordering system that asks for pre-award checks (POST /api/v1/screen),
// and its bearer credential "<id>.<secret>", new at every call. Its role
// is coordinator, as the API's documentation advises for such a system
// (the check needs decide), so it is owned by the demo coordinator
// samordnare (a token that may decide must have an owner).
func DemoToken() (Token, string) {
	t, bearer, err := NewToken(DemoOrderingSystem, "Beställningssystem (demo)", []Role{Coordinator})
	if err != nil {
		panic("access: DemoToken: " + err.Error()) // cannot happen: the id and role are fixed
	}
	t.Owner = "samordnare"
	return t, bearer
}

// demoPassword is 16 letters and digits easy to read and type, no 0/o,
// 1/l/i, in four groups.
func demoPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // 31 symbols
	var b strings.Builder
	buf := make([]byte, 1)
	for n := 0; n < 16; {
		rand.Read(buf)
		if buf[0] >= 31*8 { // reject to keep the choice uniform
			continue
		}
		if n > 0 && n%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[buf[0]%31])
		n++
	}
	return b.String()
}
