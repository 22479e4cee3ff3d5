package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/sign"
	"github.com/vaksam/vaksam/rules"
)

func runServe(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("serve", "serve --data DIR [--config FILE] [--nats URL ...]",
		"Runs Vaksam: screens the store when it starts and on a schedule, re-screens\n"+
			"what new records change, opens and updates alerts, and publishes assessments,\n"+
			"alert changes and actions on NATS JetStream through an outbox that loses\n"+
			"nothing. Answers pre-award checks on the NATS micro service vaksam\n"+
			"(vaksam.screen) and stores records pushed on vaksam.ingest.<source>. With a\n"+
			"sources section in the configuration it keeps the watched organisations'\n"+
			"data fresh, as 'vaksam fetch' does.\n\n"+
			"Without --nats it starts an embedded nats-server with JetStream, its files in\n"+
			"DIR/nats, listening on --nats-listen (when that port is taken, on a free\n"+
			"port, printed at start). Its clients log in with the NKeys of the\n"+
			"configuration's nats.users (--demo makes keys for a consumer and an ingest\n"+
			"user and prints them). See docs/events.md.")
	data := fs.String("data", "", "data directory")
	cfgPath := fs.String("config", "", "configuration file")
	var nc settings.NATS
	fs.StringVar(&nc.URL, "nats", "", "URL(s) of an existing NATS server or cluster (comma separated); empty: embedded")
	fs.StringVar(&nc.Listen, "nats-listen", "", "address of the embedded server (default 127.0.0.1:4222)")
	fs.StringVar(&nc.CredsFile, "nats-creds", "", "NATS credentials file (JWT)")
	fs.StringVar(&nc.NKeyFile, "nats-nkey", "", "NATS NKey seed file")
	fs.StringVar(&nc.User, "nats-user", "", "NATS user; the password comes from the configuration or $VAKSAM_NATS_PASSWORD")
	fs.StringVar(&nc.CAFile, "nats-ca", "", "CA file to verify the NATS server's certificate")
	fs.StringVar(&nc.CertFile, "nats-cert", "", "client certificate for NATS (mutual TLS)")
	fs.StringVar(&nc.KeyFile, "nats-key", "", "client key for NATS (mutual TLS)")
	httpAddr := fs.String("http", "", "address of the web UI and API (default 127.0.0.1:8080, or the configuration's http.listen)")
	demo := fs.Bool("demo", false, "demo: a synthetic population, fake authorities and demo users with passwords printed at start")
	demoOrgs := fs.Int("demo-orgs", 2000, "organisations in the --demo population")
	every := fs.Duration("screen-every", 6*time.Hour, "screen the whole store this often (0: only at start and on changes)")
	timeout := fs.Duration("check-timeout", 2*time.Second, "default time a pre-award check may take")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	cfg, err := settings.Load(*cfgPath)
	if err != nil {
		return exitFailure, err
	}
	if !*demo {
		*data = cfg.DataDirOr(*data)
	}
	// A service logs at info unless configured otherwise; the demo, run in
	// a terminal to try the UI, only warnings.
	if a.newLog != nil {
		level := "info"
		if *demo {
			level = "warn"
		}
		if a.log, err = a.newLog(cfg.Log.Format, cmp.Or(cfg.Log.Level, level)); err != nil {
			return exitUsage, usagef("log: %v", err)
		}
	}
	// The configuration's serve section counts where no flag was given.
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["screen-every"] && cfg.Serve.ScreenEvery != 0 {
		*every = cfg.Serve.ScreenEvery
	}
	if !given["check-timeout"] && cfg.Serve.CheckTimeout != 0 {
		*timeout = cfg.Serve.CheckTimeout
	}
	nc = cfg.NATS.Override(nc)
	if nc.Password.Env == "" && nc.Password.File == "" && os.Getenv("VAKSAM_NATS_PASSWORD") != "" {
		nc.Password.Env = "VAKSAM_NATS_PASSWORD"
	}
	var d *demoSetup
	if *demo {
		if d, err = a.prepareDemo(ctx, *data, *demoOrgs, cfg); err != nil {
			return exitFailure, err
		}
		defer d.close()
		*data = d.data
		if nc.URL == "" && !nc.Anonymous {
			if d.nats, err = writeDemoCredentials(d.data); err != nil {
				return exitFailure, fmt.Errorf("demo: NATS keys: %w", err)
			}
		}
	}
	sc, dk, set, err := a.openScreenerDesk(cfg, *data, "")
	if err != nil {
		return failure(err)
	}
	var demoData string
	if d != nil {
		demoData = d.data
	}
	key, err := cfg.Signing.Signer(demoData)
	if err != nil {
		sc.Store.Close()
		return exitFailure, err
	}
	man := rules.NewManager(set, a.log)
	sc.Rules = man.Set
	s := &server{a: a, sc: sc, scr: service.NewScreening(sc, a.log), data: *data, cfg: cfg, cfgPath: *cfgPath, every: *every, httpAddr: *httpAddr, demo: d, signer: key}
	s.desk = dk // the web UI's desk, the one the screener saves through
	s.ops = newOps(s, man)
	s.ops.metrics.RulesLoaded(set, nil, a.now())
	if err := service.AuditRules(s.sc, s.a.now()); err != nil {
		sc.Store.Close()
		return exitFailure, err
	}
	code, err := s.run(ctx, nc, *timeout)
	if cerr := sc.Store.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return code, err
}

// server is a running `vaksam serve`.
type server struct {
	a       *app
	sc      *screening.Screener
	scr     *service.Screening // every screening and re-screening, one at a time
	desk    *review.Desk
	data    string
	cfg     *settings.Config
	cfgPath string
	every   time.Duration
	ops     *ops

	httpAddr string
	demo     *demoSetup   // nil unless --demo
	signer   *sign.Signer // signs every event and pre-award reply

	embedded *bus.Server
	conn     *nats.Conn
	pub      *bus.Publisher
}

func (s *server) run(ctx context.Context, ncfg settings.NATS, timeout time.Duration) (int, error) {
	life := &service.Lifecycle{Log: s.a.log}
	defer life.Stop(context.Background()) // what started, when a later start fails
	url, key, err := s.startNATS(ncfg)
	if err != nil {
		return exitFailure, err
	}
	if s.embedded != nil {
		life.Add("nats server", func(context.Context) error { s.embedded.Shutdown(); return nil })
	}
	opts := bus.ConnectOptions{URL: url, Name: "vaksam", CredsFile: ncfg.CredsFile, NKeyFile: ncfg.NKeyFile, NKey: key,
		User: ncfg.User, CAFile: ncfg.CAFile, CertFile: ncfg.CertFile, KeyFile: ncfg.KeyFile, Log: s.a.log}
	if ncfg.Password.IsSet() {
		if opts.Password, err = ncfg.Password.Value("nats.password"); err != nil {
			return exitFailure, err
		}
	}
	if ncfg.Token.IsSet() {
		if opts.Token, err = ncfg.Token.Value("nats.token"); err != nil {
			return exitFailure, err
		}
	}
	conn, err := bus.Connect(opts)
	if err != nil {
		return exitFailure, err
	}
	s.conn = conn
	life.Add("nats connection", func(context.Context) error { conn.Close(); return nil })
	js, err := jetstream.New(conn)
	if err != nil {
		return exitFailure, fmt.Errorf("jetstream: %w", err)
	}
	persons, err := pseudonymizer(s.data)
	if err != nil {
		return exitFailure, err
	}

	// The publisher runs until everything started after it has stopped,
	// then drains the outbox.
	pubCtx, stopPub := context.WithCancel(context.Background())
	s.pub = &bus.Publisher{Store: s.sc.Store, JS: js, Signer: s.signer, Log: s.a.log}
	pubDone := make(chan error, 1)
	go func() { pubDone <- s.pub.Run(pubCtx) }()
	life.Add("outbox publisher", func(context.Context) error {
		stopPub()
		if err := <-pubDone; err != nil {
			s.a.log.Error("outbox publisher", "err", err)
		}
		dctx, cancel := context.WithTimeout(context.Background(), cmp.Or(s.cfg.Serve.ShutdownTimeout, settings.DefaultShutdownTimeout))
		defer cancel()
		if err := s.pub.Drain(dctx); err != nil {
			s.a.log.Warn("outbox not drained; it is published at the next start", "waiting", s.sc.Store.OutboxDepth(), "err", err)
		}
		return nil
	})

	var refresher bus.Refresher
	if s.cfg.Sources.Configured() {
		f := s.a.fetcher(s.scr, persons, s.cfg.Sources, s.data)
		f.Observe, f.Ingested = s.ops.metrics.Attempt, s.ops.metrics.Ingested
		f.Rescreened = func(x *screening.Assessment) {
			s.a.log.Info("re-screened", "orgnr", screening.DisplayOrg(x.Orgnr, s.a.clock.Now()), "step", x.Step, "verdict", x.Verdict, "score", x.Score)
		}
		if err := f.Setup(); err != nil {
			return exitFailure, err
		}
		refresher = f.Runner()
		life.Go(ctx, "fetch", f.Run)
	}
	svc := &bus.ScreenService{Screener: s.sc, Signer: s.signer, Refresher: refresher, Now: s.a.now, Timeout: timeout, Version: thisBuild().Version, Log: s.a.log,
		Status: func() any { st, _ := s.outbox(); return st }, Observe: s.ops.metrics.PreAward}
	micro, err := svc.Start(conn)
	if err != nil {
		return exitFailure, err
	}
	life.Add("pre-award service", func(context.Context) error {
		if err := micro.Stop(); err != nil {
			s.a.log.Warn("service stop", "err", err)
		}
		svc.Wait() // pre-award checks in progress are answered
		return nil
	})
	users, tokens := s.cfg.Users, s.cfg.Tokens
	if s.demo != nil {
		users = append(users, s.demo.users...)
	}
	webURL, stopHTTP, err := s.startHTTP(s.httpAddr, users, tokens, svc)
	if err != nil {
		return exitFailure, err
	}
	life.Add("web server", func(context.Context) error { stopHTTP(); return nil })
	// Local operations (an online backup) on a Unix socket in the data
	// directory, which only the data directory's owner can reach.
	stopControl, err := serveControl(ctx, s.data, s.sc.Store, s.a.now, s.a.log)
	if err != nil {
		return exitFailure, err
	}
	life.Add("control socket", func(context.Context) error { stopControl(); return nil })
	in := &bus.Ingest{JS: js, Ingester: &ingest.Ingester{Store: s.sc.Store, Observe: s.ops.metrics.Ingested, Log: s.a.log, Limits: s.cfg.Sources.FormatLimits()}, Persons: persons, Log: s.a.log,
		Stored: func(ctx context.Context, items []record.Item) { s.rescreen(ctx, items) }}
	life.Go(ctx, "ingest", in.Run)
	life.Go(ctx, "screening", s.screenLoop)
	life.Go(ctx, "outbox report", s.reportOutbox)
	life.Go(ctx, "source status", func(ctx context.Context) error {
		return s.ops.statusLoop(ctx, cmp.Or(s.cfg.Serve.StatusEvery, settings.DefaultStatusEvery))
	})
	life.Go(ctx, "value-log gc", func(ctx context.Context) error {
		return s.ops.gcLoop(ctx, cmp.Or(s.cfg.Serve.GCEvery, settings.DefaultGCEvery))
	})
	life.Go(ctx, "reload on SIGHUP", s.reloadOnHangup)

	url = bus.RedactURL(url) // printed: without its password or token
	access, creds := "clients log in with NKeys (nats.users)", " --nats-nkey CONSUMER.nk"
	switch {
	case ncfg.URL != "":
		access = "the server's own authorization"
	case ncfg.Anonymous:
		access, creds = "no authorization: anyone who reaches it may do anything", ""
	case s.demo != nil && len(s.demo.nats) > 0:
		access, creds = "clients log in with the NKeys below", " --nats-nkey "+s.demo.nats[0].file
	}
	fmt.Fprintf(s.a.stdout, "vaksam serving\n  web:         %s/  (API %s/api/v1/, described at %s/api/v1/openapi.yaml)\n  NATS:        %s (JetStream streams VAKSAM_*; %s)\n  pre-award:   vaksam check --nats %s%s ORGNR   (service vaksam, subject vaksam.screen)\n  events:      vaksam watch --nats %s%s\n  data:        %s\n",
		webURL, webURL, webURL, url, access, url, creds, url, creds, s.data)
	fmt.Fprintf(s.a.stdout, "  signing key: %s\n               consumers verify with it, vaksam check and vaksam watch too: --trust %s\n",
		s.signer.Description(), sign.FormatPublicKey(s.signer.PublicKey()))
	if s.cfg.OIDC != nil {
		fmt.Fprintf(s.a.stdout, "  sign-in:     single sign-on at %s, beside the users\n", s.cfg.OIDC.Issuer)
	}
	if s.demo != nil {
		if len(s.demo.nats) > 0 {
			printDemoCredentials(s.a.stdout, url, s.demo.nats)
		}
		s.demo.printLogins(s.a.stdout)
	}

	<-ctx.Done()
	// Stop intake, finish what runs, then publish what waits: the parts
	// in the reverse order of their start.
	fmt.Fprintln(s.a.stdout, "vaksam stopping: finishing work and draining the outbox")
	if err := life.Stop(context.Background()); err != nil {
		s.a.log.Error("stopping", "err", err)
	}
	return exitOK, nil
}

// startNATS starts the embedded server unless a URL is configured, and
// returns the URL to connect to and, for the embedded server, Vaksam's own
// key: made at every start, held in memory only.
func (s *server) startNATS(c settings.NATS) (string, nkeys.KeyPair, error) {
	if c.URL != "" {
		return c.URL, nil, nil
	}
	listen := c.Listen
	if listen == "" {
		listen = "127.0.0.1:4222"
	}
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return "", nil, fmt.Errorf("nats-listen %q: %w", listen, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", nil, fmt.Errorf("nats-listen %q: bad port", listen)
	}
	if c.Listen == "" && !bus.PortFree(host, port) {
		s.a.log.Warn("port 4222 is taken (another NATS server?); the embedded server listens on a free port", "address", listen)
		port = -1
	}
	dir := filepath.Join(s.data, "nats")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", nil, err
	}
	key, err := nkeys.CreateUser()
	if err != nil {
		return "", nil, err
	}
	pub, err := key.PublicKey()
	if err != nil {
		return "", nil, err
	}
	users := c.BusUsers()
	if s.demo != nil {
		for _, d := range s.demo.nats {
			users = append(users, d.user)
		}
	}
	if len(users) == 0 && !c.Anonymous {
		s.a.log.Info("NATS: no client may log in but Vaksam: give consumers and ingest users keys in nats.users (vaksam config nkey)")
	}
	srv, err := bus.StartServer(bus.ServerOptions{Dir: dir, Host: host, Port: port, Name: "vaksam", Log: s.a.log,
		Vaksam: pub, Users: users, Anonymous: c.Anonymous})
	if err != nil {
		return "", nil, err
	}
	s.embedded = srv
	return srv.URL(), key, nil
}

func (s *server) outbox() (bus.OutboxStatus, error) {
	return s.pub.Status(s.a.now(), s.conn.IsConnected())
}

// reportOutbox logs the outbox every minute while events wait.
func (s *server) reportOutbox(ctx context.Context) error {
	for s.a.clock.Sleep(ctx, time.Minute) == nil {
		st, err := s.outbox()
		switch {
		case err != nil:
			s.a.log.Error("outbox", "err", err)
		case st.Depth > 0:
			s.a.log.Warn("outbox: events waiting", "depth", st.Depth, "oldest_age_seconds", st.OldestAge,
				"nats_connected", st.Connected, "last_error", st.LastError)
		}
	}
	return nil
}

// screenLoop screens the whole store at start and then every s.every.
func (s *server) screenLoop(ctx context.Context) error {
	for {
		s.screenAll(ctx, screening.TriggerSchedule)
		if s.every <= 0 {
			<-ctx.Done()
			return nil
		}
		if err := s.a.clock.Sleep(ctx, s.every); err != nil {
			return nil
		}
	}
}

func (s *server) screenAll(ctx context.Context, trigger string) {
	n, took, err := s.scr.ScreenAll(ctx, trigger, s.a.now())
	if err != nil && !errors.Is(err, context.Canceled) {
		s.a.log.Error("screening", "err", err)
		return
	}
	if err == nil {
		s.ops.metrics.ScreenedAll(took)
	}
	s.a.log.Info("screened the store", "trigger", trigger, "organisations", n, "took", took, "outbox", s.sc.Store.OutboxDepth())
}

// rescreen screens the organisations new record versions concern.
func (s *server) rescreen(ctx context.Context, items []record.Item) {
	if _, err := s.scr.Rescreen(ctx, items, s.a.now()); err != nil {
		s.a.log.Error("re-screening", "err", err)
	}
}
