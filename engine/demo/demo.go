package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/nats-io/nkeys"

	"github.com/vaksam/vaksam/connectors"
	"github.com/vaksam/vaksam/connectors/bolagsverket"
	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/bus"
	"github.com/vaksam/vaksam/engine/ident"
	"github.com/vaksam/vaksam/engine/ingest"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/synthetic"
)

// Complete is the file in a demo's data directory that says its
// synthetic population is committed whole: written only after the last
// record is and the store is closed.
const Complete = "demo-population-complete"

// IngestSource is the source the demo's ingest user pushes.
const IngestSource = record.Kronofogden

// Options say which demo to ready.
type Options struct {
	// Data is the data directory; "": a temporary one, removed by Close.
	Data string
	Orgs int // organisations in the population
	// NATSKeys makes keys for a consumer and an ingest user of the
	// embedded NATS server.
	NATSKeys bool
	// Persons returns the data directory's person pseudonymizer (nil:
	// service.DataPseudonymizer).
	Persons func(data string) (record.Pseudonymizer, error)
	Clock   connectors.Clock
	Log     *slog.Logger
}

// Demo is a readied demo data directory.
type Demo struct {
	Data string
	// Built says that this start built the population, of Orgs
	// organisations and Records records.
	Built         bool
	Orgs, Records int
	// Users are the demo's users; Passwords theirs, by user id.
	Users     []access.User
	Passwords map[string]string
	// Tokens are the demo's API tokens: one, an ordering system's
	// (access.DemoToken); Bearer its credential, "<id>.<secret>".
	Tokens []access.Token
	Bearer string
	// NATS are the embedded server's demo clients: the consumer first.
	NATS []Credential

	temporary bool
	fake      *bolagsverket.Fake
}

// Credential is a demo NATS client's key, its seed in a file.
type Credential struct {
	User bus.User
	File string
}

// Prepare fills the data directory with the synthetic population the first
// time, starts the fake authority and points cfg's sources at it. Close
// stops the fake and removes a temporary data directory.
func Prepare(ctx context.Context, o Options, cfg *settings.Config) (*Demo, error) {
	if o.Persons == nil {
		o.Persons = service.DataPseudonymizer
	}
	d := &Demo{Data: o.Data, Orgs: o.Orgs}
	if d.Data == "" {
		tmp, err := os.MkdirTemp("", "vaksam-serve-demo-")
		if err != nil {
			return nil, err
		}
		d.Data, d.temporary = tmp, true
	}
	if err := d.prepare(ctx, o, cfg); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *Demo) prepare(ctx context.Context, o Options, cfg *settings.Config) error {
	files := filepath.Join(d.Data, "demo-files")
	if err := d.ensurePopulation(ctx, o, files); err != nil {
		return err
	}
	fake, err := bolagsverket.LoadFake(files, bolagsverket.FakeConfig{Clock: o.Clock, Log: o.Log})
	if err != nil {
		return fmt.Errorf("demo: fake Bolagsverket: %w", err)
	}
	d.fake = fake
	if err := failAsPlanted(fake, files); err != nil {
		return fmt.Errorf("demo: fake Bolagsverket: %w", err)
	}
	// The connector reads its credentials from files, as in a deployment.
	secrets := filepath.Join(d.Data, "demo-secrets")
	if err := os.MkdirAll(secrets, 0o700); err != nil {
		return err
	}
	id, sec := filepath.Join(secrets, "bolagsverket-client-id"), filepath.Join(secrets, "bolagsverket-client-secret")
	if err := os.WriteFile(id, []byte(fake.ClientID()), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(sec, []byte(fake.ClientSecret()), 0o600); err != nil {
		return err
	}
	cfg.Sources.Bolagsverket = &struct {
		BaseURL      string          `yaml:"base_url"`
		TokenURL     string          `yaml:"token_url"`
		ClientID     settings.Secret `yaml:"client_id"`
		ClientSecret settings.Secret `yaml:"client_secret"`
	}{BaseURL: fake.URL, TokenURL: fake.TokenURL, ClientID: settings.Secret{File: id}, ClientSecret: settings.Secret{File: sec}}
	if cfg.Municipality == (settings.Municipality{}) {
		cfg.Municipality = settings.DemoMunicipality
	}
	d.Users, d.Passwords = access.DemoUsers()
	tok, bearer := access.DemoToken()
	d.Tokens, d.Bearer = []access.Token{tok}, bearer
	if o.NATSKeys {
		if d.NATS, err = writeCredentials(d.Data); err != nil {
			return fmt.Errorf("demo: NATS keys: %w", err)
		}
	}
	return nil
}

// NATSUsers are the embedded server's users for the demo's clients.
func (d *Demo) NATSUsers() []bus.User {
	var users []bus.User
	for _, c := range d.NATS {
		users = append(users, c.User)
	}
	return users
}

// Close stops the fake authority and removes a temporary data directory.
func (d *Demo) Close() {
	if d.fake != nil {
		d.fake.Close()
	}
	if d.temporary {
		os.RemoveAll(d.Data)
	}
}

// ensurePopulation fills the data directory with the synthetic
// population unless a complete one is there. A store without the
// completion marker is a population a killed start left half-filled: it
// is removed with the files and the NATS streams made from it, and built
// again. A store without the marker in a directory that has no demo files
// is no demo's and is refused, not removed.
func (d *Demo) ensurePopulation(ctx context.Context, o Options, files string) error {
	marker := filepath.Join(d.Data, Complete)
	switch _, err := os.Stat(marker); {
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("demo: %w", err)
	}
	storeDir := filepath.Join(d.Data, "store")
	switch _, err := os.Stat(storeDir); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("demo: %w", err)
	default:
		if _, err := os.Stat(files); err != nil {
			return fmt.Errorf("demo: %s holds a store but no demo files (%s): not a demo's data directory; give --demo a new or empty one", d.Data, files)
		}
		o.Log.Warn("demo: the synthetic population in the data directory is incomplete (an earlier start was interrupted): building it again", "data", d.Data)
		for _, dir := range []string{storeDir, files, filepath.Join(d.Data, "nats")} {
			if err := os.RemoveAll(dir); err != nil {
				return fmt.Errorf("demo: remove the incomplete population: %w", err)
			}
		}
	}
	return d.population(ctx, o, files, marker)
}

// population generates the synthetic suppliers as of now, ingests them
// through the importers, closes the store and then writes the completion
// marker.
func (d *Demo) population(ctx context.Context, o Options, files, marker string) error {
	man, err := synthetic.Generate(files, synthetic.Config{Seed: 1, Orgs: o.Orgs, Now: o.Clock.Now()})
	if err != nil {
		return err
	}
	st, err := service.CreateStore(d.Data, o.Log)
	if err != nil {
		return err
	}
	c, err := func() (ingest.Counts, error) {
		persons, err := o.Persons(d.Data)
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
		_, err := fmt.Fprintf(w, "%d synthetic suppliers, %d records\n", o.Orgs, c.Records())
		return err
	}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	d.Built, d.Records = true, c.Records()
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

// writeCredentials makes the keys of a consumer and of an ingest user for
// IngestSource, new at every start, their seeds in files (0600) in
// data/nats-credentials (0700).
func writeCredentials(data string) ([]Credential, error) {
	dir := filepath.Join(data, "nats-credentials")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, err
	}
	users := []bus.User{
		{Name: "consumer", Role: bus.RoleConsumer},
		{Name: "ingest-" + IngestSource, Role: bus.RoleIngest, Source: IngestSource},
	}
	var out []Credential
	for _, u := range users {
		kp, err := nkeys.CreateUser()
		if err != nil {
			return nil, err
		}
		if u.NKey, err = kp.PublicKey(); err != nil {
			return nil, err
		}
		seed, err := kp.Seed()
		if err != nil {
			return nil, err
		}
		file := filepath.Join(dir, u.Name+".nk")
		if err := service.WriteSeed(file, seed, true); err != nil {
			return nil, err
		}
		out = append(out, Credential{User: u, File: file})
	}
	return out, nil
}
