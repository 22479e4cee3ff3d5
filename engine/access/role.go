package access

import (
	"fmt"
	"slices"
	"strings"
)

// Role is what a user or token may do, as the configuration names it.
type Role string

// The four roles, from least to most trusted.
const (
	Viewer      Role = "viewer"      // dashboards and alert lists, never personal data
	Coordinator Role = "coordinator" // works alerts: sees persons, assigns, decides
	Approver    Role = "approver"    // a coordinator who may also approve decisions (four eyes)
	Admin       Role = "admin"       // everything, including administration
)

// Roles lists the roles in order, least trusted first.
func Roles() []Role { return []Role{Viewer, Coordinator, Approver, Admin} }

// Permission is something a handler needs; Require checks it.
type Permission string

// The permissions. Authenticated is held by every role: it protects what any
// signed-in user may do (logout, "who am I").
const (
	Authenticated Permission = "authenticated"
	ViewAlerts    Permission = "view_alerts"  // dashboards, alert lists, assessments without personal data
	ViewPersons   Permission = "view_persons" // personal data: board members, beneficial owners, person numbers
	Assign        Permission = "assign"       // take or hand over an alert
	Decide        Permission = "decide"       // propose or take a decision on an alert
	Approve       Permission = "approve"      // approve or reject another person's decision
	Administer    Permission = "admin"        // users, tokens, configuration, system status
)

// Permissions lists every permission.
func Permissions() []Permission {
	return []Permission{Authenticated, ViewAlerts, ViewPersons, Assign, Decide, Approve, Administer}
}

// grants is the permission model: what each role may do. It is a table, not
// an order, so that a new role need not fit between two others.
var grants = map[Role][]Permission{
	Viewer:      {Authenticated, ViewAlerts},
	Coordinator: {Authenticated, ViewAlerts, ViewPersons, Assign, Decide},
	Approver:    {Authenticated, ViewAlerts, ViewPersons, Assign, Decide, Approve},
	Admin:       {Authenticated, ViewAlerts, ViewPersons, Assign, Decide, Approve, Administer},
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { _, ok := grants[r]; return ok }

// Can reports whether the role grants p. An unknown role grants nothing.
func (r Role) Can(p Permission) bool { return slices.Contains(grants[r], p) }

// Label is the role's name in the Swedish user interface.
func (r Role) Label() string {
	switch r {
	case Viewer:
		return "Läsare"
	case Coordinator:
		return "Samordnare"
	case Approver:
		return "Godkännare"
	case Admin:
		return "Administratör"
	}
	return string(r)
}

// Valid reports whether p is a known permission.
func (p Permission) Valid() bool { return slices.Contains(Permissions(), p) }

// ParseRole reads a role as written in the configuration; case and
// surrounding space do not matter.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", fmt.Errorf("unknown role %q (want viewer, coordinator, approver or admin)", s)
	}
	return r, nil
}

// canAny reports whether any of roles grants p.
func canAny(roles []Role, p Permission) bool {
	for _, r := range roles {
		if r.Can(p) {
			return true
		}
	}
	return false
}
