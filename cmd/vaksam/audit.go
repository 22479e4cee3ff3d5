package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/record"
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
	if len(args) == 0 || (args[0] != "verify" && args[0] != "list") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintln(a.stdout, "Usage: vaksam audit verify --data DIR\n"+
				"       vaksam audit list --data DIR [--from N] [--limit N] [--json]\n\n"+auditAbout)
			return exitOK, nil
		}
		return exitUsage, usagef("want 'audit verify' or 'audit list'")
	}
	if args[0] == "verify" {
		return auditVerify(a, args[1:])
	}
	return auditList(a, args[1:])
}

func auditVerify(a *app, args []string) (int, error) {
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
	if r.Intact() {
		fmt.Fprintf(a.stdout, "audit trail: %d entries, head %s: intact\n", r.Entries, r.Head)
		return exitOK, nil
	}
	fmt.Fprintf(a.stdout, "audit trail: %d entries, head %s: %d problem(s)\n", r.Entries, r.Head, len(r.Problems))
	for _, p := range r.Problems {
		fmt.Fprintf(a.stdout, "  %s\n", p)
	}
	return exitFailure, fmt.Errorf("the audit trail is not intact: %d problem(s)", len(r.Problems))
}

func auditList(a *app, args []string) (int, error) {
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
		line := fmt.Sprintf("%6d  %s  %-12s %-17s %s", e.Seq, e.At.In(record.Stockholm).Format("2006-01-02 15:04:05"),
			e.Actor, e.Action, orDash(e.Object))
		if d := details(e.Detail); d != "" {
			line += "  " + d
		}
		fmt.Fprintf(a.stdout, "%s  %s\n", line, e.Hash[:min(12, len(e.Hash))])
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

// details prints an entry's details as key=value in key order, quoting
// values that need it.
func details(d map[string]string) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		v := d[k]
		if v == "" || strings.ContainsAny(v, " \t\n\"=") {
			v = strconv.Quote(v)
		}
		b.WriteString(k + "=" + v)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
