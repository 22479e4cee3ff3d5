package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/nats-io/nkeys"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/record"
)

// natsCredential is a demo client's key, its seed in a file.
type natsCredential struct {
	user bus.User
	file string
}

// demoIngestSource is the source the demo's ingest user pushes.
const demoIngestSource = record.Kronofogden

// writeDemoCredentials makes the keys of a consumer and of an ingest user
// for kronofogden, new at every start, their seeds in files (0600) in
// data/nats-credentials (0700).
func writeDemoCredentials(data string) ([]natsCredential, error) {
	dir := filepath.Join(data, "nats-credentials")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, err
	}
	users := []bus.User{
		{Name: "consumer", Role: bus.RoleConsumer},
		{Name: "ingest-" + demoIngestSource, Role: bus.RoleIngest, Source: demoIngestSource},
	}
	var out []natsCredential
	for _, u := range users {
		kp, err := nkeys.CreateUser()
		if err != nil {
			return nil, err
		}
		if u.NKey, err = kp.PublicKey(); err != nil {
			return nil, err
		}
		seed, err := kp.Seed()
		if err != nil {
			return nil, err
		}
		file := filepath.Join(dir, u.Name+".nk")
		if err := writeSeed(file, seed, true); err != nil {
			return nil, err
		}
		out = append(out, natsCredential{user: u, file: file})
	}
	return out, nil
}

// writeSeed writes an NKey seed to a file only its owner can read;
// replace: an existing file is overwritten, else refused.
func writeSeed(file string, seed []byte, replace bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if replace {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(file, flags, 0o600)
	if err != nil {
		return err
	}
	// An existing file keeps its mode on open.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(append(seed, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// printDemoCredentials prints the demo's NATS keys and the commands that
// use them.
func printDemoCredentials(w io.Writer, url string, creds []natsCredential) {
	fmt.Fprintln(w, "  demo NATS keys (NKey seeds, new at every start; anonymous clients are refused):")
	for _, c := range creds {
		switch c.user.Role {
		case bus.RoleConsumer:
			fmt.Fprintf(w, "    %-22s %s   (reads events, asks pre-award checks)\n", c.user.Name, c.file)
			fmt.Fprintf(w, "      vaksam check --nats %s --nats-nkey %s ORGNR\n", url, c.file)
			fmt.Fprintf(w, "      vaksam watch --nats %s --nats-nkey %s --replay\n", url, c.file)
			fmt.Fprintf(w, "      nats --server %s --nkey %s req vaksam.screen '{\"orgnr\":\"ORGNR\",\"purpose\":\"award\"}'\n", url, c.file)
		case bus.RoleIngest:
			fmt.Fprintf(w, "    %-22s %s   (pushes vaksam.ingest.%s only)\n", c.user.Name, c.file, c.user.Source)
			fmt.Fprintf(w, "      nats --server %s --nkey %s pub vaksam.ingest.%s --header Vaksam-Observed:YYYY-MM-DD --force-stdin < extract.jsonl\n", url, c.file, c.user.Source)
		}
	}
}

func (a *app) configNKey(args []string) (int, error) {
	fs := a.newFlags("config nkey", "config nkey [--seed-file FILE]",
		"Makes a NATS user key (an NKey) for a client of Vaksam's NATS: the client\n"+
			"logs in with the seed, the server knows only the public key. Without\n"+
			"--seed-file it prints the seed and then the public key, as nk -gen user\n"+
			"-pubout does; with it, it writes the seed to FILE (mode 0600; an existing file\n"+
			"is not replaced) and prints the public key. Put the public key in the\n"+
			"configuration's nats.users (the embedded server) or in the NATS server's\n"+
			"configuration (docs/deploy/nats/nats.conf), and give the seed file to the\n"+
			"client: vaksam check --nats-nkey FILE, nats --nkey FILE, nats.nkey_file.")
	seedFile := fs.String("seed-file", "", "write the seed to this file instead of printing it")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q", fs.Arg(0))
	}
	kp, err := nkeys.CreateUser()
	if err != nil {
		return exitFailure, err
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return exitFailure, err
	}
	seed, err := kp.Seed()
	if err != nil {
		return exitFailure, err
	}
	if *seedFile == "" {
		fmt.Fprintf(a.stdout, "%s\n%s\n", seed, pub)
		return exitOK, nil
	}
	if err := writeSeed(*seedFile, seed, false); err != nil {
		if errors.Is(err, os.ErrExist) {
			return exitFailure, fmt.Errorf("%s exists: a key is not replaced (remove the file first)", *seedFile)
		}
		return exitFailure, err
	}
	fmt.Fprintln(a.stdout, pub)
	return exitOK, nil
}
