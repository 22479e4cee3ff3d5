package bus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/engine"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/ident"
)

// Refresher fetches an organisation's data from its sources now (the
// connectors' schedule.Runner).
type Refresher interface {
	Refresh(ctx context.Context, org ident.Org, sources ...string) error
	Sources() []string
}

// ScreenService answers pre-award checks: over NATS as the micro service
// "vaksam" (endpoint vaksam.screen), and to any caller of Check (the HTTP
// API).
type ScreenService struct {
	Screener  *engine.Screener
	Refresher Refresher // nil: answer from the store alone
	Now       func() time.Time
	// Timeout is the default time a request may take (2s); a request may
	// ask for less or more with its timeout field, up to MaxTimeout (30s).
	Timeout, MaxTimeout time.Duration
	// Concurrent bounds the requests worked on at once (64); more are
	// answered 503 at once rather than left to time out.
	Concurrent int
	Version    string // semantic version for $SRV.INFO
	// Status, if set, adds its value to the endpoint's data in
	// $SRV.STATS (the outbox's depth and age, for operators).
	Status func() any
	Log    *slog.Logger

	sem chan struct{}
}

// RequestError is a refusal with a status code: 400 names the bad field.
type RequestError struct {
	Code  int
	Field string
	Msg   string
}

func (e *RequestError) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Msg
	}
	return e.Msg
}

func badField(field, format string, a ...any) error {
	return &RequestError{Code: 400, Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Check runs one pre-award check.
func (s *ScreenService) Check(ctx context.Context, req event.ScreenRequest) (*engine.Assessment, error) {
	c, err := s.parse(req)
	if err != nil {
		return nil, err
	}
	return s.run(ctx, c)
}

// check is a validated request.
type check struct {
	org     ident.Org
	opt     engine.Options
	timeout time.Duration
}

func (s *ScreenService) run(ctx context.Context, c check) (*engine.Assessment, error) {
	org, opt, timeout := c.org, c.opt, c.timeout
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	opt.At = s.Now()
	a, err := s.screen(ctx, org, opt)
	if err != nil {
		return nil, err
	}
	if stale := s.refreshable(a); len(stale) > 0 {
		// Leave a tenth of the time (at most 250ms) for screening and
		// answering after the fetch.
		margin := min(timeout/10, 250*time.Millisecond)
		deadline, _ := ctx.Deadline()
		fctx, fcancel := context.WithDeadline(ctx, deadline.Add(-margin))
		ferr := s.Refresher.Refresh(fctx, org, stale...)
		fcancel()
		opt.At = s.Now()
		if a, err = s.screen(ctx, org, opt); err != nil {
			return nil, err
		}
		if ferr != nil {
			s.log().Warn("pre-award check: fetching fresh data failed", "orgnr", org.Redacted(), "sources", stale, "err", ferr)
			if errors.Is(ferr, context.DeadlineExceeded) {
				ferr = fmt.Errorf("not fetched within the request's deadline %s", timeout)
			}
			a.Reasons = append(a.Reasons, fmt.Sprintf("fresh data from %s could not be fetched: %v", strings.Join(stale, ", "), ferr))
		}
	}
	if err := s.Screener.Record(a); err != nil {
		return nil, &RequestError{Code: 503, Msg: "the store is unavailable: " + err.Error()}
	}
	if a.NotRegistered {
		return a, &RequestError{Code: 404, Field: "orgnr", Msg: org.Redacted() + " is not in Bolagsverket's register (ORGANISATION_FINNS_EJ)"}
	}
	return a, nil
}

func (s *ScreenService) screen(ctx context.Context, org ident.Org, opt engine.Options) (*engine.Assessment, error) {
	as, err := s.Screener.Screen(ctx, []ident.Org{org}, opt)
	if err != nil || len(as) != 1 {
		return nil, &RequestError{Code: 503, Msg: fmt.Sprintf("screening %s failed: %v", org.Redacted(), err)}
	}
	return as[0], nil
}

// refreshable lists the sources with missing, stale or erroring data that
// the refresher can fetch.
func (s *ScreenService) refreshable(a *engine.Assessment) []string {
	if s.Refresher == nil {
		return nil
	}
	can := s.Refresher.Sources()
	var out []string
	for _, m := range a.Missing {
		if slices.Contains(can, m.Source) && !slices.Contains(out, m.Source) {
			out = append(out, m.Source)
		}
	}
	return out
}

// parse validates a request; each refusal names its field.
func (s *ScreenService) parse(req event.ScreenRequest) (check, error) {
	org, opt, timeout, err := s.parseFields(req)
	return check{org, opt, timeout}, err
}

func (s *ScreenService) parseFields(req event.ScreenRequest) (ident.Org, engine.Options, time.Duration, error) {
	opt := engine.Options{Current: true}
	if strings.TrimSpace(req.Orgnr) == "" {
		return ident.Org{}, opt, 0, badField("orgnr", "required")
	}
	org, err := ident.ParseOrg(req.Orgnr)
	if err != nil {
		return ident.Org{}, opt, 0, badField("orgnr", "%v", err)
	}
	switch req.Purpose {
	case engine.Award, engine.Calloff, engine.Direct:
		opt.Purpose = req.Purpose
	case "":
		return org, opt, 0, badField("purpose", "required: award, calloff or direct")
	default:
		return org, opt, 0, badField("purpose", "%q is not award, calloff or direct", req.Purpose)
	}
	if req.ValueSEK < 0 {
		return org, opt, 0, badField("value_sek", "must not be negative")
	}
	if req.Category != "" && !categoryToken(req.Category) {
		return org, opt, 0, badField("category", "%q is not a category id (lower-case letters, digits, _)", req.Category)
	}
	if req.MaxAge != "" {
		if opt.MaxAge, err = ParseAge(req.MaxAge); err != nil || opt.MaxAge <= 0 {
			return org, opt, 0, badField("max_age", "%q is not a positive duration such as 36h or 7d", req.MaxAge)
		}
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	if req.Timeout != "" {
		d, err := ParseAge(req.Timeout)
		maxT := s.MaxTimeout
		if maxT <= 0 {
			maxT = 30 * time.Second
		}
		if err != nil || d <= 0 || d > maxT {
			return org, opt, 0, badField("timeout", "%q is not a duration between 0 and %s", req.Timeout, maxT)
		}
		timeout = d
	}
	return org, opt, timeout, nil
}

func categoryToken(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return len(s) <= 64
}

// ParseAge parses a Go duration, or a whole number of days ("7d").
func ParseAge(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

func (s *ScreenService) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// ServiceName and the endpoint's subject.
const ServiceName = "vaksam"

// Start registers the micro service on nc.
func (s *ScreenService) Start(nc *nats.Conn) (micro.Service, error) {
	n := s.Concurrent
	if n <= 0 {
		n = 64
	}
	s.sem = make(chan struct{}, n)
	version := s.Version
	if version == "" {
		version = "0.0.0"
	}
	cfg := micro.Config{
		Name:        ServiceName,
		Version:     version,
		Description: "Vaksam pre-award check: screen a supplier before award, call-off or direct award",
	}
	if s.Status != nil {
		cfg.StatsHandler = func(*micro.Endpoint) any { return s.Status() }
	}
	svc, err := micro.AddService(nc, cfg)
	if err != nil {
		return nil, fmt.Errorf("bus: service: %w", err)
	}
	err = svc.AddEndpoint("screen", micro.HandlerFunc(s.handle),
		micro.WithEndpointSubject(event.ScreenSubject),
		micro.WithEndpointMetadata(map[string]string{
			"request_schema": "vaksam.screen-request/1",
			"reply_schema":   "vaksam.screen-reply/1",
		}))
	if err != nil {
		svc.Stop()
		return nil, fmt.Errorf("bus: service endpoint: %w", err)
	}
	return svc, nil
}

// handle validates a request at once, so that $SRV.STATS counts bad
// input as errors, then answers it on a goroutine of its own, so that a
// slow fetch does not hold up the next request. (micro's processing time
// therefore covers validation only.)
func (s *ScreenService) handle(r micro.Request) {
	var req event.ScreenRequest
	dec := json.NewDecoder(bytes.NewReader(r.Data()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		respondErr(r, badRequestJSON(err))
		return
	}
	c, err := s.parse(req)
	if err != nil {
		respondErr(r, err)
		return
	}
	select {
	case s.sem <- struct{}{}:
	default:
		respondErr(r, &RequestError{Code: 503, Msg: "too many checks in progress; try again"})
		return
	}
	go func() {
		defer func() { <-s.sem }()
		a, err := s.run(context.Background(), c)
		if err != nil {
			var re *RequestError
			if errors.As(err, &re) && re.Code == 404 && a != nil {
				data, _ := json.Marshal(a)
				if rerr := r.Error("404", re.Error(), data); rerr != nil {
					s.log().Warn("pre-award check: reply", "err", rerr)
				}
				return
			}
			respondErr(r, err)
			return
		}
		if err := r.RespondJSON(a); err != nil {
			s.log().Warn("pre-award check: reply", "err", err)
		}
	}()
}

// badRequestJSON names the field of a JSON decoding error.
func badRequestJSON(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return badField(te.Field, "must be a %s", te.Type)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return badField(strings.Trim(f, `"`), "unknown field")
	}
	return badField("body", "not a JSON request: %v", err)
}

func respondErr(r micro.Request, err error) {
	var re *RequestError
	if !errors.As(err, &re) {
		re = &RequestError{Code: 500, Msg: err.Error()}
	}
	_ = r.Error(strconv.Itoa(re.Code), re.Error(), nil)
}
