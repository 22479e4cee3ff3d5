package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
)

const auditAbout = "The audit trail records who changed which alert or decision, when, and is\n" +
	"where logins, rule changes and views of personal data are recorded; each entry\n" +
	"carries the hash of the one before (engine/audit describes the encoding).\n" +
	"verify checks every entry and the chain and names each altered, removed or\n" +
	"misplaced entry by its sequence number: exit status 1 if there is any. list\n" +
	"prints the entries."

func runAudit(ctx context.Context, a *app, args []string) (int, error) {
	return a.subcommand(args, map[string]func([]string) (int, error){"verify": a.auditVerify, "list": a.auditList},
		"Usage: vaksam audit verify --data DIR\n"+
			"       vaksam audit list --data DIR [--from N] [--limit N] [--json]\n\n"+auditAbout,
		"want 'audit verify' or 'audit list'")
}

func (a *app) auditVerify(args []string) (int, error) {
	fl := a.newFlags("audit verify", "audit verify --data DIR",
		"Verifies the audit trail: sequence numbers without gaps, every entry's hash\n"+
			"recomputed from its content, every entry linked to the one before, and the\n"+
			"head naming the last entry. Prints every problem, each with the sequence\n"+
			"number of the entry, and exits 1 if there is any. The head hash printed is\n"+
			"worth recording elsewhere: later it must still be the hash of that entry.")
	data := fl.String("data", "", "data directory")
	if err := a.parseFlags(fl, args); err != nil {
		return exitUsage, err
	}
	if fl.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q", fl.Arg(0))
	}
	return a.verifyAudit(*data)
}

// verifyAudit verifies the audit trail of the data directory's store and
// prints the report (audit verify, and restore's check).
func (a *app) verifyAudit(data string) (int, error) {
	st, err := openExistingStore(data)
	if err != nil {
		return failure(err)
	}
	defer st.Close()
	r, err := (&audit.Log{Store: st}).Verify()
	if err != nil {
		return exitFailure, err
	}
	fmt.Fprint(a.stdout, r)
	if r.Intact() {
		return exitOK, nil
	}
	return exitFailure, fmt.Errorf("the audit trail is not intact: %d problem(s)", len(r.Problems))
}

func (a *app) auditList(args []string) (int, error) {
	fl := a.newFlags("audit list", "audit list --data DIR [--from N] [--limit N] [--json]",
		"Prints the audit trail's entries in order: sequence number, time (Swedish),\n"+
			"actor, action, object, details and the start of the entry's hash. With --json\n"+
			"each entry as stored, one per line. The entries are not verified here (see\n"+
			"audit verify). Objects are ids as stored: a sole trader's includes the\n"+
			"owner's personnummer.")
	data := fl.String("data", "", "data directory")
	from := fl.Uint64("from", 1, "first sequence number")
	limit := fl.Int("limit", 0, "at most this many entries (0: all)")
	asJSON := fl.Bool("json", false, "print the entries as JSON, one per line")
	if err := a.parseFlags(fl, args); err != nil {
		return exitUsage, err
	}
	if fl.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q", fl.Arg(0))
	}
	if *limit < 0 {
		return exitUsage, usagef("--limit must not be negative")
	}
	st, err := openExistingStore(*data)
	if err != nil {
		return failure(err)
	}
	defer st.Close()
	es, err := (&audit.Log{Store: st}).Entries(*from, *limit)
	if err != nil {
		return exitFailure, err
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	for _, e := range es {
		if *asJSON {
			if err := enc.Encode(e); err != nil {
				return exitFailure, err
			}
			continue
		}
		fmt.Fprintln(a.stdout, e.Line())
	}
	return exitOK, nil
}

// openExistingStore opens the data directory's store, refusing to create
// one: verifying a directory that is not a data directory must not pass.
func openExistingStore(flagValue string) (*store.Store, error) {
	dir, err := settings.ResolveDataDir(flagValue, "")
	if err != nil {
		return nil, err
	}
	if dir == "" {
		return nil, errNoDataDir()
	}
	from := dataDirFrom(flagValue, "")
	if from == fromFlag {
		if err := existingDataDir(dir); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "store")); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no store in %s", dir)
	}
	return openStore(dir, from)
}
