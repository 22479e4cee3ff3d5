// Package engine is the parent of Vaksam's own packages, one per concept:
// screening (scores an organisation as of a time), profile, store, ingest,
// review, bus, web, service and the rest. docs/architecture.md shows how
// data travels through them and the layer rule that the build enforces.
package engine
