//go:build !race

package bulkfile

const raceEnabled = false
