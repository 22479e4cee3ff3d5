package review

import "github.com/vaksam/vaksam/engine/event"

// Status is where the work on an alert stands, as the users follow it.
// The stored state (ny, utreds, beslutad, stangd) says what was last done
// to the alert; the status adds what is in force or awaited, so that a
// termination awaiting approval does not read "ny" and a halted supplier
// does not read "avropsstopp föreslås".
type Status string

// The statuses of an alert, from the gravest fact down: the first that
// holds is the alert's (Alert.Status).
const (
	StatusStangd            Status = "stangd"             // closed (perhaps snoozed)
	StatusVantarGodkannande Status = "vantar_godkannande" // a decision awaits a second person's approval
	StatusAvropsstopp       Status = "avropsstopp"        // halted: an avropsstopp decided on the alert is in force
	StatusBeslutad          Status = "beslutad"           // a decision took effect
	StatusUtreds            Status = "utreds"             // under investigation by its handler
	StatusNy                Status = "ny"                 // new, nobody has it yet
)

// Statuses lists every status in the order of Alert.Status.
var Statuses = []Status{StatusStangd, StatusVantarGodkannande, StatusAvropsstopp, StatusBeslutad, StatusUtreds, StatusNy}

// Status is the alert's status: closed; else a decision awaiting
// approval; else halted, when the newest avropsstopp or hav_avropsstopp
// that took effect on the alert is an avropsstopp (the halt stays in
// force while the case goes on, assigned again or decided further);
// else its state. It is read from the alert alone, so stored alerts have
// it too.
func (a *Alert) Status() Status {
	switch {
	case a.State == Stangd:
		return StatusStangd
	case a.Pending != "":
		return StatusVantarGodkannande
	case a.Halted():
		return StatusAvropsstopp
	case a.State == Beslutad:
		return StatusBeslutad
	case a.State == Utreds:
		return StatusUtreds
	}
	return StatusNy
}

// Halted reports whether an avropsstopp decided on the open alert is in
// force: its history's newest halt or lift that took effect is a halt.
func (a *Alert) Halted() bool {
	if a.State == Stangd {
		return false
	}
	for i := len(a.History) - 1; i >= 0; i-- {
		e := a.History[i]
		if e.What != event.AlertDecided {
			continue
		}
		switch e.Reason {
		case string(Avropsstopp):
			return true
		case string(HavAvropsstopp):
			return false
		}
	}
	return false
}
