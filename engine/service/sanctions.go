package service

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// The command `vaksam sanctions search`: its flags and its work, kept here
// so that cmd/vaksam only parses the arguments and hands them over.

// SanctionsSearchUsage is the command's usage line (after "vaksam ").
const SanctionsSearchUsage = "sanctions search --data DIR [--json] [--type person|organisation] [--birth-year Y] [--threshold T] [--limit N] [--at TIME] NAME"

// SanctionsSearchAbout says what it does.
const SanctionsSearchAbout = "Searches the sanctions lists stored in DIR (as of now, or as of --at: the lists\n" +
	"in force then, so \"was this name listed on that date\" is answered) for NAME and prints the\n" +
	"ranked candidates: list, the list's own id, the name that matched, the score,\n" +
	"whether it reaches the threshold, the list version it rests on and why. Near\n" +
	"misses (up to 0.1 below the threshold) are shown as such. It opens the store\n" +
	"read-only: stop a serve on DIR first, or use GET /api/v1/sanctions/search."

// ErrNoLists is the failure of a search of a store that holds no list:
// its answer, printed before, says so.
var ErrNoLists = errors.New("no sanctions list is stored")

// ParamError is a search parameter the command cannot read.
type ParamError = watchlist.ParamError

// SanctionsSearch defines the command's flags on fs and returns what runs
// it once they are parsed: args are the words of the name. A parameter
// it cannot read is a *ParamError (a usage error).
func SanctionsSearch(fs *flag.FlagSet, now func() time.Time) func(w io.Writer, args []string) error {
	data := fs.String("data", "", "data directory")
	asJSON := fs.Bool("json", false, "print one JSON object {query, threshold, candidates, …}")
	kind := fs.String("type", "", "person or organisation (default: both)")
	year := fs.String("birth-year", "", "the person's birth year: agreeing corroborates, disagreeing lowers the score")
	threshold := fs.String("threshold", "", fmt.Sprintf("the score a match reaches (default %v)", watchlist.SearchThreshold))
	limit := fs.String("limit", "", fmt.Sprintf("matches shown at most (default %d)", watchlist.SearchLimit))
	asOf := fs.String("at", "", "search the lists in force at this time (2026-11-20 or RFC 3339; default now)")
	return func(w io.Writer, args []string) error {
		q, err := watchlist.ParseSearch(strings.Join(args, " "), *kind, *year, *threshold, *limit)
		if err != nil {
			return err
		}
		at := now()
		if *asOf != "" {
			if at, err = record.ParseInstant(*asOf); err != nil {
				return &watchlist.ParamError{Field: "--at", Problem: err.Error()}
			}
		}
		if *data == "" {
			return &watchlist.ParamError{Field: "--data", Problem: "required: the data directory"}
		}
		if err := ExistingDataDir(*data); err != nil {
			return err
		}
		st, err := store.Open(filepath.Join(*data, "store"), store.Options{ReadOnly: true})
		if err != nil {
			return fmt.Errorf("sanctions search: %w", err)
		}
		defer st.Close()
		v, err := watchlist.Load(st, at)
		if err != nil {
			return fmt.Errorf("sanctions search: %w", err)
		}
		res := v.Find(q)
		if err := res.Write(w, *asJSON); err != nil {
			return err
		}
		if res.Note != "" {
			return ErrNoLists
		}
		return nil
	}
}
