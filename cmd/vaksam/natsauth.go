package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/nats-io/nkeys"

	"github.com/vaksam/vaksam/engine/service"
)

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
	if err := service.WriteSeed(*seedFile, seed, false); err != nil {
		if errors.Is(err, os.ErrExist) {
			return exitFailure, fmt.Errorf("%s exists: a key is not replaced (remove the file first)", *seedFile)
		}
		return exitFailure, err
	}
	fmt.Fprintln(a.stdout, pub)
	return exitOK, nil
}
