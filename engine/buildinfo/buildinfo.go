package buildinfo

import (
	"cmp"
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/vaksam/vaksam/engine/metrics"
)

// Release is the version of this source tree, the one place it is
// written. A binary built from a released module version (go install
// …/cmd/vaksam@v0.5.0) reports that version, from its build info (see
// Describe); one built in a checkout, by go run or by go test reports
// Release. The OpenAPI document (engine/web/openapi.yaml) carries it as
// info.version, which a test holds to Release, and the document served
// at /api/v1/openapi.yaml reports the running build's version.
const Release = "0.4.0"

// Build is what a binary says of itself.
type Build struct {
	Version  string // semantic version, without a leading v
	Revision string // the VCS commit; "" when the build does not say
	Time     string // the commit's time (RFC 3339); "" when the build does not say
	Modified bool   // built from a tree with uncommitted changes
	Go       string // the Go version and platform it was built for
}

// pseudoVersion is the tail of a Go pseudo-version
// (v0.0.0-20261120100000-1a2b3c4d5e6f): a build of a commit that is no
// release.
var pseudoVersion = regexp.MustCompile(`\d{14}-[0-9a-f]{12}`)

// Describe reads a binary's build info (nil when there is none), given
// the version of its source tree (release) and the revision it was given
// at link time ("" for none). A released module version in the build info
// (go install …@v0.5.0) counts; a pseudo-version or (devel) leave
// release. The link-time revision wins over the build's vcs.revision.
func Describe(info *debug.BuildInfo, release, linked string) Build {
	b := Build{Version: release, Revision: linked, Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	if info == nil {
		return b
	}
	if v := info.Main.Version; strings.HasPrefix(v, "v") && !pseudoVersion.MatchString(v) {
		b.Version = strings.TrimPrefix(v, "v")
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = cmp.Or(b.Revision, s.Value)
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is what `vaksam version` prints.
func (b Build) String() string {
	commit := "unknown (the build has no VCS information: go run, go test, or built with -buildvcs=false)"
	if b.Revision != "" {
		var about []string
		if b.Time != "" {
			about = append(about, b.Time)
		}
		if b.Modified {
			about = append(about, "modified")
		}
		commit = b.Revision
		if len(about) > 0 {
			commit += " (" + strings.Join(about, ", ") + ")"
		}
	}
	return fmt.Sprintf("vaksam %s\ncommit: %s\ngo:     %s\n", b.Version, commit, b.Go)
}

// Metrics is the build as vaksam_build_info labels it.
func (b Build) Metrics() metrics.Build {
	return metrics.Build{Version: b.Version, Revision: cmp.Or(b.Revision, "unknown"), GoVersion: runtime.Version()}
}
