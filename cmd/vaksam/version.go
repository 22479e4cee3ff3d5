package main

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/vaksam/vaksam/engine/metrics"
)

// release is the version of this source tree. A binary built from a
// released module version (go install …/cmd/vaksam@v0.5.0) reports that
// version, from its build info; one built in a checkout (whose build info
// has a pseudo-version), by go run or by go test ("(devel)") reports
// this. It is the only place the version is written: `vaksam version`,
// vaksam_build_info and the NATS micro service all read thisBuild.
const release = "0.4.0"

// revision is the VCS commit the binary was built from when the build
// says so itself: the Dockerfile sets it with -ldflags "-X
// main.revision=…" (its build context has no .git). Else the build info's
// vcs.revision counts.
var revision = ""

// buildVersion is what a binary says of itself.
type buildVersion struct {
	Version  string // semantic version, without a leading v
	Revision string // the VCS commit; "" when the build does not say
	Time     string // the commit's time (RFC 3339); "" when the build does not say
	Modified bool   // built from a tree with uncommitted changes
	Go       string // the Go version and platform it was built for
}

// thisBuild describes the running binary.
var thisBuild = sync.OnceValue(func() buildVersion {
	info, _ := debug.ReadBuildInfo()
	return describeBuild(info, revision)
})

// pseudoVersion is the tail of a Go pseudo-version
// (v0.0.0-20261120100000-1a2b3c4d5e6f): a build of a commit that is no
// release.
var pseudoVersion = regexp.MustCompile(`\d{14}-[0-9a-f]{12}`)

// describeBuild reads a binary's build info (nil when there is none) and
// the revision it was given at link time ("" for none).
func describeBuild(info *debug.BuildInfo, linked string) buildVersion {
	b := buildVersion{Version: release, Revision: linked, Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
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
func (b buildVersion) String() string {
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

// metrics is the build as vaksam_build_info labels it.
func (b buildVersion) metrics() metrics.Build {
	return metrics.Build{Version: b.Version, Revision: cmp.Or(b.Revision, "unknown"), GoVersion: runtime.Version()}
}

func runVersion(_ context.Context, a *app, args []string) (int, error) {
	fs := a.newFlags("version", "version", "Prints Vaksam's version, the VCS commit it was built from and the Go version.")
	if err := a.parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q", fs.Arg(0))
	}
	fmt.Fprint(a.stdout, thisBuild())
	return exitOK, nil
}
