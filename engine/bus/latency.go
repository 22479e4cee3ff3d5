package bus

import (
	"math"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"
)

// Latency is the median and 99th percentile of a series of round trips.
type Latency struct{ P50, P99 time.Duration }

// Latencies sorts lat and returns its median and 99th percentile
// (nearest rank).
func Latencies(lat []time.Duration) Latency {
	slices.Sort(lat)
	return Latency{P50: quantile(lat, 0.50), P99: quantile(lat, 0.99)}
}

// quantile is the nearest-rank quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Timed runs before (untimed, unless nil) and then do (timed) n times one
// after the other, and returns how long each do took. Durations are
// measured as screening.Stats measures them (time.Since a start).
func Timed(n int, before, do func(i int) error) ([]time.Duration, error) {
	lat := make([]time.Duration, n)
	for i := range n {
		if before != nil {
			if err := before(i); err != nil {
				return nil, err
			}
		}
		start := time.Now()
		err := do(i)
		lat[i] = time.Since(start)
		if err != nil {
			return nil, err
		}
	}
	return lat, nil
}

// StartEcho adds a bare micro service to nc that answers every request
// on subject with the request's own bytes: the floor a round trip through
// the same server is measured against.
func StartEcho(nc *nats.Conn, subject string) (micro.Service, error) {
	echo, err := micro.AddService(nc, micro.Config{Name: "vaksam-bench-echo", Version: "1.0.0"})
	if err != nil {
		return nil, err
	}
	err = echo.AddEndpoint("echo", micro.HandlerFunc(func(r micro.Request) { _ = r.Respond(r.Data()) }),
		micro.WithEndpointSubject(subject))
	if err != nil {
		echo.Stop()
		return nil, err
	}
	return echo, nil
}
