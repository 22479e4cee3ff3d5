package service_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/service"
)

// The parts stop in the reverse order of their start, each once, the
// running ones after their context ends; errors name their part.
func TestLifecycleStopsInReverseOnce(t *testing.T) {
	var l service.Lifecycle
	var stopped []string
	add := func(name string, err error) {
		l.Add(name, func(context.Context) error { stopped = append(stopped, name); return err })
	}
	add("nats", nil)
	add("publisher", errors.New("not drained"))
	ran := make(chan struct{})
	l.Go(context.Background(), "loop", func(ctx context.Context) error {
		close(ran)
		<-ctx.Done()
		stopped = append(stopped, "loop")
		return ctx.Err()
	})
	<-ran
	add("http", nil)

	err := l.Stop(context.Background())
	if want := []string{"http", "loop", "publisher", "nats"}; !slices.Equal(stopped, want) {
		t.Errorf("stopped %v, want %v", stopped, want)
	}
	if err == nil || !strings.Contains(err.Error(), "publisher: not drained") {
		t.Errorf("error %v, want the publisher's", err)
	}
	if err := l.Stop(context.Background()); err != nil || len(stopped) != 4 {
		t.Errorf("a second Stop: %v, stopped %v", err, stopped)
	}
	// A part that starts after the stop is stopped at once.
	add("late", nil)
	if stopped[len(stopped)-1] != "late" {
		t.Errorf("a part added after Stop runs on: %v", stopped)
	}
}
