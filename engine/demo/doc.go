// Package demo readies a data directory for `vaksam serve --demo`: a
// synthetic population of suppliers ingested through the importers (built
// again when an earlier start was interrupted), a fake Bolagsverket that
// answers as the population's files do, behind the real connector, demo
// users with passwords new at every start, and NATS keys for a consumer
// and an ingest user. engine/service runs Vaksam over it as over any data
// directory.
package demo
