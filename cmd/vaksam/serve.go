package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/demo"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/sign"
	"github.com/vaksam/vaksam/engine/store"
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
	isDemo := fs.Bool("demo", false, "demo: a synthetic population, fake authorities and demo users with passwords printed at start")
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
	if !*isDemo {
		*data = cfg.DataDirOr(*data)
	}
	// A service logs at info unless configured otherwise; the demo, run in
	// a terminal to try the UI, only warnings.
	if a.newLog != nil {
		level := "info"
		if *isDemo {
			level = "warn"
		}
		if a.log, err = a.newLog(cfg.Log.Format, cmp.Or(cfg.Log.Level, level)); err != nil {
			return exitUsage, usagef("log: %v", err)
		}
	}
	// The configuration's serve section counts where no flag was given.
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	*every, *timeout = cfg.Serve.Flags(given, *every, *timeout)
	nc = cfg.NATS.Override(nc)
	var d *demo.Demo
	if *isDemo {
		t0 := time.Now()
		d, err = demo.Prepare(ctx, demo.Options{Data: *data, Orgs: *demoOrgs, NATSKeys: nc.URL == "" && !nc.Anonymous, Clock: a.clock, Log: a.log}, cfg)
		if err != nil {
			return exitFailure, err
		}
		defer d.Close()
		if d.Built {
			fmt.Fprintf(a.stdout, "demo: %d synthetic suppliers, %d records, in %s\n", d.Orgs, d.Records, since(t0))
		}
		*data = d.Data
	}
	opts := service.Options{Data: *data, Config: cfg, ConfigPath: *cfgPath, NATS: nc, HTTPAddr: *httpAddr, ScreenEvery: *every, CheckTimeout: *timeout,
		OpenStore: func() (*store.Store, error) {
			return openLoggedStore(cfg.DataDirOr(*data), dataDirFrom(*data, cfg.DataDir), a.log)
		},
		Signer: func() (*sign.Signer, error) { return cfg.Signing.Signer(demoData(d)) },
		Clock:  a.clock, HTTP: a.http, Log: a.log, Out: a.stdout, Progress: os.Stderr, Build: thisBuild().Metrics(), Version: thisBuild().Version}
	if d != nil {
		opts.Users, opts.Tokens, opts.NATSUsers = d.Users, d.Tokens, d.NATSUsers()
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	opts.Reload = hup
	svc, err := service.Open(opts)
	if err != nil {
		return failure(err)
	}
	if err := svc.Start(ctx); err != nil {
		svc.Stop(context.Background())
		return exitFailure, err
	}
	printServing(a.stdout, svc.Endpoints(), d)
	<-ctx.Done()
	fmt.Fprintln(a.stdout, "vaksam stopping: finishing work and draining the outbox")
	return exitOK, svc.Stop(context.Background())
}

// demoData is the demo's data directory, "" without --demo.
func demoData(d *demo.Demo) string {
	if d == nil {
		return ""
	}
	return d.Data
}

// printServing prints where the running Vaksam is reached.
func printServing(w io.Writer, e service.Endpoints, d *demo.Demo) {
	access, creds := "clients log in with NKeys (nats.users)", " --nats-nkey CONSUMER.nk"
	switch {
	case e.NATSAccess == service.NATSExternal:
		access = "the server's own authorization"
	case e.NATSAccess == service.NATSAnonymous:
		access, creds = "no authorization: anyone who reaches it may do anything", ""
	case d != nil && len(d.NATS) > 0:
		access, creds = "clients log in with the NKeys below", " --nats-nkey "+d.NATS[0].File
	}
	url := e.NATS
	fmt.Fprintf(w, "vaksam serving\n  web:         %s/  (API %s/api/v1/, described at %s/api/v1/openapi.yaml)\n  NATS:        %s (JetStream streams VAKSAM_*; %s)\n  pre-award:   vaksam check --nats %s%s ORGNR   (service vaksam, subject vaksam.screen)\n  events:      vaksam watch --nats %s%s\n  data:        %s\n",
		e.Web, e.Web, e.Web, url, access, url, creds, url, creds, e.Data)
	fmt.Fprintf(w, "  signing key: %s\n               consumers verify with it, vaksam check and vaksam watch too: --trust %s\n",
		e.Signer.Description(), sign.FormatPublicKey(e.Signer.PublicKey()))
	if e.SSOIssuer != "" {
		fmt.Fprintf(w, "  sign-in:     single sign-on at %s, beside the users\n", e.SSOIssuer)
	}
	if d == nil {
		return
	}
	if len(d.NATS) > 0 {
		fmt.Fprintln(w, "  demo NATS keys (NKey seeds, new at every start; anonymous clients are refused):")
		for _, c := range d.NATS {
			switch c.User.Role {
			case bus.RoleConsumer:
				fmt.Fprintf(w, "    %-22s %s   (reads events, asks pre-award checks)\n", c.User.Name, c.File)
				fmt.Fprintf(w, "      vaksam check --nats %s --nats-nkey %s ORGNR\n", url, c.File)
				fmt.Fprintf(w, "      vaksam watch --nats %s --nats-nkey %s --replay\n", url, c.File)
				fmt.Fprintf(w, "      nats --server %s --nkey %s req vaksam.screen '{\"orgnr\":\"ORGNR\",\"purpose\":\"award\"}'\n", url, c.File)
			case bus.RoleIngest:
				fmt.Fprintf(w, "    %-22s %s   (pushes vaksam.ingest.%s only)\n", c.User.Name, c.File, c.User.Source)
				fmt.Fprintf(w, "      nats --server %s --nkey %s pub vaksam.ingest.%s --header Vaksam-Observed:YYYY-MM-DD --force-stdin < extract.jsonl\n", url, c.File, c.User.Source)
			}
		}
	}
	fmt.Fprintf(w, "  demo API token (new at every start; role %s, for an ordering system's pre-award checks):\n    %-22s %s\n", d.Tokens[0].Roles[0], d.Tokens[0].ID, d.Bearer)
	fmt.Fprintf(w, "      curl -sS -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{\"orgnr\":\"ORGNR\",\"purpose\":\"award\"}' %s/api/v1/screen\n", d.Bearer, e.Web)
	fmt.Fprintln(w, "  demo logins (new passwords at every start):")
	for _, u := range d.Users {
		fmt.Fprintf(w, "    %-11s %s   (%s)\n", u.ID, d.Passwords[u.ID], u.Roles[0].Label())
	}
}
