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
