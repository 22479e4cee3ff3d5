// Package web serves Vaksam over HTTP: the JSON API under /api/v1/,
// described by the OpenAPI 3 document it serves at
// /api/v1/openapi.yaml (openapi.yaml in this package, which a test holds
// to the routes and .ci/run lints with Redocly CLI; its info.version is
// buildinfo.Release, and the document served reports the running build's
// version, Server.Version), and the coordinators' HTML pages beside it (ui*.go,
// templates/, static/): the queue, the alert with its decisions, the
// supplier, raw records and the printable decision basis, in Swedish with
// English available.
//
// The API's endpoints are in api*.go, the pages in ui*.go; what both
// read or decide is asked of engine/workplace (alert queries, the alert
// and supplier views, raw records) or lives in a shared file: desk.go
// (who acts, a decision's evidence), hearing.go (the supplier's
// hearing), suppliers.go (the supplier and its raw records) and
// personal.go (personal data by role). An API file and a UI file
// render; neither decides what the other decides.
//
// # Endpoints
//
//	POST /api/v1/login                      public: password login, starts a session
//	POST /api/v1/logout                     authenticated
//	GET  /api/v1/me                         authenticated: who, roles, permissions, CSRF token
//	GET  /api/v1/openapi.yaml               public
//	GET  /api/v1/alerts                     view_alerts: filter, sort, paginate
//	GET  /api/v1/alerts/{id}                view_alerts: history, decisions, newest assessment (+ persons)
//	POST /api/v1/alerts/{id}/assign         assign
//	POST /api/v1/alerts/{id}/close          decide
//	GET  /api/v1/alerts/{id}/comments       view_alerts
//	POST /api/v1/alerts/{id}/comments       assign or decide
//	POST /api/v1/alerts/{id}/decisions      decide
//	GET  /api/v1/decisions                  view_alerts (?status=vantar_godkannande: the approval queue)
//	GET  /api/v1/decisions/{id}             view_alerts
//	POST /api/v1/decisions/{id}/approve     approve (four eyes: not one's own)
//	POST /api/v1/decisions/{id}/reject      approve (four eyes: not one's own)
//	POST /api/v1/decisions/{id}/hearing     decide: the supplier was informed (kontradiktion)
//	POST /api/v1/decisions/{id}/hearing/response  decide: its response, multipart with a file
//	GET  /api/v1/decisions/{id}/attachments/{n}   view_persons: the file (audited, for download)
//	GET  /api/v1/suppliers                  view_alerts: search by name or number
//	GET  /api/v1/suppliers/{orgnr}          view_alerts: history, evidence, records, contracts (+ persons)
//	GET  /api/v1/suppliers/{orgnr}/records  view_persons: every stored version, raw
//	POST /api/v1/screen                     decide: the pre-award check (as vaksam.screen on NATS)
//	GET  /api/v1/audit                      admin: the audit trail
//
// # Authentication
//
// People sign in with POST /api/v1/login ({"username", "password"}),
// which sets the session cookie and answers the session's CSRF token;
// every POST made with the cookie must carry it in the X-CSRF-Token
// header (access.Guard.Require checks it, and the request's origin).
// Machines send "Authorization: Bearer <id>.<secret>" and need no CSRF
// token. An ordering system that asks for pre-award checks gets a token
// of role coordinator (POST /api/v1/screen needs decide; the answer may
// name representatives); serve --demo makes one (access.DemoToken) and
// prints it. Unauthenticated requests get 401, requests
// without the permission 403 {"error": "forbidden: needs <permission>"}.
//
// # Errors
//
// Every answer is JSON. Malformed input is 400 {"error": "<field>:
// <problem>", "field": "<field>"} (and "problems" when there are several):
// unknown JSON fields, wrong types, bad enum values, bad organisation
// numbers, unknown or repeated query parameters, bad page numbers. A body
// that is not application/json is 415, over 1 MiB 413 (the response to a
// hearing is multipart/form-data, up to MaxHearingBody). review's errors
// map to 400 (ErrInvalid, naming the field), 403 (ErrForbidden: approving
// one's own decision), 404 (ErrNotFound) and 409 (ErrState).
//
// # Personal data and the audit trail
//
// Representatives and beneficial owners are shown only to principals
// with view_persons; others get "persons_withheld": true, and the
// messages of hits whose rules read persons (S13, S14, S15, …) withheld.
// Every answer that shows them appends audit.ViewPersons first (the alert
// id or organisation number as object), and every answer with raw
// records audit.ViewRaw; logins and failed logins are recorded through
// the guard's OnLogin (AuditLogins) and single sign-on logins through its
// OnSSOLogin (AuditSSOLogins, via "oidc"), logouts here, pre-award checks as
// AuditScreen. The review desk records its own changes (alerts,
// decisions, comments) in the transactions that make them.
//
// Without view_persons a sole trader, whose organisation number is its
// owner's personnummer, is named "enskild näringsidkare" with the number
// masked, in pages and answers alike; it is found only by its whole
// number, and the identifiers that carry the number are sealed
// references that the routes take in their place (orgnr_ref for
// /suppliers/{orgnr}). Pseudonyms are withheld, and every answer and page
// to such a principal has what is left of person numbers and pseudonyms
// masked (personal.go).
//
// # Serving
//
//	dir, _ := access.NewDirectory(users, tokens)
//	log := &audit.Log{Store: st}
//	g := &access.Guard{Dir: dir, Sessions: access.NewSessions(now), Now: now,
//		Secure: secure, OnLogin: web.AuditLogins(log, logger),
//		SSO: sso, OnSSOLogin: web.AuditSSOLogins(log, logger)} // SSO optional (access.NewSSO)
//	srv := &web.Server{Store: st, Screener: sc, Desk: desk, Audit: log, Guard: g,
//		Check: &bus.ScreenService{Screener: sc, Refresher: r, Now: now}, Now: now, Log: logger}
//	http.Server{Addr: ":8080", Handler: srv.Handler()}
package web
