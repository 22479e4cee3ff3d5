//go:build race

package bulkfile

// raceEnabled: the race detector slows Badger several times over, so the
// large tests use fewer rows.
const raceEnabled = true
