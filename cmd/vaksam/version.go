package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/vaksam/vaksam/engine/buildinfo"
)

// revision is the VCS commit the binary was built from when the build
// says so itself: the Dockerfile sets it with -ldflags "-X
// main.revision=…" (its build context has no .git). Else the build info's
// vcs.revision counts.
var revision = ""

// thisBuild describes the running binary: the version of its build info
// or buildinfo.Release. `vaksam version`, vaksam_build_info, the NATS
// micro service and the served OpenAPI document all read it.
var thisBuild = sync.OnceValue(func() buildinfo.Build {
	info, _ := debug.ReadBuildInfo()
	return buildinfo.Describe(info, buildinfo.Release, revision)
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
