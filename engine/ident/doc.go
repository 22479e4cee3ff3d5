// Package ident parses and validates Swedish identity numbers: organisation
// numbers (organisationsnummer) and personal identity numbers (personnummer
// and samordningsnummer).
//
// The canonical form of an organisation number is its 10 digits without a
// hyphen. A sole trader (enskild näringsidkare) is identified by the owner's
// personnummer, which is personal data: Org.Personal reports it, and
// Org.Redacted gives a form that is safe for logs and metrics.
package ident
