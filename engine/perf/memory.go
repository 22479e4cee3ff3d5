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
// lets it be reset, and samples of the resident set every 10 ms.
type rssPeak struct {
	reset      bool
	peak       atomic.Uint64
	stop, done chan struct{}
}

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
			if r := statusKB("VmRSS:"); r > p.peak.Load() {
				p.peak.Store(r)
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

// end stops the sampling and returns the peak resident set in bytes.
func (p *rssPeak) end() uint64 {
	close(p.stop)
	<-p.done
	peak := p.peak.Load()
	if p.reset {
		peak = max(peak, statusKB("VmHWM:"))
	}
	return peak
}

// statusKB reads a field of /proc/self/status in bytes (0 if absent).
func statusKB(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// timed runs fn and returns how long it took and the peak resident set
// while it ran.
func timed(fn func() error) (time.Duration, uint64, error) {
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
