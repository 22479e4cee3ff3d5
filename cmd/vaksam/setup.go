package main

import (
	"log/slog"

	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/engine/service"
	"github.com/vaksam/vaksam/engine/settings"
	"github.com/vaksam/vaksam/engine/store"
	"github.com/vaksam/vaksam/rules"
)

// openStore opens the data directory's store. One named by --data (from
// fromFlag) must exist (existingDataDir); the configuration's data_dir
// (fromConfig) is made when missing. createStore is for the commands
// that make a store whatever named it.
func openStore(dir, from string) (*store.Store, error) { return openLoggedStore(dir, from, nil) }

// openLoggedStore is openStore with a store that logs to log.
func openLoggedStore(dir, from string, log *slog.Logger) (*store.Store, error) {
	if from != fromFlag {
		return createLoggedStore(dir, log)
	}
	if err := existingDataDir(dir); err != nil {
		return nil, err
	}
	return service.CreateStore(dir, log)
}

// screener opens the data directory's store and a Screener with the
// configuration and rules the flags name; an empty dataDir is the
// configuration's data_dir. The caller closes the store.
func (a *app) screener(dataDir, cfgPath, rulePath string) (*screening.Screener, *rules.Set, error) {
	cfg, err := settings.Load(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	return a.openScreener(cfg, dataDir, rulePath)
}

// openScreener is screener for a command that has read the configuration
// already (service.OpenScreener: the Screener with its review desk).
func (a *app) openScreener(cfg *settings.Config, dataDir, rulePath string) (*screening.Screener, *rules.Set, error) {
	sc, _, set, err := service.OpenScreener(cfg, rulePath, func() (*store.Store, error) {
		return openLoggedStore(cfg.DataDirOr(dataDir), dataDirFrom(dataDir, cfg.DataDir), a.log)
	}, a.log)
	return sc, set, err
}
