package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/web"
)

// startHTTP serves the API, the web UI and the operators' endpoints; it
// returns the base URL and a function that shuts the server down
// gracefully.
func (v *Vaksam) startHTTP(check web.Checker, persons record.Pseudonymizer) (string, func(), error) {
	hc := v.cfg.HTTP
	listen := v.opts.HTTPAddr
	if listen == "" {
		listen = hc.Listen
	}
	fallback := listen == ""
	if fallback {
		listen = "127.0.0.1:8080"
	}
	users, tokens := append(slices.Clip(v.cfg.Users), v.opts.Users...), append(slices.Clip(v.cfg.Tokens), v.opts.Tokens...)
	dir, err := access.NewDirectory(users, tokens)
	if err != nil {
		return "", nil, err
	}
	if len(users) == 0 && len(tokens) == 0 {
		v.log.Warn("no users or tokens configured: nobody can sign in (add a users section, or run --demo)")
	}
	log := &audit.Log{Store: v.sc.Store}
	guard := &access.Guard{Dir: dir, Sessions: access.NewSessions(v.now), Now: v.now,
		Secure: hc.SecureCookies || hc.TLSCert != "", TrustedOrigins: hc.TrustedOrigins,
		OnLogin: web.AuditLogins(log, v.log), OnSSOLogin: web.AuditSSOLogins(log, v.log)}
	if len(hc.TrustedProxies) > 0 {
		px, err := access.NewProxies(hc.TrustedProxies, hc.ForwardedHeader)
		if err != nil {
			return "", nil, fmt.Errorf("http: %w", err)
		}
		guard.ClientIP = px.ClientIP
	}
	if guard.SSO, err = v.startSSO(context.Background()); err != nil {
		return "", nil, err
	}
	if err := guard.Check(); err != nil {
		return "", nil, err
	}
	api := &web.Server{Store: v.sc.Store, Screener: v.sc, Desk: v.desk, Audit: log, Guard: guard,
		Check: check, Now: v.now, Log: v.log, Persons: persons, Version: v.opts.Version, RuleOverrides: v.cfg.Rules,
		Municipality: web.Municipality{Name: v.cfg.Municipality.Name, LogoText: v.cfg.Municipality.LogoText}}
	api.Footer = web.Footer(v.cfg.Footer) // the same fields, without the YAML tags
	api.Watchlist = v.sc.Lists            // the screener's lists: one index for screening, search and judgements
	api.Shadow = v.shadow
	ln, err := net.Listen("tcp", listen)
	if err != nil && fallback {
		v.log.Warn("port 8080 is taken; the web server listens on a free port", "address", listen)
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return "", nil, fmt.Errorf("http: listen %s: %w", listen, err)
	}
	mux := http.NewServeMux()
	v.ops.handle(mux)
	mux.Handle("/", api.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	scheme := "http"
	go func() {
		var err error
		if hc.TLSCert != "" {
			err = hs.ServeTLS(ln, hc.TLSCert, hc.TLSKey)
		} else {
			err = hs.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			v.log.Error("http server", "err", err)
		}
	}()
	if hc.TLSCert != "" {
		scheme = "https"
	}
	addr := ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	url := scheme + "://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
	shutdown := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			v.log.Warn("http shutdown", "err", err)
		}
	}
	return url, shutdown, nil
}

// startSSO makes the guard's single sign-on from the oidc section, nil
// when there is none, and tries the provider's discovery once: a provider
// that does not answer now is logged and tried again at the first login.
func (v *Vaksam) startSSO(ctx context.Context) (*access.SSO, error) {
	if v.cfg.OIDC == nil {
		return nil, nil
	}
	cfg, err := v.cfg.OIDC.SSOConfig(&http.Client{Timeout: 15 * time.Second})
	if err != nil {
		return nil, err
	}
	sso, err := access.NewSSO(cfg, v.now)
	if err != nil {
		return nil, err
	}
	if err := sso.Discover(ctx); err != nil {
		v.log.Warn("single sign-on: the provider does not answer; tried again at the first login", "issuer", cfg.Issuer, "err", err)
	}
	groups := make([]string, 0, len(cfg.Roles))
	for g := range cfg.Roles {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	v.log.Info("single sign-on", "issuer", cfg.Issuer, "client_id", cfg.ClientID, "groups", slices.Clip(groups))
	return sso, nil
}
