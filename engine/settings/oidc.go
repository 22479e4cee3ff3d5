package settings

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vaksam/vaksam/engine/access"
)

// OIDC is the configuration file's oidc section: single sign-on
// with an OpenID Connect provider beside the users of the file.
type OIDC struct {
	Issuer        string                   `yaml:"issuer"`
	ClientID      string                   `yaml:"client_id"`
	ClientSecret  Secret                   `yaml:"client_secret"`
	RedirectURL   string                   `yaml:"redirect_url"`
	Name          string                   `yaml:"name"`
	Scopes        []string                 `yaml:"scopes"`
	UsernameClaim string                   `yaml:"username_claim"`
	NameClaim     string                   `yaml:"name_claim"`
	GroupsClaim   string                   `yaml:"groups_claim"`
	Roles         map[string][]access.Role `yaml:"roles"`
}

// SSOConfig is the section as access.NewSSO takes it; the client secret
// is read from its file or variable.
func (c *OIDC) SSOConfig(client *http.Client) (access.SSOConfig, error) {
	cfg := access.SSOConfig{Issuer: c.Issuer, ClientID: c.ClientID, RedirectURL: c.RedirectURL, Name: c.Name,
		Scopes: c.Scopes, UsernameClaim: c.UsernameClaim, NameClaim: c.NameClaim, GroupsClaim: c.GroupsClaim,
		Roles: c.Roles, HTTPClient: client}
	if c.ClientSecret.IsSet() {
		v, err := c.ClientSecret.Value("oidc.client_secret")
		if err != nil {
			return cfg, err
		}
		cfg.ClientSecret = v
	}
	return cfg, nil
}

// checkOIDC finds the problems of the oidc section, each at its key, and
// of tokens whose owner is nobody known: no user of the file, and no
// single sign-on to bring them.
func checkOIDC(c *Config, src *Source) Problems {
	var ps Problems
	add := func(path, format string, a ...any) { ps = append(ps, src.at(path, format, a...)) }
	if o := c.OIDC; o != nil {
		urlOK := map[string]bool{}
		for _, u := range []struct{ key, val string }{{"issuer", o.Issuer}, {"redirect_url", o.RedirectURL}} {
			if u.val == "" {
				add("oidc."+u.key, "missing")
			} else if err := checkHTTPURL(u.val); err != nil {
				add("oidc."+u.key, "%v", err)
			} else {
				urlOK[u.key] = true
			}
		}
		if o.ClientID == "" {
			add("oidc.client_id", "missing")
		}
		oneWay(add, "oidc.client_secret", o.ClientSecret)
		// NewSSO's own checks of the redirect URL's path and of the roles,
		// placed at their keys; what was reported above stands in for
		// itself.
		cfg := access.SSOConfig{Issuer: "https://issuer.invalid", ClientID: "x", RedirectURL: "https://vaksam.invalid" + access.SSOCallbackPath,
			Roles: o.Roles}
		if urlOK["redirect_url"] {
			cfg.RedirectURL = o.RedirectURL
		}
		// Only the configuration is checked: no clock is read.
		if _, err := access.NewSSO(cfg, func() time.Time { return time.Time{} }); err != nil {
			for line := range strings.SplitSeq(strings.TrimPrefix(err.Error(), "access: sso: "), "\n") {
				for _, key := range []string{"redirect_url", "roles"} {
					if rest, ok := strings.CutPrefix(line, key+": "); ok {
						add("oidc."+key, "%s", rest)
					}
				}
			}
		}
	}
	norm := func(id string) string { return strings.ToLower(strings.TrimSpace(id)) }
	users := map[string]bool{}
	for _, u := range c.Users {
		users[norm(u.ID)] = true
	}
	for i, t := range c.Tokens {
		if o := norm(t.Owner); o != "" && !users[o] && c.OIDC == nil {
			add(fmt.Sprintf("tokens[%d].owner", i), "no user %q: an owner is a user of this file, or someone who signs in through single sign-on (oidc)", o)
		}
	}
	return ps
}
