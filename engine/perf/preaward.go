package perf

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/event"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/sign"
	"github.com/vaksam/vaksam/engine/store"
)

// warmUp is how many requests go before the timed ones.
const warmUp = 50

// measurePreAward times pre-award checks over NATS (vaksam.screen on an
// embedded server, the store's population, alternating a clean and a
// flagged supplier) against a bare micro echo of the same bytes on the
// same server; then the first check after each of a series of record
// writes (an invoice, which changes the market statistics) against the
// warm checks. It checks suppliers of the store in storeDir (a scratch
// copy: the checks and the invoices written between them change it), with
// NATS's files in dir.
func measurePreAward(ctx context.Context, dir, storeDir string, pop *population, o Options) ([]Measure, error) {
	if len(pop.Clean) == 0 {
		return nil, fmt.Errorf("bench: the population has no clean supplier")
	}
	natsDir, err := os.MkdirTemp(dir, "nats-")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(natsDir)
	srv, err := bus.StartServer(bus.ServerOptions{Dir: natsDir, Host: "127.0.0.1", Port: -1, Name: "vaksam-bench", Anonymous: true, Log: o.Log})
	if err != nil {
		return nil, err
	}
	defer srv.Shutdown()
	conn := func(name string) (*nats.Conn, error) {
		return bus.Connect(bus.ConnectOptions{URL: srv.URL(), Name: name, Once: true, Log: o.Log})
	}
	srvNC, err := conn("vaksam-bench-service")
	if err != nil {
		return nil, err
	}
	defer srvNC.Close()
	cliNC, err := conn("vaksam-bench-client")
	if err != nil {
		return nil, err
	}
	defer cliNC.Close()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, err := sign.NewSigner(key)
	if err != nil {
		return nil, err
	}
	var out []Measure
	err = withStore(storeDir, func(st *store.Store) error {
		sc, err := screener(st)
		if err != nil {
			return err
		}
		at := pop.At
		// As serve does at its start.
		if err := st.WarmMarket(ctx); err != nil {
			return err
		}
		ss := &bus.ScreenService{Screener: sc, Signer: signer, Now: func() time.Time { return at }, Version: "1.0.0", Log: o.Log}
		svc, err := ss.Start(srvNC)
		if err != nil {
			return err
		}
		defer ss.Wait()
		defer svc.Stop()
		const echoSubject = "vaksam-bench.echo"
		echo, err := bus.StartEcho(srvNC, echoSubject)
		if err != nil {
			return err
		}
		defer echo.Stop()
		if err := srvNC.Flush(); err != nil {
			return err
		}
		m, err := checks(ctx, ss, cliNC, echoSubject, pop, o, func(i int) error {
			// A new invoice of another supplier in the same category.
			other := pop.Clean[len(pop.Clean)-1]
			id := fmt.Sprintf("BENCH-%d-%d", o.Now().UnixNano(), i)
			_, err := st.Put([]store.Observation{{Observed: at, Item: record.Item{Source: record.Invoices, Subject: other, Key: id, Pos: "bench:1",
				Parsed: record.Invoice{ID: id, Orgnr: other, Category: "hvb_barn", Date: at.UTC().Truncate(day), AmountSEK: 1000}}}})
			return err
		})
		out = m
		return err
	})
	return out, err
}

// checks times the echo, the warm checks and the first checks after
// write.
func checks(ctx context.Context, ss *bus.ScreenService, nc *nats.Conn, echoSubject string, pop *population, o Options, write func(int) error) ([]Measure, error) {
	body := func(org string) []byte {
		return []byte(`{"orgnr":"` + org + `","purpose":"award","category":"hvb_barn","value_sek":1200000,"timeout":"30s"}`)
	}
	bodies := [][]byte{body(pop.Clean[0]), body(pop.Clean[0])}
	// The first planted supplier the check answers with a verdict other
	// than clear.
	for _, org := range pop.Planted {
		a, err := ss.Check(ctx, event.ScreenRequest{Orgnr: org, Purpose: "award", Category: "hvb_barn", ValueSEK: 1_200_000})
		if err == nil && a.Verdict != screening.Clear {
			bodies[1] = body(org)
			break
		}
	}
	request := func(subject string) func(int) error {
		return func(i int) error {
			m, err := nc.Request(subject, bodies[i%2], time.Minute)
			if err != nil {
				return fmt.Errorf("bench: %s: %w", subject, err)
			}
			if code := m.Header.Get(micro.ErrorCodeHeader); code != "" {
				return fmt.Errorf("bench: %s: error %s %s", subject, code, m.Header.Get(micro.ErrorHeader))
			}
			return nil
		}
	}
	series := func(subject string, n int, before func(int) error) (bus.Latency, error) {
		if before == nil {
			if _, err := bus.Timed(warmUp, nil, request(subject)); err != nil {
				return bus.Latency{}, err
			}
		}
		lat, err := bus.Timed(n, before, request(subject))
		return bus.Latencies(lat), err
	}
	echo, err := series(echoSubject, o.Requests, nil)
	if err != nil {
		return nil, err
	}
	warm, err := series(event.ScreenSubject, o.Requests, nil)
	if err != nil {
		return nil, err
	}
	first, err := series(event.ScreenSubject, o.FirstChecks, write)
	if err != nil {
		return nil, err
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	µs := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	return []Measure{
		measure("preaward_p50", "µs", µs(warm.P50), µs(echo.P50), goalCheckRatio, OnRatio,
			"pre-award check over NATS, median ÷ bare micro echo's on the same server"),
		measure("preaward_p99", "ms", ms(warm.P99), ms(echo.P99), goalCheckP99, OnValue,
			"pre-award check over NATS, 99th percentile ÷ bare micro echo's"),
		measure("preaward_first_after_write", "ms", ms(first.P50), ms(warm.P50), goalFirstRatio, OnRatio,
			"first pre-award check after a record write (an invoice), median ÷ warm median"),
	}, nil
}
