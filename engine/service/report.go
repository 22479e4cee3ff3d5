package service

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/report"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/engine/watchlist"
)

// The command `vaksam report`: its flags and its work, kept here so that
// cmd/vaksam only parses the arguments and hands them over.

// ReportUsage is the command's usage line (after "vaksam ").
const ReportUsage = "report [--data DIR] [--config FILE] --from DATE --to DATE [--format pdf|csv|json] [--out FILE]"

// ReportAbout says what it does.
const ReportAbout = "Makes the committee's report for the period from --from to --to (both days\n" +
	"included): purchasing per category and supplier with contract loyalty\n" +
	"(avtalstrohet: bought on the city-wide k.ö. agreements, on other agreements,\n" +
	"without contract), P-indicator findings, suppliers screened, alerts by step and\n" +
	"outcome, decisions by kind and legal ground, hearings and their time limits,\n" +
	"call-offs halted and the contract value they cover, time from alert to decision.\n" +
	"--format pdf is an A4 report with charts, named for the configuration's\n" +
	"municipality; csv is the figures for Excel and statistics tools (UTF-8 with BOM,\n" +
	"semicolons); json the same figures. The format defaults to --out's extension,\n" +
	"else json. It opens the store read-only: stop a serve on DIR first."

// Report defines the command's flags on fs and returns what runs it once
// they are parsed, writing to w unless --out names a file. A parameter it
// cannot read is a *ParamError (a usage error).
func Report(fs *flag.FlagSet, now func() time.Time) func(w io.Writer, args []string) error {
	data := fs.String("data", "", "data directory (default: the configuration's data_dir)")
	cfgPath := fs.String("config", "", "configuration file (the municipality's name, the hearing rules)")
	fromFlag := fs.String("from", "", "the period's first day (2026-01-01)")
	toFlag := fs.String("to", "", "the period's last day (2026-12-31)")
	format := fs.String("format", "", "pdf, csv or json (default: --out's extension, else json)")
	out := fs.String("out", "", "write to this file (default: standard output)")
	return func(w io.Writer, args []string) error {
		if len(args) > 0 {
			return &watchlist.ParamError{Field: "arguments", Problem: "want none, got " + strings.Join(args, " ")}
		}
		var o report.Options
		for _, f := range []struct {
			name, v string
			t       *time.Time
		}{{"--from", *fromFlag, &o.From}, {"--to", *toFlag, &o.To}} {
			if f.v == "" {
				return &watchlist.ParamError{Field: f.name, Problem: "required: a date (2026-01-01)"}
			}
			t, err := time.Parse(time.DateOnly, f.v)
			if err != nil {
				return &watchlist.ParamError{Field: f.name, Problem: fmt.Sprintf("want a date (2026-01-01), got %q", f.v)}
			}
			*f.t = t
		}
		if o.To.Before(o.From) {
			return &watchlist.ParamError{Field: "--to", Problem: "before --from"}
		}
		kind := *format
		if kind == "" {
			kind = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
			if !slices.Contains(report.Formats, kind) {
				kind = "json"
			}
		}
		if !slices.Contains(report.Formats, kind) {
			return &watchlist.ParamError{Field: "--format", Problem: fmt.Sprintf("want pdf, csv or json, got %q", kind)}
		}
		cfg, err := settings.Load(*cfgPath)
		if err != nil {
			return fmt.Errorf("report: configuration: %w", err)
		}
		dir := cfg.DataDirOr(*data)
		if dir == "" {
			return &watchlist.ParamError{Field: "--data", Problem: "required: the data directory (or data_dir in the configuration)"}
		}
		if err := ExistingDataDir(dir); err != nil {
			return err
		}
		st, err := store.Open(filepath.Join(dir, "store"), store.Options{ReadOnly: true})
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		defer st.Close()
		o.Municipality, o.Now = cfg.Municipality.Name, now()
		r, err := report.Compute(st, NewDesk(cfg.Review, st, nil), o)
		if err != nil {
			return err
		}
		return writeReport(r, kind, *out, w)
	}
}

// writeReport writes r as kind to the file out, or to w when out is "":
// a file is written beside its place and renamed into it, so that a
// failed report leaves no half-written file.
func writeReport(r *report.Report, kind, out string, w io.Writer) (err error) {
	if out == "" {
		return r.Write(w, kind)
	}
	f, err := os.CreateTemp(filepath.Dir(out), ".report-*")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, os.Remove(f.Name()))
		}
	}()
	if err := errors.Join(r.Write(f, kind), f.Close()); err != nil {
		return fmt.Errorf("report: %s: %w", out, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("report: %s: %w", out, err)
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return fmt.Errorf("report: %s: %w", out, err)
	}
	return nil
}
