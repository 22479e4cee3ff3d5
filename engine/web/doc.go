// Package web serves Vaksam over HTTP: the JSON API under /api/v1/,
// described by the OpenAPI 3 document it serves at
// /api/v1/openapi.yaml (openapi.yaml in this package, which a test holds
// to the routes and .ci/run lints with Redocly CLI; its info.version is
// buildinfo.Release, and the document served reports the running build's
// version, Server.Version), and the coordinators' HTML pages beside it (ui*.go,
// templates/, static/): the queue, the alert with its decisions, the
// supplier list and search, the supplier dossier (summary, contracts and
// spend, open decisions, the timeline newest first, the network drawn
// with the vendored Cytoscape.js in static/vendor/ and as a table), raw
// records, the pre-award check form, the printable decision basis and
// the admins' Regeltest (a candidate rule pack backtested against the
// running one, engine/backtest), in Swedish with English available.
//
// The API's endpoints are in api*.go, the pages in ui*.go; what both
// read or decide is asked of engine/workplace (alert queries, the alert
// and supplier views, raw records) or lives in a shared file: desk.go
// (who acts, a decision's evidence), hearing.go (the supplier's
// hearing), suppliers.go (the supplier and its raw records), search.go
// (the supplier search), api_screen.go's Server.check (the pre-award
// check, for POST /api/v1/screen and the form at /check) and
// personal.go (personal data by role). An API file and a UI file
// render; neither decides what the other decides.
//
// # Endpoints
//
//	POST /api/v1/login                      public: password login, starts a session
//	POST /api/v1/logout                     authenticated
//	GET  /api/v1/me                         authenticated: who, roles, permissions, CSRF token
//	GET  /api/v1/openapi.yaml               public
//	GET  /api/v1/alerts                     view_alerts: filter (?past_due=true …), sort, paginate
//	GET  /api/v1/alerts/{id}                view_alerts: history, decisions, newest assessment (+ persons)
//	POST /api/v1/alerts/bulk/assign         assign: several alerts, one justification
//	POST /api/v1/alerts/bulk/snooze         decide: "no action", snoozed, for several alerts
//	POST /api/v1/alerts/bulk/close          decide: close several alerts without a decision
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
//	GET  /api/v1/suppliers                  view_alerts: search by name, number, address, person (view_persons, audited)
//	GET  /api/v1/suppliers/{orgnr}          view_alerts: history, evidence, records, contracts (+ persons)
//	GET  /api/v1/suppliers/{orgnr}/records  view_persons: every stored version, raw
//	GET  /api/v1/suppliers/{orgnr}/network  view_alerts: representatives, their organisations, ?depth= hops (+ persons)
//	GET  /api/v1/suppliers/{orgnr}/suppressions  view_alerts: its suppressions of known false positives, with their state
//	POST /api/v1/suppliers/{orgnr}/suppressions  decide: suppress a non-critical hit until a date (audited)
//	GET  /api/v1/indicators/precision       view_alerts: precision per indicator over ?from=&to= (workplace.Precision)
//	POST /api/v1/screen                     decide: the pre-award check (as vaksam.screen on NATS)
//	GET  /api/v1/audit                      admin: the audit trail
//
// # The work on alerts
//
// Every alert the API answers carries its status (review.Status: ny,
// utreds, vantar_godkannande, avropsstopp, beslutad, stangd — where the
// work stands, which the stored state alone does not say) and, while a
// deadline runs, due (the last day, in Stockholm, of the work at its step:
// review.SLA in Swedish working days, from the configuration's
// review.sla_days) and past_due. The queue shows both and filters the
// alerts past due (?past_due=true, as the API's list).
//
// The bulk changes (bulk.go; the queue's form, ui_bulk.go) take the
// alerts and one justification; the request is checked whole first (400
// naming the field, nothing changed), then each alert goes through the
// single change in its own transaction, evented and audited as that one
// is, and its result says whether it was done or why not (the status and
// code the single change would have answered). Adverse decisions
// (avropsstopp, hävning, uteslutning) are never bulk: one at a time, with
// four eyes where the desk asks for them.
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
// AuditScreen (via "api" or "web"). A supplier search that finds
// organisations by a person appends audit.ViewPersons (view "search",
// the person's subject "p:<pseudonym>" as object); only principals with
// view_persons search by person, so others cannot tell whether a person
// exists.
//
// # The supplier search and its cost
//
// GET /api/v1/suppliers and the page /suppliers share findSuppliers
// (workplace.Search). A street address reads only the address index's
// entries under the typed prefix (store.AddressesFrom), a person only the
// person index's entries of the pseudonym (a personnummer becomes one
// through Server.Persons), both at most workplace.SearchLimit. Names and
// parts of numbers take one pass over the result heads of every
// screened organisation (store.ResultsWhere), which decodes only those
// whose stored bytes can match: about 0.15–0.25 s per 100 000 screened
// organisations on a small shared machine (BenchmarkSearchByName), so
// 1.5–2.5 s at a million; a list without q decodes every one. The page searches when the form is sent, never
// per keystroke. The review desk records its own changes (alerts,
// decisions, comments) in the transactions that make them.
//
// The network (api_network.go, workplace.Network) shows organisations
// to every principal with view_alerts: the structure of who sits where
// is what the indicators of bankrupt-and-restart networks rest on. Its
// persons are named (with birth year and trading bans) only with
// view_persons, and each such answer or page appends audit.ViewPersons
// (view "network", or "network_persons" on the supplier page's entry);
// without it each person is a placeholder, "en företrädare", with no
// name, year, ban or pseudonym, numbered within one answer only, so two
// answers do not tell that a placeholder is the same person.
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
// # The printed decision basis
//
// GET /decisions/{id}/underlag (ui_underlag.go, templates/underlag.html,
// the print section of static/app.css) is what a nämnd files: on A4, a
// letterhead with Server.Municipality (the configuration's municipality
// section) and the decision's diarienummer ("–" when none was entered
// with it), the organisation, the decision and its legal ground, the
// supplier's hearing (when and how informed, the deadline, the response,
// the file's SHA-256), the assessment and its hits, every record version
// the decision rested on with the SHA-256 of its stored content
// (workplace.EvidenceHashes), the alert's history, and a signature block
// for the decider and, for termination and exclusion, the approver (name,
// role, date and a line; left to fill in while the approval is awaited).
// Printed, sections flow, tables keep to the page's width (fixed column
// shares, long words wrap) and every page is numbered "Sida N av M"
// ("Page N of M" in English) in its bottom margin.
// # Phones and assistive technology
//
// The pages aim at WCAG 2.1 AA (ui_a11y.go, app.css's own section). At
// a phone's width (390 px) no page scrolls sideways: a wide table is a
// table.cards, a real table at wide widths and a card per row below
// 40rem, each cell labelled by its data-label (its column's heading;
// checkHTML's cardProblems holds every rendered page to it). A table
// that may still scroll sits in a focusable, named region (role=region,
// tabindex=0, aria-label). Organisation numbers are shown as NNNNNN-NNNN
// (view.Orgnr) and never break; a sole trader's stays masked. Every page
// ends with a footer: the contact and the accessibility statement
// (Server.Footer, from the configuration's footer section); the built-in
// statement is the public page /tillganglighet, which sends the browser
// to the configured one when there is one. The browser test
// (cmd/vaksam/e2e_test.go) runs axe-core on every page of its walk at
// 1280 and 390 px.
//
// # Signals on the pages
//
// A critical hit adds no points: it places the assessment on L3 (L5
// before award). Wherever a page shows a score beside a step (the queue,
// the alert's summary and history, the supplier's tables, the underlag)
// a critical step reads "Kritisk" ("+ N poäng" when other hits add
// points) and running text "kritisk träff"; the supplier's chart draws
// such assessments as diamonds in a band "Kritisk" above the scores. The
// API keeps the numbers (ui_signals.go). The rule set is named in words
// (its packs' labels, "pack.<name>", with the version and whether it is
// the running one), its stored name pack@hash as the tooltip. The
// screening's English reasons for missing data read in Swedish on
// Swedish pages (missingReason), and a format whose first count is 1
// takes its "<key>.one" singular (uiT).
//
// # Serving
//
//	dir, _ := access.NewDirectory(users, tokens)
//	log := &audit.Log{Store: st}
//	g := &access.Guard{Dir: dir, Sessions: access.NewSessions(now), Now: now,
//		Secure: secure, OnLogin: web.AuditLogins(log, logger),
//		SSO: sso, OnSSOLogin: web.AuditSSOLogins(log, logger)} // SSO optional (access.NewSSO)
//	srv := &web.Server{Store: st, Screener: sc, Desk: desk, Audit: log, Guard: g,
//		Check: &bus.ScreenService{Screener: sc, Refresher: r, Now: now}, Now: now, Log: logger,
//		Persons: pseudonymizer, // optional: search by personnummer
//		Municipality: web.Municipality{Name: "Exempelby kommun"}} // optional: the printed letterhead
//	http.Server{Addr: ":8080", Handler: srv.Handler()}
package web
