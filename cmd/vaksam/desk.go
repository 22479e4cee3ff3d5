package main

import (
	"log/slog"

	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
)

// desk is the review desk over a store with these rules.
func desk(r settings.Review, st *store.Store, log *slog.Logger) *review.Desk {
	return &review.Desk{Store: st, Log: log, HearingDays: r.HearingDaysInForce()}
}
