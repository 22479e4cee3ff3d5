package store

import (
	"errors"
	"testing"
)

func TestCheckAndCollectGarbage(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Small: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("open store: %v", err)
	}
	if _, err := s.CollectGarbage(0.5); err != nil {
		t.Fatalf("gc of an empty store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed store: %v, want ErrClosed", err)
	}
}
