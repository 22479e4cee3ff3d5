package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/web"
)

// startHTTP serves the API and the web UI; it returns the base URL and a
// function that shuts the server down gracefully.
func (s *server) startHTTP(listen string, users []access.User, tokens []access.Token, check web.Checker) (string, func(), error) {
	hc := s.cfg.HTTP
	if listen == "" {
		listen = hc.Listen
	}
	fallback := listen == ""
	if fallback {
		listen = "127.0.0.1:8080"
	}
	dir, err := access.NewDirectory(users, tokens)
	if err != nil {
		return "", nil, err
	}
	if len(users) == 0 && len(tokens) == 0 {
		s.a.log.Warn("no users or tokens configured: nobody can sign in (add a users section, or run --demo)")
	}
	log := &audit.Log{Store: s.sc.Store}
	guard := &access.Guard{Dir: dir, Sessions: access.NewSessions(s.a.now), Now: s.a.now,
		Secure: hc.SecureCookies || hc.TLSCert != "", TrustedOrigins: hc.TrustedOrigins,
		OnLogin: web.AuditLogins(log, s.a.log), OnSSOLogin: web.AuditSSOLogins(log, s.a.log)}
	if len(hc.TrustedProxies) > 0 {
		px, err := access.NewProxies(hc.TrustedProxies, hc.ForwardedHeader)
		if err != nil {
			return "", nil, fmt.Errorf("http: %w", err)
		}
		guard.ClientIP = px.ClientIP
	}
	if guard.SSO, err = s.startSSO(context.Background()); err != nil {
		return "", nil, err
	}
	if err := guard.Check(); err != nil {
		return "", nil, err
	}
	api := &web.Server{Store: s.sc.Store, Screener: s.sc, Desk: s.desk, Audit: log, Guard: guard,
		Check: check, Now: s.a.now, Log: s.a.log}
	ln, err := net.Listen("tcp", listen)
	if err != nil && fallback {
		s.a.log.Warn("port 8080 is taken; the web server listens on a free port", "address", listen)
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return "", nil, fmt.Errorf("http: listen %s: %w", listen, err)
	}
	mux := http.NewServeMux()
	s.ops.handle(mux)
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
			s.a.log.Error("http server", "err", err)
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
			s.a.log.Warn("http shutdown", "err", err)
		}
	}
	return url, shutdown, nil
}
