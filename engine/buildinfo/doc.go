// Package buildinfo says what a Vaksam binary is: its version, the VCS
// commit it was built from and the Go version, read from the build info
// the Go toolchain embeds and the revision given at link time. `vaksam
// version`, the metric vaksam_build_info, the NATS micro service and the
// served OpenAPI document (info.version) all show the same Build's
// version. The source tree's is Release, written there and (held to it
// by a test) in engine/web/openapi.yaml.
package buildinfo
