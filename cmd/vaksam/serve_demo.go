package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/vaksam/vaksam/connectors/bolagsverket"
	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// demoSetup is what serve --demo adds: a synthetic population in the
// store, a fake Bolagsverket serving it (behind the real connector), and
// demo users whose passwords are made at every start.
type demoSetup struct {
	data      string
	temporary bool
	fake      *bolagsverket.Fake
	users     []access.User
	passwords map[string]string
}

// prepareDemo fills the data directory (a temporary one when none is
// given) with a synthetic population the first time, starts the fake
// authority and points the configuration's sources at it.
func (a *app) prepareDemo(ctx context.Context, data string, orgs int, cfg *config) (*demoSetup, error) {
	d := &demoSetup{data: data}
	if d.data == "" {
		tmp, err := os.MkdirTemp("", "vaksam-serve-demo-")
		if err != nil {
			return nil, err
		}
		d.data, d.temporary = tmp, true
	}
	files := filepath.Join(d.data, "demo-files")
	if _, err := os.Stat(filepath.Join(d.data, "store")); os.IsNotExist(err) {
		if err := a.demoPopulation(ctx, d.data, files, orgs); err != nil {
			d.close()
			return nil, err
		}
	}
	fake, err := bolagsverket.LoadFake(files, bolagsverket.FakeConfig{Clock: a.clock, Log: a.log})
	if err != nil {
		d.close()
		return nil, fmt.Errorf("demo: fake Bolagsverket: %w", err)
	}
	d.fake = fake
	// The connector reads its credentials from files, as in a deployment.
	secrets := filepath.Join(d.data, "demo-secrets")
	if err := os.MkdirAll(secrets, 0o700); err != nil {
		d.close()
		return nil, err
	}
	id, sec := filepath.Join(secrets, "bolagsverket-client-id"), filepath.Join(secrets, "bolagsverket-client-secret")
	if err := os.WriteFile(id, []byte(fake.ClientID()), 0o600); err != nil {
		d.close()
		return nil, err
	}
	if err := os.WriteFile(sec, []byte(fake.ClientSecret()), 0o600); err != nil {
		d.close()
		return nil, err
	}
	cfg.Sources.Bolagsverket = &struct {
		BaseURL      string `yaml:"base_url"`
		TokenURL     string `yaml:"token_url"`
		ClientID     secret `yaml:"client_id"`
		ClientSecret secret `yaml:"client_secret"`
	}{BaseURL: fake.URL, TokenURL: fake.TokenURL, ClientID: secret{File: id}, ClientSecret: secret{File: sec}}
	d.users, d.passwords = access.DemoUsers()
	return d, nil
}

// demoPopulation generates the synthetic suppliers as of now and ingests
// them through the importers.
func (a *app) demoPopulation(ctx context.Context, data, files string, orgs int) error {
	t0 := time.Now()
	man, err := synthetic.Generate(files, synthetic.Config{Seed: 1, Orgs: orgs, Now: a.now()})
	if err != nil {
		return err
	}
	st, err := createLoggedStore(data, a.log)
	if err != nil {
		return err
	}
	defer st.Close()
	persons, err := pseudonymizer(data)
	if err != nil {
		return err
	}
	c, err := man.Ingest(ctx, &ingest.Ingester{Store: st, BatchSize: 2048}, files, persons)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "demo: %d synthetic suppliers, %d records, in %s\n", orgs, c.Records(), since(t0))
	return nil
}

func (d *demoSetup) printLogins(w io.Writer) {
	fmt.Fprintln(w, "  demo logins (new passwords at every start):")
	for _, u := range d.users {
		fmt.Fprintf(w, "    %-11s %s   (%s)\n", u.ID, d.passwords[u.ID], u.Roles[0].Label())
	}
}

func (d *demoSetup) close() {
	if d.fake != nil {
		d.fake.Close()
	}
	if d.temporary {
		os.RemoveAll(d.data)
	}
}
