package workplace

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/store"
)

// Case is one alert with what its page shows beside it: the alert view
// the API and the UI each render as the principal may see it.
type Case struct {
	Alert     *review.Alert
	Decisions []*review.Decision // oldest first
	Comments  []*review.Comment
	Halt      *review.Decision // the avropsstopp in force, nil for none
	// Current is the organisation's current assessment (Current), nil
	// when none is stored.
	Current *screening.Assessment
}

// Case builds the alert view of the alert id. The desk's errors are
// returned as they are (review.ErrNotFound for an unknown alert).
func (w *Workplace) Case(id string) (*Case, error) {
	a, err := w.Desk.Alert(id)
	if err != nil {
		return nil, err
	}
	c := &Case{Alert: a}
	if c.Decisions, err = w.Desk.Decisions(a.ID); err != nil {
		return nil, err
	}
	if c.Comments, err = w.Desk.Comments(a.ID); err != nil {
		return nil, err
	}
	if c.Halt, err = w.Desk.HaltInForce(a.Orgnr); err != nil {
		return nil, err
	}
	if c.Current, err = w.Current(a.Orgnr); err != nil {
		return nil, err
	}
	return c, nil
}

// Pending is the case's decision awaiting approval, nil for none.
func (c *Case) Pending() *review.Decision {
	if c.Alert.Pending == "" {
		return nil
	}
	for _, d := range c.Decisions {
		if d.ID == c.Alert.Pending {
			return d
		}
	}
	return nil
}

// Current is an organisation's current assessment, the one its alert
// follows and a decision rests on: its newest follow-up assessment. A
// pre-award check does not replace it; only when the organisation has no
// follow-up assessment at all is its newest check the current one (an
// alert opened by a check before checks stopped moving alerts). Nil when
// none is stored.
func (w *Workplace) Current(orgnr string) (*screening.Assessment, error) {
	_, data, err := w.Store.LatestAssessmentWhere(orgnr, func(data []byte) bool {
		var a struct{ Purpose string }
		return json.Unmarshal(data, &a) != nil || a.Purpose == screening.Monitor
	})
	if errors.Is(err, store.ErrNotFound) {
		_, data, err = w.Store.LatestAssessment(orgnr)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var a screening.Assessment
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("assessment: %w", err)
	}
	return &a, nil
}
