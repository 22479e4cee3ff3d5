package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/shadow"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
	"github.com/vaksam/vaksam/rules"
)

// Checker runs a pre-award check (bus.ScreenService): the assessment, or
// a *bus.RequestError whose code is the answer's status (400 naming the
// field, 404 with the assessment of an organisation the register does
// not know, 503).
type Checker interface {
	Check(ctx context.Context, req event.ScreenRequest) (*screening.Assessment, error)
}

// Server serves Vaksam over HTTP. Every field but Log, Persons and Municipality is
// required; set them before calling Handler and do not change them after.
type Server struct {
	Store    *store.Store
	Screener *screening.Screener // its rule set names the hits' categories and evidence
	Desk     *review.Desk
	Audit    *audit.Log
	Guard    *access.Guard
	Check    Checker          // POST /api/v1/screen; nil answers 503
	Now      func() time.Time // required: nothing below cmd/ reads the wall clock
	// Persons, if set, turns a personnummer searched for (GET
	// /suppliers?q=) into the pseudonym records key the person by.
	Persons record.Pseudonymizer
	Log     *slog.Logger // nil: discard
	// Municipality is who the service works for, named in the printed
	// decision basis's letterhead; zero: none.
	Municipality Municipality
	// Footer: the contact and accessibility statement every page's foot
	// links (ui_a11y.go).
	Footer Footer
	// Version is the running build's version (buildinfo), which the
	// served OpenAPI document reports as info.version; "" serves the
	// document as written (buildinfo.Release).
	Version string
	// Watchlist keeps the sanctions lists' View (GET
	// /api/v1/sanctions/search, the judgements); nil loads them per
	// request.
	Watchlist *watchlist.Cache
	// RuleOverrides are the configuration's rule overrides: a candidate
	// pack on the page Regeltest compiles with them, as the running set
	// did.
	RuleOverrides rules.Overrides

	backtests sync.Mutex // one backtest at a time (ui_backtest.go)
	// Shadow is the candidate rule pack that runs in shadow beside the
	// live one (GET /api/v1/rules/shadow, promotion); nil answers 503.
	Shadow *shadow.Runner
}

// Handler returns the server's routes. Each area registers its own (the
// JSON API here; the HTML pages add theirs beside it, e.g. s.uiRoutes).
// Outermost, every request gets a request id and a log line (requestID).
func (s *Server) Handler() http.Handler {
	mux, _ := s.mux()
	return s.requestID(mux)
}

// mux builds the routes and returns them with the patterns registered.
func (s *Server) mux() (*http.ServeMux, *router) {
	rt := &router{ServeMux: http.NewServeMux()}
	s.apiRoutes(rt)
	s.uiRoutes(rt)
	return rt.ServeMux, rt
}

// router is a ServeMux that remembers its patterns, so that the OpenAPI
// document can be checked against them.
type router struct {
	*http.ServeMux
	patterns []string
}

// Handle registers a handler for a pattern.
func (rt *router) Handle(pattern string, h http.Handler) {
	rt.ServeMux.Handle(pattern, h)
	rt.patterns = append(rt.patterns, pattern)
}

func (s *Server) now() time.Time { return s.Now() }

func (s *Server) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}
