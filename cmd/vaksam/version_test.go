package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// vaksam version and vaksam --version print the version, the commit and
// the Go version, from the build info; the usage lists the command.
func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		code, out, errOut := run(t, args...)
		if code != exitOK || out != thisBuild().String() || !strings.HasPrefix(out, "vaksam "+release+"\ncommit: ") ||
			!strings.Contains(out, "\ngo:     "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+"\n") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	if code, _, errOut := run(t, "version", "extra"); code != exitUsage || !strings.Contains(errOut, `unexpected argument "extra"`) {
		t.Errorf("version extra: exit %d, %q", code, errOut)
	}
	if code, out, _ := run(t, "--help"); code != exitOK || !strings.Contains(out, "  version      print the version") {
		t.Errorf("usage: %q", out)
	}
	// go test builds carry no VCS information: the commit is unknown, the
	// version this tree's; vaksam_build_info says the same.
	if m := thisBuild().metrics(); m.Version != release || m.Revision != "unknown" || m.GoVersion != runtime.Version() {
		t.Errorf("build info for metrics %+v", m)
	}
}

// describeBuild: a released module version counts, a pseudo-version or
// (devel) leave this tree's; the commit comes from the link-time revision
// or else the build's VCS settings.
func TestDescribeBuild(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"},
		{Key: "vcs.time", Value: "2026-11-20T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}
	for _, tc := range []struct {
		name     string
		info     *debug.BuildInfo
		linked   string
		version  string
		revision string
		commit   string // the commit line
	}{
		{"no build info", nil, "", release, "", "commit: unknown (the build has no VCS information: go run, go test, or built with -buildvcs=false)"},
		{"go run", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "", release, "", "commit: unknown"},
		{"a checkout", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261120100000-1a2b3c4d5e6f+dirty"}, Settings: vcs}, "",
			release, "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d", "commit: 1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d (2026-11-20T10:00:00Z, modified)"},
		{"a pre-release pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.4.1-0.20261120100000-1a2b3c4d5e6f"}}, "", release, "", "commit: unknown"},
		{"a release", &debug.BuildInfo{Main: debug.Module{Version: "v0.5.0"}, Settings: vcs[:2]}, "",
			"0.5.0", "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d", "commit: 1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d\n"},
		{"linked revision", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "abc1234", release, "abc1234", "commit: abc1234\n"},
		{"linked revision wins", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs[:2]}, "abc1234", release, "abc1234", "commit: abc1234\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := describeBuild(tc.info, tc.linked)
			if b.Version != tc.version || b.Revision != tc.revision || !strings.Contains(b.String(), tc.commit) ||
				!strings.HasPrefix(b.String(), "vaksam "+tc.version+"\n") {
				t.Errorf("%+v\n%s", b, b)
			}
		})
	}
}
