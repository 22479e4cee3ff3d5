package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --data naming a directory that does not exist is an error, naming the
// flag and the path, for every command but those that make a store; the
// refusing commands leave nothing behind. (serve --demo making its
// --data is TestServeDemoMetrics: it runs in a directory that does not
// exist yet.)
func TestDataDirMustExist(t *testing.T) {
	root := t.TempDir()
	cfg := filepath.Join(root, "empty.yaml")
	if err := os.WriteFile(cfg, []byte("log:\n  level: warn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args func(dir string) []string
	}{
		{"screen", func(d string) []string { return []string{"screen", "--data", d, sampleOrg} }},
		{"screen --all", func(d string) []string { return []string{"screen", "--data", d, "--all"} }},
		{"assessments", func(d string) []string { return []string{"assessments", "--data", d, sampleOrg} }},
		{"sources", func(d string) []string { return []string{"sources", "--data", d} }},
		{"fetch", func(d string) []string { return []string{"fetch", "--data", d, "--config", cfg, "--once"} }},
		{"serve", func(d string) []string { return []string{"serve", "--data", d, "--config", cfg} }},
		{"audit verify", func(d string) []string { return []string{"audit", "verify", "--data", d} }},
		{"audit list", func(d string) []string { return []string{"audit", "list", "--data", d} }},
		{"backup", func(d string) []string { return []string{"backup", "--data", d, filepath.Join(root, "b.bak")} }},
		{"flag after the argument", func(d string) []string { return []string{"screen", sampleOrg, "--data", d} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(root, strings.ReplaceAll(tc.name, " ", "-"), "data")
			code, out, errOut := run(t, tc.args(dir)...)
			want := "--data " + dir + ": no such directory (only ingest, serve --demo and restore make one)"
			if code != exitFailure || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, want 1 and %q\n%s%s", code, want, out, errOut)
			}
			if _, err := os.Stat(filepath.Dir(dir)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s was made: %v", filepath.Dir(dir), err)
			}
		})
	}
	// A file is no data directory either.
	if code, _, errOut := run(t, "sources", "--data", cfg); code != exitFailure || !strings.Contains(errOut, "--data "+cfg+": not a directory") {
		t.Errorf("a file as --data: exit %d, %q", code, errOut)
	}

	// ingest and restore make theirs.
	made := filepath.Join(root, "made", "by-ingest")
	if code, out, errOut := run(t, "ingest", "--data", made, "--source", "kronofogden", "--observed", "2026-11-20", samples+"/kronofogden.jsonl"); code != exitOK {
		t.Fatalf("ingest into a new directory: exit %d\n%s%s", code, out, errOut)
	}
	backup := filepath.Join(root, "made.bak")
	if code, out, errOut := run(t, "backup", "--data", made, backup); code != exitOK {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	restored := filepath.Join(root, "made", "by-restore")
	if code, out, errOut := run(t, "restore", "--data", restored, backup); code != exitOK {
		t.Fatalf("restore into a new directory: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "audit", "verify", "--data", restored); code != exitOK {
		t.Errorf("the restored store: exit %d\n%s%s", code, out, errOut)
	}

	// The configuration's data_dir is the deployment's: made when missing,
	// as config check allows.
	configured := filepath.Join(root, "configured", "data")
	withDir := filepath.Join(root, "data_dir.yaml")
	if err := os.WriteFile(withDir, []byte("data_dir: "+configured+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := run(t, "sources", "--config", withDir); code != exitOK {
		t.Errorf("sources with data_dir: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(configured, "store")); err != nil {
		t.Errorf("data_dir not made: %v", err)
	}
}

// Every command reads a flag after its arguments as a flag: an unknown
// one is refused as a flag, not taken for an argument, and known ones
// work wherever they are.
func TestFlagsAfterArguments(t *testing.T) {
	for _, args := range [][]string{
		{"ingest", "file.jsonl"}, {"screen", sampleOrg}, {"assessments", sampleOrg}, {"sources", "x"},
		{"fetch", "x"}, {"report", "x"}, {"serve", "x"}, {"check", sampleOrg}, {"watch", "vaksam.>"}, {"demo", "x"},
		{"audit", "verify", "x"}, {"audit", "list", "x"}, {"backup", "file.bak"}, {"restore", "file.bak"},
		{"rules", "check", "pack.yaml"}, {"rules", "test", "pack.yaml"},
		{"config", "check", "x"}, {"config", "show", "x"}, {"config", "hash-password", "x"}, {"config", "nkey", "x"}, {"version", "x"},
	} {
		code, _, errOut := run(t, append(args, "--no-such-flag")...)
		if code != exitUsage || !strings.Contains(errOut, "flag provided but not defined: -no-such-flag") {
			t.Errorf("%v --no-such-flag: exit %d, %q", args, code, errOut)
		}
	}

	data := sampleData(t)
	_, before, _ := run(t, "screen", "--data", data, "--at", "2026-11-21", "--json", sampleOrg)
	for _, args := range [][]string{
		{"screen", sampleOrg, "--data", data, "--at", "2026-11-21", "--json"},
		{"screen", "--json", sampleOrg, "--at=2026-11-21", "--data", data},
	} {
		if code, out, errOut := run(t, args...); code != exitOK || out != before {
			t.Errorf("%v: exit %d\n%s%s\nwant\n%s", args, code, out, errOut, before)
		}
	}
	if code, out, errOut := run(t, "assessments", sampleOrg, "--data", data); code != exitOK || !strings.Contains(out, "Omsorgshuset Norr AB") {
		t.Errorf("assessments: exit %d\n%s%s", code, out, errOut)
	}
	fresh := t.TempDir()
	if code, out, errOut := run(t, "ingest", samples+"/kronofogden.jsonl", "--data", fresh, "--source", "kronofogden", "--observed", "2026-11-20"); code != exitOK || !strings.Contains(out, "1 new") {
		t.Errorf("ingest: exit %d\n%s%s", code, out, errOut)
	}
	file := filepath.Join(t.TempDir(), "b.bak")
	if code, out, errOut := run(t, "backup", file, "--data", fresh); code != exitOK {
		t.Errorf("backup: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "restore", file, "--data", t.TempDir()); code != exitOK || !strings.Contains(out, "restore verified") {
		t.Errorf("restore: exit %d\n%s%s", code, out, errOut)
	}
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		// The report of issue 11: the flag was read as the organisation number.
		{[]string{"screen", sampleOrg, "--data", filepath.Join(fresh, "nope")}, "--data " + filepath.Join(fresh, "nope") + ": no such directory"},
		{[]string{"screen", "--data", data, "--", "--at"}, `"--at"`},
		{[]string{"screen", sampleOrg, "--data"}, "flag needs an argument: -data"},
		{[]string{"audit", "verify", "extra", "--data", data}, `unexpected argument "extra"`},
	} {
		if code, _, errOut := run(t, tc.args...); code == exitOK || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%v: exit %d, %q, want %q", tc.args, code, errOut, tc.stderr)
		}
	}
}

// The sanctions lists import with vaksam ingest, one file at a time, and
// the counts name the entities and the list's version.
func TestIngestSanctionsLists(t *testing.T) {
	data, lists := t.TempDir(), "../../connectors/sanctions/testdata/"
	for _, tc := range []struct{ source, file, observed, want string }{
		{"sanctions-eu", "eu_fsf_1_1.xml", "2026-11-20", "3 new, 0 unchanged"},
		{"sanctions-eu", "eu_fsf_1_1.csv", "2026-11-21", "2 new, 0 unchanged"},
		{"sanctions-un", "un_consolidated.xml", "2026-11-20", "5 new, 0 unchanged"},
		{"sanctions-ftm", "entities.ftm.json", "2026-11-20", "4 new, 0 unchanged"},
		{"sanctions-ftm", "entities.ftm.json", "2026-11-21", "0 new, 4 unchanged"},
	} {
		if code, out, errOut := run(t, "ingest", "--data", data, "--source", tc.source, "--observed", tc.observed, lists+tc.file); code != exitOK || !strings.Contains(out, tc.want) {
			t.Errorf("ingest %s %s: exit %d\n%s%s\nwant %q", tc.source, tc.file, code, out, errOut, tc.want)
		}
	}
	code, out, errOut := run(t, "ingest", "--data", data, "--source", "sanctions-eu", lists+"eu_fsf_1_1.xml", lists+"eu_fsf_1_1.csv")
	if code != exitFailure || !strings.Contains(errOut, "import one at a time") {
		t.Errorf("two list files: exit %d\n%s%s", code, out, errOut)
	}
}
