package health

import (
	"encoding/json"
	"net/http"
)

// Check is one condition of readiness: Fn returns nil when it holds, or
// an error saying what is wrong.
type Check struct {
	Name string
	Fn   func() error
}

// Result is a check's outcome in a report.
type Result struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Report is the body of /readyz.
type Report struct {
	Status string   `json:"status"` // ready or unready
	Checks []Result `json:"checks"`
}

// Ready reports whether every check passed.
func (r Report) Ready() bool { return r.Status == "ready" }

// Checker runs the readiness checks.
type Checker struct {
	Checks []Check
}

// Run runs every check, in order, and reports all of them.
func (c *Checker) Run() Report {
	rep := Report{Status: "ready", Checks: make([]Result, 0, len(c.Checks))}
	for _, ch := range c.Checks {
		res := Result{Name: ch.Name, OK: true}
		if err := ch.Fn(); err != nil {
			res.OK, res.Error = false, err.Error()
			rep.Status = "unready"
		}
		rep.Checks = append(rep.Checks, res)
	}
	return rep
}

// Live serves /healthz: the process is alive when it answers.
func Live(w http.ResponseWriter, r *http.Request) {
	write(w, http.StatusOK, map[string]string{"status": "alive"})
}

// ServeHTTP serves /readyz: 200 when ready, 503 with what is wrong.
func (c *Checker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep := c.Run()
	code := http.StatusOK
	if !rep.Ready() {
		code = http.StatusServiceUnavailable
	}
	write(w, code, rep)
}

func write(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
