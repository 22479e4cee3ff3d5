package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/vaksam/vaksam/engine/buildinfo"
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

// thisBuild describes the running binary.
var thisBuild = sync.OnceValue(func() buildinfo.Build {
	info, _ := debug.ReadBuildInfo()
	return buildinfo.Describe(info, release, revision)
})

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
