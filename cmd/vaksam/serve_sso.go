package main

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/vaksam/vaksam/engine/access"
)

// startSSO makes the guard's single sign-on from the oidc section, nil
// when there is none, and tries the provider's discovery once: a provider
// that does not answer now is logged and tried again at the first login.
func (s *server) startSSO(ctx context.Context) (*access.SSO, error) {
	if s.cfg.OIDC == nil {
		return nil, nil
	}
	cfg, err := s.cfg.OIDC.SSOConfig(&http.Client{Timeout: 15 * time.Second})
	if err != nil {
		return nil, err
	}
	sso, err := access.NewSSO(cfg, s.a.now)
	if err != nil {
		return nil, err
	}
	if err := sso.Discover(ctx); err != nil {
		s.a.log.Warn("single sign-on: the provider does not answer; tried again at the first login", "issuer", cfg.Issuer, "err", err)
	}
	groups := make([]string, 0, len(cfg.Roles))
	for g := range cfg.Roles {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	s.a.log.Info("single sign-on", "issuer", cfg.Issuer, "client_id", cfg.ClientID, "groups", slices.Clip(groups))
	return sso, nil
}
