// Package perf measures a whole Vaksam against its floors, side by side in
// one run (vaksam bench, issue 14's table): whole-store screening and
// serve's saving screening against a bare scan and decode of the same
// store, the resident set while screening, the store's growth from a
// screening whose results did not change, the pre-award check over NATS
// against a bare micro echo on the same embedded server (warm, and first
// after a record write), and the Bolagsverket bulk import against the
// fetch, unzip and parse floor, with its peak memory.
//
// It builds (or reuses) a synthetic store of the whole register's shape
// (engine/synthetic). Durations are measured as screening.Stats measures
// them, time.Since a start; every time the measured system sees comes from
// the clock the caller passes in. Results are ratios to a floor measured
// in the same run: on a shared machine they hold better than absolute
// times. Benchmarks stay benchmarks: nothing here asserts a timing.
package perf
