package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/vaksam/vaksam/connectors/bolagsverket"
	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
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
	nats      []natsCredential // the embedded server's demo clients: a consumer first
}

// prepareDemo fills the data directory (a temporary one when none is
// given) with a synthetic population the first time, starts the fake
// authority and points the configuration's sources at it.
func (a *app) prepareDemo(ctx context.Context, data string, orgs int, cfg *settings.Config) (*demoSetup, error) {
	d := &demoSetup{data: data}
	if d.data == "" {
		tmp, err := os.MkdirTemp("", "vaksam-serve-demo-")
		if err != nil {
			return nil, err
		}
		d.data, d.temporary = tmp, true
	}
	files := filepath.Join(d.data, "demo-files")
	if err := a.ensureDemoPopulation(ctx, d.data, files, orgs); err != nil {
		d.close()
		return nil, err
	}
	fake, err := bolagsverket.LoadFake(files, bolagsverket.FakeConfig{Clock: a.clock, Log: a.log})
	if err != nil {
		d.close()
		return nil, fmt.Errorf("demo: fake Bolagsverket: %w", err)
	}
	d.fake = fake
	if err := failAsPlanted(fake, files); err != nil {
		d.close()
		return nil, fmt.Errorf("demo: fake Bolagsverket: %w", err)
	}
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
		BaseURL      string          `yaml:"base_url"`
		TokenURL     string          `yaml:"token_url"`
		ClientID     settings.Secret `yaml:"client_id"`
		ClientSecret settings.Secret `yaml:"client_secret"`
	}{BaseURL: fake.URL, TokenURL: fake.TokenURL, ClientID: settings.Secret{File: id}, ClientSecret: settings.Secret{File: sec}}
	d.users, d.passwords = access.DemoUsers()
	return d, nil
}

// demoComplete is the file in a demo's data directory that says its
// synthetic population is committed whole: written only after the last
// record is and the store is closed.
const demoComplete = "demo-population-complete"

// ensureDemoPopulation fills the data directory with the synthetic
// population unless a complete one is there. A store without the
// completion marker is a population a killed start left half-filled: it
// is removed with the files and the NATS streams made from it, and built
// again. A store without the marker in a directory that has no demo files
// is no demo's and is refused, not removed.
func (a *app) ensureDemoPopulation(ctx context.Context, data, files string, orgs int) error {
	marker := filepath.Join(data, demoComplete)
	switch _, err := os.Stat(marker); {
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("demo: %w", err)
	}
	storeDir := filepath.Join(data, "store")
	switch _, err := os.Stat(storeDir); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("demo: %w", err)
	default:
		if _, err := os.Stat(files); err != nil {
			return fmt.Errorf("demo: %s holds a store but no demo files (%s): not a demo's data directory; give --demo a new or empty one", data, files)
		}
		a.log.Warn("demo: the synthetic population in the data directory is incomplete (an earlier start was interrupted): building it again", "data", data)
		for _, dir := range []string{storeDir, files, filepath.Join(data, "nats")} {
			if err := os.RemoveAll(dir); err != nil {
				return fmt.Errorf("demo: remove the incomplete population: %w", err)
			}
		}
	}
	return a.demoPopulation(ctx, data, files, marker, orgs)
}

// demoPopulation generates the synthetic suppliers as of now, ingests
// them through the importers, closes the store and then writes the
// completion marker.
func (a *app) demoPopulation(ctx context.Context, data, files, marker string, orgs int) error {
	t0 := time.Now()
	man, err := synthetic.Generate(files, synthetic.Config{Seed: 1, Orgs: orgs, Now: a.now()})
	if err != nil {
		return err
	}
	st, err := createLoggedStore(data, a.log)
	if err != nil {
		return err
	}
	c, err := func() (ingest.Counts, error) {
		persons, err := pseudonymizer(data)
		if err != nil {
			return ingest.Counts{}, err
		}
		return man.Ingest(ctx, &ingest.Ingester{Store: st, BatchSize: 2048}, files, persons)
	}()
	if cerr := st.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("demo: close the store: %w", cerr)
	}
	if err != nil {
		return err
	}
	if err := service.WriteFileAtomic(marker, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%d synthetic suppliers, %d records\n", orgs, c.Records())
		return err
	}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(a.stdout, "demo: %d synthetic suppliers, %d records, in %s\n", orgs, c.Records(), since(t0))
	return nil
}

// failAsPlanted makes the fake answer as the population's files do about
// the organisation whose newest Bolagsverket answer failed
// (synthetic.KindWithoutIdentity): without organisationsidentitet, and
// OTILLGANGLIG_UPPGIFTSKALLA on Bolagsverket's own fields, so that a
// refresh gets the same answer as the files gave.
func failAsPlanted(fake *bolagsverket.Fake, files string) error {
	man, err := synthetic.ReadManifest(files)
	if err != nil {
		return err
	}
	for _, c := range man.RealFormat {
		if c.Kind != synthetic.KindWithoutIdentity {
			continue
		}
		org, err := ident.ParseOrg(c.Orgnr)
		if err != nil {
			return fmt.Errorf("manifest: real-format case %s: %w", c.Kind, err)
		}
		fake.SetWithoutIdentity(org, true)
		for _, field := range synthetic.UnavailableFields {
			if err := fake.SetFel(org, field, bolagsverket.FelOtillgangligUppgiftskall); err != nil {
				return err
			}
		}
	}
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
