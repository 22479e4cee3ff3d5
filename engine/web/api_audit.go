package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/excerpt"
)

// Audit listing limits.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 1000
)

type auditHead struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

type auditList struct {
	Entries []audit.Entry `json:"entries"`
	// Head is the chain's last entry when the list was read: record its
	// hash elsewhere to anchor the trail.
	Head auditHead `json:"head"`
	Next string    `json:"next,omitempty"` // the following entries, when there are more
}

// listAudit: GET /audit?from=&limit=, entries in chain order from the
// sequence number from (default 1).
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request, _ *access.Principal) error {
	q, err := queryParams(r, "from", "limit")
	if err != nil {
		return err
	}
	from := uint64(1)
	if v := q.Get("from"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n < 1 {
			return badField("from", "%s is not a sequence number (1 or more)", excerpt.Quote(v))
		}
		from = n
	}
	limit, err := intParam(q, "limit", DefaultAuditLimit, 1, MaxAuditLimit)
	if err != nil {
		return err
	}
	seq, hash, err := s.Audit.Head()
	if err != nil {
		return err
	}
	es, err := s.Audit.Entries(from, limit)
	if err != nil {
		return err
	}
	out := auditList{Entries: nonNil(es), Head: auditHead{Seq: seq, Hash: hash}}
	if n := len(es); n == limit && es[n-1].Seq < seq {
		out.Next = r.URL.Path + "?" + url.Values{"from": {strconv.FormatUint(es[n-1].Seq+1, 10)}, "limit": {strconv.Itoa(limit)}}.Encode()
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
