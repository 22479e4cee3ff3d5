// Package schedule keeps every watched organisation's data fresh: for each
// source Vaksam can fetch by itself and each organisation on the watch
// list, it plans the next fetch before the source's freshness window ends,
// oldest first, with what a caller is waiting for ahead of everything, and
// backs off from failures.
//
// The Planner is pure state: it is told what was fetched when and answers
// what to fetch next; it reads no clock. The Runner drives it with real
// fetchers on a connectors.Clock, ingests what they return, and tells a
// callback which organisations changed. A simulation drives the same
// Planner under the sources' real rate limits on a virtual clock.
//
// What the store holds is the state: on start, the last successful
// observation of each source for each watched organisation is read back,
// so a restart refetches nothing that is still fresh.
package schedule
