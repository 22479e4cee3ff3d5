package bus

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/logging"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/sign"
	"github.com/vaksam/vaksam/engine/strictjson"
)

// Refresher fetches an organisation's data from its sources now (the
// connectors' schedule.Runner).
type Refresher interface {
	Refresh(ctx context.Context, org ident.Org, sources ...string) error
	Sources() []string
}

// RequestIDHeader carries a pre-award request's id over NATS: a caller
// may send one (it is kept when logging.ValidRequestID accepts it, else a
// new one is made), and the reply has it.
const RequestIDHeader = "Vaksam-Request-Id"

// Outcomes of a pre-award request, besides the verdicts (clear, review,
// block), as told to ScreenService.Observe.
const (
	OutcomeBadRequest = "bad_request" // 400
	OutcomeNotFound   = "not_found"   // 404: not in Bolagsverket's register
	OutcomeBusy       = "busy"        // 503: too many checks in progress
	OutcomeError      = "error"       // anything else that gave no assessment
)

// Ways a pre-award request came, as told to ScreenService.Observe.
const (
	ViaNATS = "nats"
	ViaHTTP = "http" // Check, called by the HTTP API
)

// ScreenService answers pre-award checks: over NATS as the micro service
// "vaksam" (endpoint vaksam.screen), and to any caller of Check (the HTTP
// API).
//
// Each request has an id (RequestIDHeader over NATS; over HTTP the one
// the caller's context carries, see logging.WithRequestID), which its log
// records, its reply and the refresh it may start carry.
//
// Every reply over NATS, an answer or a refusal, is signed (package sign;
// the subject signed is vaksam.screen) with the request's id and the time
// it was signed, so that a caller can tell Vaksam's answer from one given
// by whoever else joined the queue group, and from an old answer sent
// again. The public key is in the service's $SRV.INFO metadata
// (MetadataSigningKey), for operators to read: a caller must trust a key
// from its own configuration, not the one a service it has not verified
// announces.
//
// A check's verdict is its caller's answer. Its assessment is stored
// (Screener.Record: evidence, and the watch list), but it changes neither
// the organisation's follow-up result nor its alert (engine's saveTx,
// review.Desk.OnSave). The Screener must save (screening.NewScreener).
type ScreenService struct {
	Screener  *screening.Screener
	Signer    *sign.Signer // signs every reply over NATS; Start refuses to run without one
	Refresher Refresher    // nil: answer from the store alone
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
	// Observe, if set, is told about every pre-award request once, when
	// it is answered (for metrics): how it came (ViaNATS, ViaHTTP), its
	// outcome (the verdict: clear, review or block; or OutcomeBadRequest,
	// OutcomeNotFound, OutcomeBusy, OutcomeError) and how long it took on
	// Now's clock.
	Observe func(via string, outcome string, took time.Duration)

	sem      chan struct{}
	inflight sync.WaitGroup
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

// Check runs one pre-award check (for the HTTP API: Observe is told it
// came ViaHTTP). The request id is the one ctx carries, if any.
func (s *ScreenService) Check(ctx context.Context, req event.ScreenRequest) (a *screening.Assessment, err error) {
	start := s.Now()
	var c check
	defer func() { s.finish(ctx, ViaHTTP, c, outcome(a, err), start) }()
	if c, err = s.parse(req); err != nil {
		return nil, err
	}
	a, _, err = s.run(ctx, c)
	return a, err
}

// outcome names what a request came to (see Observe).
func outcome(a *screening.Assessment, err error) string {
	var re *RequestError
	switch {
	case err == nil && a != nil:
		return string(a.Verdict)
	case errors.As(err, &re) && re.Code == 400:
		return OutcomeBadRequest
	case errors.As(err, &re) && re.Code == 404:
		return OutcomeNotFound
	}
	return OutcomeError
}

// finish logs an answered request and tells Observe about it.
func (s *ScreenService) finish(ctx context.Context, via string, c check, outcome string, start time.Time) {
	took := s.Now().Sub(start)
	attrs := []slog.Attr{slog.String("via", via), slog.String("outcome", outcome), slog.Duration("took", took)}
	if !c.org.IsZero() {
		attrs = append(attrs, slog.String("orgnr", c.org.Redacted()))
	}
	if c.opt.Purpose != "" {
		attrs = append(attrs, slog.String("purpose", c.opt.Purpose))
	}
	s.log().LogAttrs(ctx, slog.LevelInfo, "pre-award check", attrs...)
	if s.Observe != nil {
		s.Observe(via, outcome, took)
	}
}

// check is a validated request.
type check struct {
	org     ident.Org
	opt     screening.Options
	timeout time.Duration
}

// run runs a check and records it; it returns the assessment and its
// JSON as stored.
func (s *ScreenService) run(ctx context.Context, c check) (*screening.Assessment, []byte, error) {
	org, opt, timeout := c.org, c.opt, c.timeout
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	opt.At = s.Now()
	a, err := s.screen(ctx, org, opt)
	if err != nil {
		return nil, nil, err
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
			return nil, nil, err
		}
		if ferr != nil {
			s.log().WarnContext(ctx, "pre-award check: fetching fresh data failed", "orgnr", org.Redacted(), "sources", stale, "err", ferr)
			if errors.Is(ferr, context.DeadlineExceeded) {
				ferr = fmt.Errorf("not fetched within the request's deadline %s", timeout)
			}
			a.Reasons = append(a.Reasons, fmt.Sprintf("fresh data from %s could not be fetched: %v", strings.Join(stale, ", "), ferr))
		}
	}
	data, err := s.Screener.RecordJSON(a)
	if err != nil {
		return nil, nil, &RequestError{Code: 503, Msg: "the store is unavailable: " + err.Error()}
	}
	if a.NotRegistered {
		return a, data, &RequestError{Code: 404, Field: "orgnr", Msg: org.Redacted() + " is not in Bolagsverket's register (ORGANISATION_FINNS_EJ)"}
	}
	return a, data, nil
}

func (s *ScreenService) screen(ctx context.Context, org ident.Org, opt screening.Options) (*screening.Assessment, error) {
	as, err := s.Screener.Screen(ctx, []ident.Org{org}, opt)
	if err != nil || len(as) != 1 {
		return nil, &RequestError{Code: 503, Msg: fmt.Sprintf("screening %s failed: %v", org.Redacted(), err)}
	}
	return as[0], nil
}

// refreshable lists the sources with missing, stale or erroring data that
// the refresher can fetch.
func (s *ScreenService) refreshable(a *screening.Assessment) []string {
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

func (s *ScreenService) parseFields(req event.ScreenRequest) (ident.Org, screening.Options, time.Duration, error) {
	opt := screening.Options{Current: true, Trigger: screening.TriggerPreAward}
	if strings.TrimSpace(req.Orgnr) == "" {
		return ident.Org{}, opt, 0, badField("orgnr", "required")
	}
	org, err := ident.ParseOrgAt(req.Orgnr, s.Now().In(record.Stockholm))
	if err != nil {
		return ident.Org{}, opt, 0, badField("orgnr", "%v", err)
	}
	switch req.Purpose {
	case screening.Award, screening.Calloff, screening.Direct:
		opt.Purpose = req.Purpose
	case "":
		return org, opt, 0, badField("purpose", "required: award, calloff or direct")
	default:
		return org, opt, 0, badField("purpose", "%s is not award, calloff or direct", excerpt.Quote(req.Purpose))
	}
	if req.ValueSEK < 0 {
		return org, opt, 0, badField("value_sek", "must not be negative")
	}
	if req.Category != "" && !categoryToken(req.Category) {
		return org, opt, 0, badField("category", "%s is not a category id (lower-case letters, digits, _)", excerpt.Quote(req.Category))
	}
	if req.MaxAge != "" {
		if opt.MaxAge, err = ParseAge(req.MaxAge); err != nil || opt.MaxAge <= 0 {
			return org, opt, 0, badField("max_age", "%s is not a positive duration such as 36h or 7d", excerpt.Quote(req.MaxAge))
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
			return org, opt, 0, badField("timeout", "%s is not a duration between 0 and %s", excerpt.Quote(req.Timeout), maxT)
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
			return 0, fmt.Errorf("bad duration %s", excerpt.Quote(s))
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

// Wait waits for the checks in progress to be answered: after the micro
// service is stopped, none starts, and each ends within its deadline.
func (s *ScreenService) Wait() { s.inflight.Wait() }

// ServiceName and the endpoint's subject.
const ServiceName = "vaksam"

// Metadata of the service in $SRV.INFO: the public key its replies and
// Vaksam's events are signed with, its id, and the version of the signed
// form.
const (
	MetadataSigningKey   = "signing_key"    // sign.FormatPublicKey
	MetadataSigningKeyID = "signing_key_id" // sign.KeyID
	MetadataSignature    = "signature"      // sign.Version
)

// Start registers the micro service on nc.
func (s *ScreenService) Start(nc *nats.Conn) (micro.Service, error) {
	if s.Signer == nil {
		return nil, errors.New("bus: service: no signing key: replies are never sent unsigned")
	}
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
		Metadata: map[string]string{
			MetadataSigningKey:   sign.FormatPublicKey(s.Signer.PublicKey()),
			MetadataSigningKeyID: s.Signer.KeyID(),
			MetadataSignature:    sign.Version,
		},
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
			"reply_schema":   event.ScreenReplySchema,
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
// therefore covers validation only.) The request's id (RequestIDHeader,
// or a new one) is in the context the check runs with and on the reply.
func (s *ScreenService) handle(r micro.Request) {
	start := s.Now()
	id := logging.AcceptRequestID(r.Headers().Get(RequestIDHeader))
	ctx := logging.WithRequestID(context.Background(), id)
	refuse := func(c check, outcome string, err error) {
		s.respondErr(ctx, r, id, err)
		s.finish(ctx, ViaNATS, c, outcome, start)
	}
	var req event.ScreenRequest
	if err := strictjson.Decode(r.Data(), &req); err != nil {
		refuse(check{}, OutcomeBadRequest, badRequestJSON(err))
		return
	}
	c, err := s.parse(req)
	if err != nil {
		refuse(c, OutcomeBadRequest, err)
		return
	}
	select {
	case s.sem <- struct{}{}:
	default:
		refuse(c, OutcomeBusy, &RequestError{Code: 503, Msg: "too many checks in progress; try again"})
		return
	}
	s.inflight.Add(1)
	go func() {
		defer s.inflight.Done()
		defer func() { <-s.sem }()
		// The reply is the assessment's JSON as stored.
		a, data, err := s.run(ctx, c)
		defer func() { s.finish(ctx, ViaNATS, c, outcome(a, err), start) }()
		if err != nil {
			var re *RequestError
			if errors.As(err, &re) && re.Code == 404 && a != nil {
				s.reply(ctx, r, id, "404", re.Error(), event.ScreenReplySchema, data)
				return
			}
			s.respondErr(ctx, r, id, err)
			return
		}
		s.reply(ctx, r, id, "", "", event.ScreenReplySchema, data)
	}()
}

// reply sends a signed reply to request id: an assessment (code ""), or a
// refusal with its code and description and, for a 404, the assessment
// (schema event.ScreenReplySchema), else an event.ScreenError (schema
// event.ScreenErrorSchema).
func (s *ScreenService) reply(ctx context.Context, r micro.Request, id, code, desc, schema string, data []byte) {
	h := micro.Headers{
		RequestIDHeader:     {id},
		sign.HeaderSignedAt: {s.Now().UTC().Format(time.RFC3339Nano)},
	}
	if data != nil {
		h[event.HeaderSchema] = []string{schema}
	}
	if code != "" {
		// A header value is one line.
		desc = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(desc)
		h[micro.ErrorCodeHeader] = []string{code}
		h[micro.ErrorHeader] = []string{desc}
	}
	if err := s.Signer.Sign(event.ScreenSubject, h, data); err != nil {
		// Sent unsigned, which a caller refuses: it learns that
		// something is wrong rather than waiting for its timeout.
		s.log().ErrorContext(ctx, "pre-award check: signing the reply", "err", err)
	}
	var err error
	if code == "" {
		err = r.Respond(data, micro.WithHeaders(h))
	} else {
		err = r.Error(code, desc, data, micro.WithHeaders(h))
	}
	if err != nil {
		s.log().WarnContext(ctx, "pre-award check: reply", "err", err)
	}
}

// badRequestJSON names the field of a JSON decoding error, in JSON's
// words ("body" for the request as a whole, as the HTTP API says).
func badRequestJSON(err error) error {
	field, msg := strictjson.Problem(err)
	return badField(cmp.Or(field, "body"), "%s", msg)
}

// respondErr refuses the request: the micro error headers carry the code
// and the message, the body the same as an event.ScreenError (the HTTP
// API's error shape). An error other than a *RequestError is a 500.
func (s *ScreenService) respondErr(ctx context.Context, r micro.Request, id string, err error) {
	var re *RequestError
	if !errors.As(err, &re) {
		re = &RequestError{Code: 500, Msg: err.Error()}
	}
	data, _ := json.Marshal(event.ScreenError{Error: re.Error(), Field: re.Field}) // two strings: cannot fail
	s.reply(ctx, r, id, strconv.Itoa(re.Code), re.Error(), event.ScreenErrorSchema, data)
}
