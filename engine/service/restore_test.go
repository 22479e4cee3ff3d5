package service_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/store"
)

// Restore puts a backup's store and pseudonym key in place; a second
// restore over them is refused, touching nothing, unless forced, when the
// store and the different key in place are moved aside, not deleted.
func TestRestore(t *testing.T) {
	_, _, st, _ := setup(t)
	var backup bytes.Buffer
	key := []byte("the backup's pseudonym key")
	if _, err := st.Backup(&backup, store.BackupOptions{Created: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC),
		Files: map[string][]byte{service.PseudonymKeyFile: key}}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "vaksam.backup")
	if err := os.WriteFile(file, backup.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	keyPath := filepath.Join(data, service.PseudonymKeyFile)
	opts := service.RestoreOptions{DataDir: data, Name: file, KeyPath: keyPath, Stamp: "20261121T090000Z"}
	r, err := service.Restore(opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(keyPath); !bytes.Equal(got, key) || r.KeyErr != nil || r.OldStore != "" {
		t.Fatalf("key %q (%v), old store %q", got, r.KeyErr, r.OldStore)
	}
	if err := os.WriteFile(keyPath, []byte("another key"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = service.Restore(opts)
	if err == nil || !strings.Contains(err.Error(), "exists") || !strings.Contains(err.Error(), "differs from the backup's") {
		t.Fatalf("restore over a store and another key: %v, want both refused", err)
	}
	if got, _ := os.ReadFile(keyPath); string(got) != "another key" {
		t.Fatalf("a refused restore changed the key to %q", got)
	}
	opts.Force = true
	r, err = service.Restore(opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.OldStore != filepath.Join(data, "store.replaced-20261121T090000Z") {
		t.Errorf("old store moved to %q", r.OldStore)
	}
	if got, _ := os.ReadFile(keyPath + ".replaced-20261121T090000Z"); string(got) != "another key" {
		t.Errorf("the replaced key was not kept: %q", got)
	}
	reopened, err := store.Open(r.Target, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reopened.Close()
}
