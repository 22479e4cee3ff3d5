package service

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/metrics"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/shadow"
	"github.com/vaksam/vaksam/engine/sign"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// Options are what a running Vaksam is made of. The command resolves its
// flags against the configuration and gives the result here.
type Options struct {
	Data       string           // the data directory
	Config     *settings.Config // the configuration
	ConfigPath string           // what a reload reads again ("": $VAKSAM_CONFIG or none)
	// NATS is the NATS section in force: the configuration's with the
	// command line's overrides.
	NATS settings.NATS
	// HTTPAddr is where the web UI and API listen; "" the configuration's
	// http.listen, else 127.0.0.1:8080 (a free port when that is taken).
	HTTPAddr string
	// ScreenEvery is how often the scheduled screening runs (0: only at
	// start, on changes and at reloads); CheckTimeout the default time a
	// pre-award check may take.
	ScreenEvery, CheckTimeout time.Duration

	// OpenStore opens the data directory's store; nil: CreateStore(Data).
	OpenStore func() (*store.Store, error)
	// Signer returns the key that signs every event and pre-award reply;
	// it is asked once the store is open.
	Signer func() (*sign.Signer, error)
	// Persons returns the data directory's person pseudonymizer (nil:
	// DataPseudonymizer).
	Persons func(data string) (record.Pseudonymizer, error)
	// BackupFiles returns the files a backup of the data directory carries
	// beside the store (the control socket's online backup).
	BackupFiles func(data string) (map[string][]byte, error)
	// Reload, when it delivers, reloads the rule pack and thresholds (the
	// command sends SIGHUP here).
	Reload <-chan os.Signal

	// Users, Tokens and NATSUsers are added to the configuration's
	// users, tokens and nats.users (the demo's).
	Users     []access.User
	Tokens    []access.Token
	NATSUsers []bus.User

	Clock    connectors.Clock // what every part reads the time from and waits on
	HTTP     *http.Client     // the connectors' base HTTP client; nil: the default
	Log      *slog.Logger
	Out      io.Writer // what the bulk import reports
	Progress *os.File  // a bulk import's progress
	Build    metrics.Build
	Version  string // the build's: the pre-award service's and the served OpenAPI document's
}

// Vaksam is a running Vaksam: the screening over the store, the embedded
// NATS server or a connection to one, the outbox publisher, the pre-award
// service, the web server, the control socket, the NATS ingest, the
// fetches and the loops that screen, report and collect garbage. Open
// readies it, Start starts its parts in order, Stop stops them in the
// reverse order and closes the store.
type Vaksam struct {
	opts Options
	cfg  *settings.Config
	log  *slog.Logger

	sc     *screening.Screener
	scr    *Screening // every screening and re-screening, one at a time
	desk   *review.Desk
	rules  *rules.Manager
	signer *sign.Signer
	ops    *ops
	life   Lifecycle

	shadow *shadow.Runner // the candidate pack in shadow, if any
	// preAward carries the pre-award checks' live results to the shadow.
	preAward chan preAwardCheck

	embedded *bus.Server
	key      nkeys.KeyPair // Vaksam's own on the embedded server
	conn     *nats.Conn
	pub      *bus.Publisher
	end      Endpoints
}

// Endpoints are where a started Vaksam is reached.
type Endpoints struct {
	Web  string // the web UI's base URL; the API is below /api/v1/
	NATS string // the NATS URL(s), without a password or token
	// NATSAccess is how NATS clients log in: NATSExternal (the server's
	// own authorization), NATSAnonymous or NATSNKeys (the embedded
	// server's nats.users).
	NATSAccess string
	Data       string
	Signer     *sign.Signer
	SSOIssuer  string // the single sign-on provider, or ""
}

// How NATS clients log in.
const (
	NATSExternal  = "external"
	NATSAnonymous = "anonymous"
	NATSNKeys     = "nkeys"
)

// Open reads the rules and thresholds, opens the store and the screener
// with its review desk, gets the signing key, makes the metrics and
// readiness, and writes a change of the running rules to the audit trail.
// After Open, Stop closes the store, whether Start ran or not.
func Open(o Options) (*Vaksam, error) {
	if o.Persons == nil {
		o.Persons = DataPseudonymizer
	}
	if o.BackupFiles == nil {
		o.BackupFiles = BackupFiles
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.OpenStore == nil {
		o.OpenStore = func() (*store.Store, error) { return CreateStore(o.Data, o.Log) }
	}
	v := &Vaksam{opts: o, cfg: o.Config, log: o.Log}
	v.life.Log = o.Log
	// A pack promoted from shadow runs in place of rule_path and the
	// built-in pack (shadow.PromotedPath).
	sc, desk, set, err := OpenScreener(o.Config, shadow.PromotedPath(o.Data), o.OpenStore, o.Log)
	if err != nil {
		return nil, err
	}
	v.life.Add("store", func(context.Context) error { return sc.Store.Close() })
	fail := func(err error) (*Vaksam, error) {
		v.life.Stop(context.Background())
		return nil, err
	}
	if v.signer, err = o.Signer(); err != nil {
		return fail(err)
	}
	v.rules = rules.NewManager(set, o.Log)
	sc.Rules = v.rules.Set
	v.sc, v.desk, v.scr = sc, desk, NewScreening(sc, o.Log)
	v.ops = newOps(v)
	v.ops.metrics.RulesLoaded(set, nil, v.now())
	if err := AuditRules(sc, v.now()); err != nil {
		return fail(err)
	}
	if err := v.openShadow(); err != nil {
		return fail(err)
	}
	return v, nil
}

func (v *Vaksam) now() time.Time { return v.opts.Clock.Now() }

// Start starts the parts in order: NATS, the outbox publisher, the
// fetches, the pre-award service, the web server, the control socket, the
// NATS ingest and the loops; those running on ctx stop when it ends. When
// a part fails to start, Start returns its error; Stop stops those
// started before it.
func (v *Vaksam) Start(ctx context.Context) error {
	o, life := v.opts, &v.life
	url, err := v.startNATS()
	if err != nil {
		return err
	}
	copts, err := v.connectOptions(url)
	if err != nil {
		return err
	}
	conn, err := bus.Connect(copts)
	if err != nil {
		return err
	}
	v.conn = conn
	life.Add("nats connection", func(context.Context) error { conn.Close(); return nil })
	js, err := jetstream.New(conn)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	persons, err := o.Persons(o.Data)
	if err != nil {
		return err
	}
	v.startPublisher(js)

	var refresher bus.Refresher
	if v.cfg.Sources.Configured() {
		f := &Fetcher{Screening: v.scr, Persons: persons, Clock: o.Clock, Sources: v.cfg.Sources, Data: o.Data, HTTP: o.HTTP,
			Log: v.log, Out: o.Out, Progress: o.Progress, Observe: v.ops.metrics.Attempt, Ingested: v.ops.metrics.Ingested}
		f.Rescreened = func(x *screening.Assessment) {
			v.log.Info("re-screened", "orgnr", screening.DisplayOrg(x.Orgnr, v.now()), "step", x.Step, "verdict", x.Verdict, "score", x.Score)
		}
		if err := f.Setup(); err != nil {
			return err
		}
		refresher = f.Runner()
		life.Go(ctx, "fetch", f.Run)
	}
	// The market statistics' book in memory before the first check: its
	// first check costs what the others do.
	if err := v.sc.Store.WarmMarket(ctx); err != nil {
		return err
	}
	svc := &bus.ScreenService{Screener: v.sc, Signer: v.signer, Refresher: refresher, Now: v.now, Timeout: o.CheckTimeout,
		Version: o.Version, Log: v.log, Status: func() any { st, _ := v.outbox(); return st }, Observe: v.ops.metrics.PreAward}
	micro, err := svc.Start(conn)
	if err != nil {
		return err
	}
	life.Add("pre-award service", func(context.Context) error {
		if err := micro.Stop(); err != nil {
			v.log.Warn("service stop", "err", err)
		}
		svc.Wait() // pre-award checks in progress are answered
		return nil
	})
	webURL, stopHTTP, err := v.startHTTP(svc, persons)
	if err != nil {
		return err
	}
	life.Add("web server", func(context.Context) error { stopHTTP(); return nil })
	// Local operations (an online backup) on a Unix socket in the data
	// directory, which only the data directory's owner can reach.
	stopControl, err := ServeControl(ctx, o.Data, v.sc.Store, v.now, v.log, func() (map[string][]byte, error) { return o.BackupFiles(o.Data) })
	if err != nil {
		return err
	}
	life.Add("control socket", func(context.Context) error { stopControl(); return nil })
	in := &bus.Ingest{JS: js, Persons: persons, Log: v.log,
		Ingester: &ingest.Ingester{Store: v.sc.Store, Observe: v.ops.metrics.Ingested, Log: v.log, Limits: v.cfg.Sources.FormatLimits()},
		Stored:   func(ctx context.Context, items []record.Item) { v.rescreen(ctx, items) }}
	life.Go(ctx, "ingest", in.Run)
	life.Go(ctx, "screening", v.screenLoop)
	life.Go(ctx, "shadow pre-award", v.shadowPreAward)
	life.Go(ctx, "outbox report", v.reportOutbox)
	life.Go(ctx, "source status", func(ctx context.Context) error {
		return v.ops.statusLoop(ctx, cmp.Or(v.cfg.Serve.StatusEvery, settings.DefaultStatusEvery))
	})
	life.Go(ctx, "value-log gc", func(ctx context.Context) error {
		return v.ops.gcLoop(ctx, cmp.Or(v.cfg.Serve.GCEvery, settings.DefaultGCEvery))
	})
	life.Go(ctx, "retention", func(ctx context.Context) error {
		return RunRetention(ctx, v.desk, v.cfg.Retention, o.Clock, v.log)
	})
	if o.Reload != nil {
		life.Go(ctx, "reload", v.reloadOn)
	}

	v.end = Endpoints{Web: webURL, NATS: bus.RedactURL(url), NATSAccess: NATSNKeys, Data: o.Data, Signer: v.signer}
	switch {
	case o.NATS.URL != "":
		v.end.NATSAccess = NATSExternal
	case o.NATS.Anonymous:
		v.end.NATSAccess = NATSAnonymous
	}
	if v.cfg.OIDC != nil {
		v.end.SSOIssuer = v.cfg.OIDC.Issuer
	}
	return nil
}

// Endpoints are where the started Vaksam is reached.
func (v *Vaksam) Endpoints() Endpoints { return v.end }

// Stop stops intake, finishes what runs, publishes what waits and closes
// the store: the parts in the reverse order of their start, each once.
func (v *Vaksam) Stop(ctx context.Context) error { return v.life.Stop(ctx) }

// startPublisher runs the outbox publisher until everything started after
// it has stopped; then it drains the outbox.
func (v *Vaksam) startPublisher(js jetstream.JetStream) {
	pubCtx, stopPub := context.WithCancel(context.Background())
	v.pub = &bus.Publisher{Store: v.sc.Store, JS: js, Signer: v.signer, Log: v.log}
	pubDone := make(chan error, 1)
	go func() {
		err := v.pub.Run(pubCtx)
		if err != nil { // said when it happens, not only at the stop
			v.log.Error("outbox publisher stopped: events wait until the next start", "err", err, "waiting", v.sc.Store.OutboxDepth())
		}
		pubDone <- err
	}()
	v.life.Add("outbox publisher", func(context.Context) error {
		stopPub()
		<-pubDone
		dctx, cancel := context.WithTimeout(context.Background(), cmp.Or(v.cfg.Serve.ShutdownTimeout, settings.DefaultShutdownTimeout))
		defer cancel()
		if err := v.pub.Drain(dctx); err != nil {
			v.log.Warn("outbox not drained; it is published at the next start", "waiting", v.sc.Store.OutboxDepth(), "err", err)
		}
		return nil
	})
}

func (v *Vaksam) outbox() (bus.OutboxStatus, error) {
	return v.pub.Status(v.now(), v.conn.IsConnected())
}

// reportOutbox logs the outbox every minute while events wait.
func (v *Vaksam) reportOutbox(ctx context.Context) error {
	for v.opts.Clock.Sleep(ctx, time.Minute) == nil {
		st, err := v.outbox()
		switch {
		case err != nil:
			v.log.Error("outbox", "err", err)
		case st.Depth > 0:
			v.log.Warn("outbox: events waiting", "depth", st.Depth, "oldest_age_seconds", st.OldestAge,
				"nats_connected", st.Connected, "last_error", st.LastError)
		}
	}
	return nil
}

// screenLoop screens what serve.screen_scope says at start and then
// every ScreenEvery (screenScheduled).
func (v *Vaksam) screenLoop(ctx context.Context) error {
	for {
		v.screenScheduled(ctx, screening.TriggerSchedule)
		if v.opts.ScreenEvery <= 0 {
			<-ctx.Done()
			return nil
		}
		if err := v.opts.Clock.Sleep(ctx, v.opts.ScreenEvery); err != nil {
			return nil
		}
	}
}

// rescreen screens the organisations new record versions concern.
func (v *Vaksam) rescreen(ctx context.Context, items []record.Item) {
	if _, err := v.scr.Rescreen(ctx, items, v.now()); err != nil && ctx.Err() == nil {
		v.log.Error("re-screening", "err", err) // stopping cancels it: not an error
	}
}
