package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

// release stands for the version of the source tree.
const release = "0.4.0"

// Describe: a released module version counts, a pseudo-version or
// (devel) leave this tree's; the commit comes from the link-time revision
// or else the build's VCS settings.
func TestDescribe(t *testing.T) {
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
			b := Describe(tc.info, release, tc.linked)
			if b.Version != tc.version || b.Revision != tc.revision || !strings.Contains(b.String(), tc.commit) ||
				!strings.HasPrefix(b.String(), "vaksam "+tc.version+"\n") {
				t.Errorf("%+v\n%s", b, b)
			}
		})
	}
}
