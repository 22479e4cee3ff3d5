package connectors

import (
	"errors"
	"net/url"
)

// RedactURL returns raw with every query value and any password replaced
// by "xxxxx", for logs and errors: some sources take their credential in
// the URL (the EU's sanctions file a ?token=…). A URL that does not parse
// is returned as "(unparsable URL)".
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		} else {
			u.User = url.User("xxxxx")
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k, vs := range q {
			for i := range vs {
				vs[i] = "xxxxx"
			}
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// RedactURLError replaces the URL a *url.Error in err's chain names (the
// HTTP client's errors name the request's URL) by its redacted form, and
// returns err.
func RedactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = RedactURL(ue.URL)
	}
	return err
}
