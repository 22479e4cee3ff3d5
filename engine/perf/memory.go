package perf

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// rssPeak follows the process's resident set while something runs: the
// kernel's high-water mark (VmHWM, reset when it starts) where the kernel
// lets it be reset, and samples of the resident set every 10 ms, whole
// (VmRSS) and anonymous (RssAnon).
type rssPeak struct {
	reset      bool
	peak, anon atomic.Uint64
	stop, done chan struct{}
}

// peakRSS is the peak resident set of a phase, in bytes: All counts every
// resident page (VmRSS, VmHWM); Anon only the process's own memory
// (RssAnon: the Go heap, stacks, Badger's allocations), not the pages of
// files it maps (Badger's tables and value logs), which the kernel reclaims
// under memory pressure and which other processes' reads of the same files
// share.
type peakRSS struct{ All, Anon uint64 }

// watchRSS returns memory the Go runtime holds free to the system, resets
// the high-water mark and starts sampling.
func watchRSS() *rssPeak {
	debug.FreeOSMemory()
	// Writing 5 to clear_refs resets VmHWM to the current resident set.
	p := &rssPeak{reset: os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil,
		stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			st := status("VmRSS:", "RssAnon:")
			if r := st[0]; r > p.peak.Load() {
				p.peak.Store(r)
			}
			if r := st[1]; r > p.anon.Load() {
				p.anon.Store(r)
			}
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// end stops the sampling and returns the peak resident sets.
func (p *rssPeak) end() peakRSS {
	close(p.stop)
	<-p.done
	peak := peakRSS{All: p.peak.Load(), Anon: p.anon.Load()}
	if p.reset {
		peak.All = max(peak.All, status("VmHWM:")[0])
	}
	return peak
}

// status reads fields of /proc/self/status in bytes, in the order asked
// (0 for a field that is absent).
func status(fields ...string) []uint64 {
	out := make([]uint64, len(fields))
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		for i, field := range fields {
			if v, ok := strings.CutPrefix(line, field); ok {
				kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				out[i] = kb << 10
			}
		}
	}
	return out
}

// timed runs fn and returns how long it took and the peak resident sets
// while it ran.
func timed(fn func() error) (time.Duration, peakRSS, error) {
	p := watchRSS()
	start := time.Now()
	err := fn()
	d := time.Since(start)
	return d, p.end(), err
}

// mib is n bytes in MiB.
func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// per100k scales a count of bytes over orgs organisations to MB per
// 100 000.
func per100k(n int64, orgs int) float64 { return float64(n) / 1e6 * 100_000 / float64(orgs) }
