package service

import (
	"log/slog"

	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// NewDesk is the review desk over a store with the configured rules (the
// hearing minimum, the deadlines per step).
func NewDesk(r settings.Review, st *store.Store, log *slog.Logger) *review.Desk {
	return &review.Desk{Store: st, Log: log, HearingDays: r.HearingDaysInForce(), SLA: r.SLAInForce()}
}

// OpenScreener reads the thresholds and the rule set cfg names (rulePath,
// when given, instead of its rule_path), then opens the store with open,
// and returns the Screener over it with its review desk: the Screener
// saves through the desk, so that the alerts follow every assessment, and
// there is no way to have one without the other. A configuration that
// does not load opens no store. The caller closes the store.
func OpenScreener(cfg *settings.Config, rulePath string, open func() (*store.Store, error), log *slog.Logger) (*screening.Screener, *review.Desk, *rules.Set, error) {
	ec, set, err := cfg.ScreeningRules(rulePath)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := open()
	if err != nil {
		return nil, nil, nil, err
	}
	d := NewDesk(cfg.Review, st, log)
	sc, err := screening.NewScreener(st, func() *rules.Set { return set }, ec, d.OnSave)
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	sc.Log = log
	return sc, d, set, nil
}
