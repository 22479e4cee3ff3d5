package main

import (
	"runtime"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/buildinfo"
)

// vaksam version and vaksam --version print the version, the commit and
// the Go version, from the build info; the usage lists the command.
func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		code, out, errOut := run(t, args...)
		if code != exitOK || out != thisBuild().String() || !strings.HasPrefix(out, "vaksam "+buildinfo.Release+"\ncommit: ") ||
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
	if m := thisBuild().Metrics(); m.Version != buildinfo.Release || m.Revision != "unknown" || m.GoVersion != runtime.Version() {
		t.Errorf("build info for metrics %+v", m)
	}
}
