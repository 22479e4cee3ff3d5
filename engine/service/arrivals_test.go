package service_test

import (
	"maps"
	"testing"
	"time"

	"github.com/vaksam/vaksam/connectors/scb"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
)

// TestFetcherEverySource sets up a Fetcher with every source configured:
// each source of the registry gets the fetcher or inbox its Arrival says,
// and an import-only source none.
func TestFetcherEverySource(t *testing.T) {
	scr, _, _, _ := setup(t)
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	pki, err := scb.NewPKI(t.TempDir(), scb.PKIOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("VAKSAM_TEST_SECRET", "not a secret")
	env := settings.Secret{Env: "VAKSAM_TEST_SECRET"}
	var src settings.Sources
	src.Inbox = t.TempDir()
	src.Bolagsverket = &struct {
		BaseURL      string          `yaml:"base_url"`
		TokenURL     string          `yaml:"token_url"`
		ClientID     settings.Secret `yaml:"client_id"`
		ClientSecret settings.Secret `yaml:"client_secret"`
	}{BaseURL: "https://127.0.0.1:1/", TokenURL: "https://127.0.0.1:1/token", ClientID: env, ClientSecret: env}
	src.SCB = &struct {
		BaseURL        string          `yaml:"base_url"`
		CertFile       string          `yaml:"cert_file"`
		KeyFile        string          `yaml:"key_file"`
		PKCS12File     string          `yaml:"pkcs12_file"`
		PKCS12Password settings.Secret `yaml:"pkcs12_password"`
		CAFile         string          `yaml:"ca_file"`
		BatchSize      int             `yaml:"batch_size"`
	}{BaseURL: "https://127.0.0.1:1/api", PKCS12File: pki.ClientPKCS12File, PKCS12Password: settings.Secret{Env: "VAKSAM_TEST_P12"}, CAFile: pki.CAFile}
	t.Setenv("VAKSAM_TEST_P12", pki.PKCS12Password)
	src.BolagsverketBulk = &struct {
		URL string `yaml:"url"`
	}{URL: "https://127.0.0.1:1/bulk.zip"}
	f := &service.Fetcher{Screening: scr, Clock: instantClock{now}, Sources: src, Data: t.TempDir()}
	if err := f.Setup(); err != nil {
		t.Fatal(err)
	}
	want := map[string]record.Arrival{}
	for _, s := range record.Registry {
		if s.Arrival != record.ByImportOnly {
			want[s.Name] = s.Arrival
		}
	}
	if got := f.Arrivals(); !maps.Equal(got, want) {
		t.Errorf("Setup arranged %v, the source registry says %v", got, want)
	}
}
