package event_test

import (
	"os"
	"strings"
	"testing"

	"github.com/vaksam/vaksam/engine/event"
)

// TestDocListsEveryEvent checks that docs/events.md explains every alert
// event and every action kind: a row of its table ("| `opened` |") and a
// mention in the overview. A new event or kind that consumers are not told
// of fails here (docs/extending.md, "An event").
func TestDocListsEveryEvent(t *testing.T) {
	data, err := os.ReadFile("../../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	overview, _, _ := strings.Cut(doc, "\n## Access")
	for _, group := range []struct {
		what  string
		names []string
	}{{"alert event", event.AlertEvents}, {"action kind", event.ActionKinds}} {
		for _, name := range group.names {
			if !strings.Contains(doc, "\n| `"+name+"` |") {
				t.Errorf("docs/events.md: no table row for the %s %q", group.what, name)
			}
			if !strings.Contains(overview, "`"+name+"`") {
				t.Errorf("docs/events.md: the overview does not name the %s %q", group.what, name)
			}
		}
	}
}
