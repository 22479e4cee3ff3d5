package review

import (
	"testing"
	"time"

	"github.com/vaksam/vaksam/engine/ladder"
	records "github.com/vaksam/vaksam/engine/record"
)

func sthlm(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, records.Stockholm)
}

func TestAddWorkdays(t *testing.T) {
	for _, tc := range []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"same day", sthlm(2026, 12, 8).Add(15 * time.Hour), 0, sthlm(2026, 12, 8)},
		{"over a weekend", sthlm(2026, 12, 4), 1, sthlm(2026, 12, 7)},
		{"over christmas and new year", sthlm(2026, 12, 23), 4, sthlm(2027, 1, 4)},
		{"over trettondedag jul", sthlm(2027, 1, 5), 1, sthlm(2027, 1, 7)},
		{"over easter 2027", sthlm(2027, 3, 25), 1, sthlm(2027, 3, 30)},
		{"over midsommar 2026", sthlm(2026, 6, 18), 1, sthlm(2026, 6, 22)},
		{"over nationaldagen 2025 (a friday)", sthlm(2025, 6, 5), 1, sthlm(2025, 6, 9)},
		// 23:30 UTC on 4 December is 00:30 on Saturday 5 December in Stockholm.
		{"the day is Stockholm's", time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC), 1, sthlm(2026, 12, 7)},
		{"ten days", sthlm(2026, 11, 2), 10, sthlm(2026, 11, 16)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AddWorkdays(tc.from, tc.n); !got.Equal(tc.want) {
				t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
			}
		})
	}
	for day, want := range map[time.Time]bool{sthlm(2026, 12, 24): false, sthlm(2026, 12, 28): true, sthlm(2026, 5, 1): false,
		sthlm(2026, 5, 14): false, sthlm(2026, 12, 5): false} {
		if got := Workday(day); got != want {
			t.Errorf("Workday(%s) = %v, want %v", day.Format(time.DateOnly), got, want)
		}
	}
}

func TestDueAndPastDue(t *testing.T) {
	sla := SLA{ladder.L2: 10, ladder.L3: 2}
	e := newEnv(t)
	// Opened at L3 on Monday 2 November 2026 (day(2)): due Wednesday 4th.
	al := e.opened(org1)
	if got, want := sla.Due(e.alert(al.ID)), sthlm(2026, 11, 4); !got.Equal(want) {
		t.Fatalf("due %s, want %s", got, want)
	}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{{sthlm(2026, 11, 4).Add(23 * time.Hour), false}, {sthlm(2026, 11, 5), true}} {
		if got := sla.PastDue(e.alert(al.ID), tc.at); got != tc.want {
			t.Errorf("past due at %s = %v, want %v", tc.at, got, tc.want)
		}
	}
	// Back to L2 on 3 November: ten working days from then.
	e.save(assessment(org1, day(3), ladder.L2, 30, "S04"))
	if got, want := sla.Due(e.alert(al.ID)), sthlm(2026, 11, 17); !got.Equal(want) {
		t.Fatalf("due at L2 %s, want %s", got, want)
	}
	// A step without a deadline, and a halted alert, have none.
	if got := (SLA{ladder.L3: 2}).Due(e.alert(al.ID)); !got.IsZero() {
		t.Errorf("due without an SLA for L2: %s", got)
	}
	e.decide(request(al.ID, Avropsstopp, "anna"), day(4))
	if got := sla.Due(e.alert(al.ID)); !got.IsZero() || sla.PastDue(e.alert(al.ID), day(30)) {
		t.Errorf("halted: due %s", got)
	}
}
