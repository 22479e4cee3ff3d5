// Package rules loads, compiles and evaluates rule packs: YAML files of
// risk indicators whose conditions are expr expressions over a
// profile.Profile.
//
// Decoding is strict: an unknown key, a missing field, a bad severity, an
// undeclared parameter or an expression that does not compile against the
// Profile type is an error, and every error of a file is reported at once
// as file:line:col. Packs are compiled once, a rule's params and lists in
// as constants and time methods as direct calls (patch.go), so that expr
// spends no reflection on them at each evaluation; evaluation is pure (profile,
// time and parameters in, hits out) and an Evaluator holds one expr VM, so
// each worker goroutine owns one. A Manager keeps the running Set and, when
// a reload fails, keeps the previous one and reports why.
//
// A hit's message is rendered in Swedish and in English, each compiled
// with the functions that speak its language (functions.go): dateText(t)
// writes a day as Swedish authorities do in running text, sek(n) an
// amount in kronor as the language groups its digits, term(list,
// code) says a source's code in words from the pack's terms, which any
// file of the pack may declare; plural(n, one, other) picks the number.
package rules
