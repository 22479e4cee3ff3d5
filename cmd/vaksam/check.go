package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/logging"
	"github.com/vaksam/vaksam/engine/screening"
)

// Exit codes of check: the verdict, for scripts.
const (
	exitReview = 4
	exitBlock  = 5
)

func runCheck(ctx context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("check", "check [--nats URL] [--trust KEY] [--purpose award|calloff|direct] [flags] ORGNR",
		"Asks a running 'vaksam serve' for a pre-award check over NATS (the service\n"+
			"vaksam, endpoint vaksam.screen), as an ordering or procurement system would,\n"+
			"and prints the answer. Exit status: 0 clear, 4 review, 5 block, 1 on an\n"+
			"error (a 404 when Bolagsverket does not know the organisation).\n"+
			"The request carries an id (header Vaksam-Request-Id) that the service logs;\n"+
			"--verbose prints it, and so does every error.\n\n"+
			"The reply must be signed by Vaksam for this request: its signature is verified\n"+
			"with the keys given by --trust (the public key serve prints) and those of the\n"+
			"configuration's signing section (--config, or $VAKSAM_CONFIG and\n"+
			"$VAKSAM_SIGNING_*). A reply that does not verify is an error (exit 1), never a\n"+
			"verdict; without any trusted key check refuses to ask.")
	url := fs.String("nats", "nats://127.0.0.1:4222", "NATS server URL")
	creds := fs.String("nats-creds", "", "NATS credentials file (JWT)")
	nkey := fs.String("nats-nkey", "", "NATS NKey seed file: a consumer's key (serve --demo prints one)")
	purpose := fs.String("purpose", screening.Award, "award, calloff or direct")
	category := fs.String("category", "", "permit category, e.g. hvb_barn")
	value := fs.Int64("value-sek", 0, "the purchase's value in SEK")
	maxAge := fs.String("max-age", "", "fetch data older than this (36h, 7d) fresh")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	asJSON := fs.Bool("json", false, "print the assessment as JSON")
	verbose := fs.Bool("verbose", false, "print the request id (to standard error)")
	var trust keyList
	fs.Var(&trust, "trust", "a public key (ed25519:BASE64) the reply may be signed with; repeat or separate with commas")
	cfgPath := fs.String("config", "", "configuration file whose signing keys are trusted (default $VAKSAM_CONFIG)")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() != 1 {
		return exitUsage, usagef("one organisation number")
	}
	keys, err := trustedKeys(*cfgPath, trust)
	if err != nil {
		return exitFailure, err
	}
	if keys.Len() == 0 {
		return exitUsage, usagef("no trusted key to verify the answer with: give --trust ed25519:… (the public key serve prints), or --config with a signing section")
	}
	nc, err := bus.Connect(bus.ConnectOptions{URL: *url, Name: "vaksam check", CredsFile: *creds, NKeyFile: *nkey, Once: true, Log: a.log})
	if err != nil {
		return exitFailure, err
	}
	defer nc.Close()
	id := logging.NewRequestID()
	if *verbose {
		fmt.Fprintf(a.stderr, "request id: %s\n", id)
	}
	req := event.ScreenRequest{Orgnr: fs.Arg(0), Purpose: *purpose, Category: *category, ValueSEK: *value, MaxAge: *maxAge}
	x, keyID, err := bus.AskScreen(ctx, nc, keys, req, id, *timeout)
	var refused *bus.Refused
	if errors.As(err, &refused) && refused.BadRequest() {
		return exitUsage, usagef("%s (request id %s)", refused.Description, id)
	} else if err != nil {
		return exitFailure, err
	}
	if *asJSON {
		if err := screening.WriteJSON(a.stdout, x); err != nil {
			return exitFailure, err
		}
	} else {
		// The number as given may carry the century a reply's 10 digits lack.
		now := a.now()
		known, _ := orgArgs(fs.Args(), now)
		screening.WriteAssessment(a.stdout, x, now, known...)
	}
	fmt.Fprintf(a.stderr, "signature verified: Vaksam's answer to this request, signed by key %s\n", keyID)
	switch x.Verdict {
	case screening.Clear:
		return exitOK, nil
	case screening.Block:
		return exitBlock, nil
	}
	return exitReview, nil
}
