package review

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/se"

	"github.com/vaksam/vaksam/engine/ladder"
	records "github.com/vaksam/vaksam/engine/record"
)

// SLA is how many working days the work on an alert may take at each
// step: from when the alert reached its step (or was reopened) until a
// decision takes effect or awaits approval, or the alert is closed. A
// step it does not list has no deadline.
type SLA map[ladder.Step]int

// DefaultSLA is the SLA of a desk that is given none: the graver the
// step, the shorter the time.
var DefaultSLA = SLA{ladder.L2: 10, ladder.L3: 5, ladder.L4: 2, ladder.L5: 2}

// workdays is Sweden's working calendar: Monday to Friday, except the
// public holidays and the days the law on computing statutory time
// (lag (1930:173) om beräkning av lagstadgad tid) treats as such —
// midsommarafton, julafton and nyårsafton — which rickar/cal's se
// package lists with them.
var workdays = func() *cal.BusinessCalendar {
	c := cal.NewBusinessCalendar()
	c.Name, c.Cacheable = "se", true
	c.AddHoliday(se.Holidays...)
	return c
}()

// Workday reports whether the day t falls on, in Stockholm, is a working
// day in Sweden.
func Workday(t time.Time) bool {
	y, m, d := t.In(records.Stockholm).Date()
	return workdays.IsWorkday(time.Date(y, m, d, 12, 0, 0, 0, records.Stockholm))
}

// AddWorkdays is the day, in Stockholm, that is n (≥ 0) working days
// after the day of t, at its midnight: n = 0 is t's own day.
func AddWorkdays(t time.Time, n int) time.Time {
	y, m, d := t.In(records.Stockholm).Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, records.Stockholm)
	for ; n > 0; n-- {
		day = day.AddDate(0, 0, 1)
		for !workdays.IsWorkday(day) {
			day = day.AddDate(0, 0, 1)
		}
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, records.Stockholm)
}

// SLAInForce is the desk's SLA: SLA, or DefaultSLA when it is nil.
func (d *Desk) SLAInForce() SLA {
	if d.SLA == nil {
		return DefaultSLA
	}
	return d.SLA
}

// StepSince is when the alert reached its step: the oldest change of the
// newest run of changes at that step, not before it was last reopened.
func (a *Alert) StepSince() time.Time {
	since := a.OpenedAt
	for i := len(a.History) - 1; i >= 0; i-- {
		e := a.History[i]
		if e.Step != a.Step {
			break
		}
		since = e.At
		if e.What == Reopened {
			break
		}
	}
	return since
}

// Due is the last day (its midnight, in Stockholm) of the work on the
// alert at its step: the SLA's working days after the day it reached the
// step. It is zero when no deadline runs: the SLA has none for the step,
// or the work is done for now (the alert's status is neither ny nor
// utreds: decided, halted, awaiting approval, or closed).
func (s SLA) Due(a *Alert) time.Time {
	n, ok := s[a.Step]
	if st := a.Status(); !ok || n <= 0 || st != StatusNy && st != StatusUtreds {
		return time.Time{}
	}
	return AddWorkdays(a.StepSince(), n)
}

// PastDue reports whether the alert's deadline has passed at a time: its
// due day is over.
func (s SLA) PastDue(a *Alert, at time.Time) bool {
	due := s.Due(a)
	return !due.IsZero() && !at.Before(due.AddDate(0, 0, 1))
}
