package main

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/vaksam/vaksam/engine/bus"
)

func runWatch(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("watch", "watch [--nats URL] [--nats-nkey FILE] [--trust KEY] [--json] [--replay] [--count N] [SUBJECT]",
		"Prints Vaksam's events as they arrive: one line per message with its subject,\n"+
			"message id, per-organisation sequence and payload; --json prints one JSON\n"+
			"object per line (subject, headers, data) for scripts. SUBJECT defaults to\n"+
			"vaksam.> (every event: assessments, alerts, actions; never the records pushed\n"+
			"in or pre-award requests); e.g. 'vaksam.action.>' for the commands only, or\n"+
			"'vaksam.*.*.5591234561' for one organisation. --replay first prints what\n"+
			"the streams hold, then goes on live. It reads the streams with consumers of\n"+
			"its own: give a consumer's key (--nats-nkey) on a server with authorization.\n\n"+
			"Each event's signature is verified with the keys given by --trust (the public\n"+
			"key serve prints) and those of the configuration's signing section\n"+
			"(--config, or $VAKSAM_CONFIG and $VAKSAM_SIGNING_*): each line says whether it\n"+
			"verified. An event that does not is flagged NOT FROM VAKSAM, logged, and makes\n"+
			"the exit status 1. Without any trusted key nothing is verified, and watch\n"+
			"says so.")
	url := fs.String("nats", "nats://127.0.0.1:4222", "NATS server URL")
	creds := fs.String("nats-creds", "", "NATS credentials file (JWT)")
	nkey := fs.String("nats-nkey", "", "NATS NKey seed file: a consumer's key (serve --demo prints one)")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	replay := fs.Bool("replay", false, "print the streams' stored events first")
	count := fs.Int("count", 0, "exit after this many events (0: run until interrupted)")
	var trust keyList
	fs.Var(&trust, "trust", "a public key (ed25519:BASE64) events may be signed with; repeat or separate with commas")
	cfgPath := fs.String("config", "", "configuration file whose signing keys are trusted (default $VAKSAM_CONFIG)")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	keys, err := trustedKeys(*cfgPath, trust)
	if err != nil {
		return exitFailure, err
	}
	if keys.Len() == 0 {
		fmt.Fprintln(a.stderr, "vaksam watch: no trusted key (--trust, or the configuration's signing section): signatures are NOT checked")
	}
	subject := "vaksam.>"
	switch fs.NArg() {
	case 0:
	case 1:
		subject = fs.Arg(0)
	default:
		return exitUsage, usagef("one subject at most")
	}
	filters := bus.EventFilters(subject)
	if len(filters) == 0 {
		return exitUsage, usagef("%s matches no event subject (vaksam.assessment.>, vaksam.alert.>, vaksam.action.>)", subject)
	}
	nc, err := bus.Connect(bus.ConnectOptions{URL: *url, Name: "vaksam watch", CredsFile: *creds, NKeyFile: *nkey, Log: a.log})
	if err != nil {
		return exitFailure, err
	}
	defer nc.Close()
	a.log.Info("watching", "subject", subject, "replay", *replay)
	_, err = bus.Watch(ctx, nc, bus.WatchOptions{URL: *url, Filters: filters, Replay: *replay, Keys: keys, Count: *count, Log: a.log,
		Each: func(m *nats.Msg, v bus.Verified) error { return bus.WriteEvent(a.stdout, m, v, *asJSON) }})
	if err != nil {
		return exitFailure, err
	}
	return exitOK, nil
}
