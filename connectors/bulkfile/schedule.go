package bulkfile

import "time"

// Schedule says when the weekly bulk file is fetched: on Weekday at
// Hour:Minute in Location, every Weeks weeks. The zero value is Sunday
// 00:00 Europe/Stockholm, every week; DefaultSchedule is Monday 06:00.
type Schedule struct {
	Weekday      time.Weekday
	Hour, Minute int
	Weeks        int            // interval in weeks; default 1
	Location     *time.Location // default Europe/Stockholm
}

// DefaultSchedule fetches every Monday at 06:00 Swedish time; Bolagsverket
// publishes the file weekly.
var DefaultSchedule = Schedule{Weekday: time.Monday, Hour: 6}

var stockholm = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Stockholm"); err == nil {
		return l
	}
	return time.UTC
}()

// NextRun is DefaultSchedule.NextRun.
func NextRun(last time.Time) time.Time { return DefaultSchedule.NextRun(last) }

// NextRun returns the first scheduled time at least Weeks weeks' worth of
// slots after last: the next slot strictly after last, then Weeks-1 more
// weeks. A zero last (never run) returns the zero time: due now.
// Slots are wall-clock times in Location, so a run stays at 06:00 across
// daylight-saving changes.
func (s Schedule) NextRun(last time.Time) time.Time {
	if last.IsZero() {
		return time.Time{}
	}
	loc := s.Location
	if loc == nil {
		loc = stockholm
	}
	weeks := s.Weeks
	if weeks < 1 {
		weeks = 1
	}
	l := last.In(loc)
	days := (int(s.Weekday) - int(l.Weekday()) + 7) % 7
	next := time.Date(l.Year(), l.Month(), l.Day()+days, s.Hour, s.Minute, 0, 0, loc)
	if !next.After(last) {
		next = time.Date(l.Year(), l.Month(), l.Day()+days+7, s.Hour, s.Minute, 0, 0, loc)
	}
	if weeks > 1 {
		next = time.Date(next.Year(), next.Month(), next.Day()+7*(weeks-1), s.Hour, s.Minute, 0, 0, loc)
	}
	return next
}
