// Package ident parses and validates Swedish identity numbers: organisation
// numbers (organisationsnummer) and personal identity numbers (personnummer
// and samordningsnummer).
//
// The canonical form of an organisation number is its 10 digits without a
// hyphen. A sole trader (enskild näringsidkare) is identified by the owner's
// personnummer, which is personal data: Org.Personal reports it, and
// Org.Redacted gives a form that is safe for logs and metrics.
//
// Person numbers follow Skatteverket's rules: a real calendar date (the day
// plus 60 in a samordningsnummer, which may leave the month (00) or the day
// (60) unknown), a serial number other than 000 and a Luhn check digit. The
// package reads no clock: ParsePerson and ParseOrg check the calendar only,
// while ParsePersonAt and ParseOrgAt take a reference time, reject birth
// dates after it and infer the century of a 10-digit number from its
// separator ('+' for 100 years or older). Separated shows a number's
// 10-digit form with the separator it has at a given time.
package ident
