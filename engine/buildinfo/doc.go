// Package buildinfo says what a Vaksam binary is: its version, the VCS
// commit it was built from and the Go version, read from the build info
// the Go toolchain embeds and the revision given at link time. `vaksam
// version`, the metric vaksam_build_info and the NATS micro service all
// show the same Build.
package buildinfo
