package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/ladder"
	"github.com/vaksam/vaksam/engine/profile"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
	"github.com/vaksam/vaksam/engine/screening"
	"github.com/vaksam/vaksam/rules"
)

// formState is a form as it was posted, with what is wrong with it: a
// page that failed to save shows the values entered and each field's
// problem beside it.
type formState struct {
	Values  url.Values
	Errors  map[string]string // field → its problem, translated
	General string            // a problem of the form as a whole
}

// Val is a field's value as entered.
func (f *formState) Val(field string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(field)
}

// Has reports whether a checkbox or radio button had value.
func (f *formState) Has(field, value string) bool {
	return f != nil && slices.Contains(f.Values[field], value)
}

// Err is a field's problem, "" when none.
func (f *formState) Err(field string) string {
	if f == nil {
		return ""
	}
	return f.Errors[field]
}

// Failed reports whether the form was posted and refused.
func (f *formState) Failed() bool { return f != nil && (len(f.Errors) > 0 || f.General != "") }

// ErrorList is the problems in field order, for the summary.
func (f *formState) ErrorList(order ...string) []fieldMsg {
	if f == nil {
		return nil
	}
	var out []fieldMsg
	for _, k := range order {
		if m, ok := f.Errors[k]; ok {
			out = append(out, fieldMsg{k, m})
		}
	}
	var rest []string
	for k := range f.Errors {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		out = append(out, fieldMsg{k, f.Errors[k]})
	}
	return out
}

type fieldMsg struct{ Field, Msg string }

// refused records review's field errors in the form; it reports whether
// err had any (other errors are the caller's).
func (f *formState) refused(lang string, err error) bool {
	fes := fieldErrors(err)
	if len(fes) == 0 {
		return false
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	for _, fe := range fes {
		field := fe.Field
		if strings.HasPrefix(field, "contracts[") {
			field = "contracts"
		}
		if _, dup := f.Errors[field]; !dup {
			f.Errors[field] = fieldProblemText(lang, fe)
		}
	}
	return true
}

// The forms of the alert page.
const (
	formAssign   = "assign"
	formClose    = "close"
	formComment  = "comment"
	formDecision = "decision"
	formReject   = "reject"
)

// alertPage is the data of the alert page.
type alertPage struct {
	Alert      *review.Alert
	Assessment *screening.Assessment // the newest, as the user may see it; nil when none
	Hits       []hitView
	Withheld   bool // hit messages naming persons were withheld
	Decisions  []*review.Decision
	Pending    *review.Decision
	Hearing    *hearingView // the pending termination's or exclusion's hearing
	CanApprove bool         // an approver who did not take the pending decision
	OwnPending bool         // the user took the pending decision
	Comments   []*review.Comment
	Halt       *review.Decision
	Contracts  []record.Contract
	Assignees  []option
	Kinds      []string // the decisions the alert can take now
	Grounds    []string
	Closable   bool
	Outcomes   []string // the close form's outcomes (review.Outcomes)
	Forms      map[string]*formState
	Work       work // status and deadline
	Sanctions  *sanctionsSection
	// Suppressions of the supplier's known false positives (no form).
	Suppressions *suppressionsSection
}

// closeHit is one of the alert's hits the close form offers as wrong:
// its title when the newest assessment shown still has it (Known).
type closeHit struct {
	ID    string
	Title rules.Text
	Known bool
}

// CloseHits are the alert's hits, for the close form's wrong hits.
func (a *alertPage) CloseHits() []closeHit {
	out := make([]closeHit, 0, len(a.Alert.Hits))
	for _, id := range a.Alert.Hits {
		h := closeHit{ID: id}
		if i := slices.IndexFunc(a.Hits, func(v hitView) bool { return v.ID == id }); i >= 0 {
			h.Title, h.Known = a.Hits[i].Title, true
		}
		out = append(out, h)
	}
	return out
}

// Form is a form's state (nil when it was not posted).
func (a *alertPage) Form(name string) *formState { return a.Forms[name] }

// hitView is a hit with links to its evidence.
type hitView struct {
	screening.Hit
	Evidence []evidenceView
}

type evidenceView struct {
	profile.Ref
	RawURL string // the raw record's page, for view_persons; "" otherwise
}

// hitViews are an assessment's hits with their evidence, the raw records
// linked when the principal may see them.
func hitViews(a *screening.Assessment, p *access.Principal) []hitView {
	if a == nil {
		return nil
	}
	out := make([]hitView, 0, len(a.Hits))
	for _, h := range a.Hits {
		hv := hitView{Hit: h}
		for _, ref := range h.Evidence {
			hv.Evidence = append(hv.Evidence, evidenceView{Ref: ref, RawURL: rawURL(a.Orgnr, ref, p)})
		}
		out = append(out, hv)
	}
	return out
}

// rawURL is the page of the record a reference points at, for a
// principal with view_persons and a record of the organisation itself.
func rawURL(orgnr string, ref profile.Ref, p *access.Principal) string {
	if !p.Can(access.ViewPersons) {
		return ""
	}
	key, ok := "", ref.Key == orgnr
	if !ok {
		key, ok = strings.CutPrefix(ref.Key, orgnr+"/")
	}
	if !ok {
		return ""
	}
	q := url.Values{"source": {ref.Source}, "key": {key}}
	return "/suppliers/" + orgnr + "/records?" + q.Encode()
}

// decidable lists the decisions an alert can take now (review.Desk.Decide's
// rules), and whether it can be closed without one.
func decidable(a *review.Alert, halt *review.Decision) (kinds []ladder.DecisionKind, closable bool) {
	switch a.State {
	case review.Stangd:
		return nil, false
	case review.Beslutad:
		if halt != nil {
			kinds = append(kinds, review.HavAvropsstopp)
			if a.Pending == "" {
				// Halted: termination or exclusion is the next step.
				kinds = append(kinds, review.Havning, review.Uteslutning)
			}
		}
		return kinds, a.Pending == "" && halt == nil
	}
	for _, k := range review.Kinds {
		ok := false
		switch k {
		case review.Avropsstopp:
			ok = halt == nil
		case review.HavAvropsstopp:
			ok = halt != nil
		case review.Havning, review.Uteslutning:
			ok = a.Pending == ""
		case review.IngenAtgard:
			ok = a.Pending == "" && halt == nil
		}
		if ok {
			kinds = append(kinds, k)
		}
	}
	return kinds, a.Pending == "" && halt == nil
}

// uiAlert: GET /alerts/{id}.
func (s *Server) uiAlert(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	return s.renderAlert(w, r, p, pathValue(r, "id"), nil, http.StatusOK)
}

// renderAlert writes the alert page; forms holds a refused form's state
// (status 400, or what went wrong).
func (s *Server) renderAlert(w http.ResponseWriter, r *http.Request, p *access.Principal, id string, forms map[string]*formState, status int) error {
	c, err := s.workplace().Case(id)
	if err != nil {
		return err
	}
	a := c.Alert
	data := alertPage{Alert: a, Forms: forms, Grounds: review.Grounds, Decisions: c.Decisions, Comments: c.Comments, Halt: c.Halt,
		Work: s.workOf(a)}
	var shown bool
	data.Assessment, data.Withheld, shown = s.forPrincipal(c.Current, p)
	data.Hits = hitViews(data.Assessment, p)
	if data.Suppressions, err = s.suppressionsOf(p, a.Orgnr, nil, false); err != nil {
		return err
	}
	if data.Sanctions, err = s.sanctionsOf(p, a.Orgnr, data.Assessment, "/alerts/"+ref(p, a.Orgnr, a.ID), false); err != nil {
		return err
	}
	if data.Pending = c.Pending(); data.Pending != nil {
		data.Hearing = s.hearingView(data.Pending, s.now(), uiLang(nil, r))
		data.OwnPending = data.Pending.Decider() == actor(p).PersonID() || data.Pending.DecidedBy == p.UserID
		data.CanApprove = p.Can(access.Approve) && !data.OwnPending
	}
	kinds, closable := decidable(a, data.Halt)
	for _, k := range kinds {
		data.Kinds = append(data.Kinds, string(k)) // the template's words
	}
	data.Closable, data.Outcomes = closable, review.Outcomes
	if p.Can(access.Decide) {
		if data.Contracts, err = s.ownContracts(a.Orgnr, s.now()); err != nil {
			return err
		}
	}
	for _, u := range s.assignees() {
		data.Assignees = append(data.Assignees, option{u.ID, cmp.Or(u.Name, u.ID)})
	}
	if shown {
		if err := s.auditWeb(p, audit.ViewPersons, a.ID, "view", "alert", "hit_messages", "shown"); err != nil {
			return err
		}
	}
	// What the user may not see of a sole trader (personal.go).
	data.Alert, data.Decisions, data.Halt = alertFor(p, a, false), decisionsFor(p, data.Decisions, false), decisionFor(p, data.Halt, false)
	if data.Pending != nil {
		data.Pending = decisionFor(p, data.Pending, false)
	}
	v := s.newView(w, r, "queue", &data)
	v.Title = v.T("alert.title", data.Alert.Name)
	v.Self = "/alerts/" + ref(p, a.Orgnr, a.ID)
	s.render(w, r, status, "alert", v)
	return nil
}

// auditWeb records that a user was shown something (audit.ViewPersons,
// audit.ViewRaw) through the web UI; detail is pairs of key and value.
func (s *Server) auditWeb(p *access.Principal, action, object string, detail ...string) error {
	d := map[string]string{"via": "web"}
	for i := 0; i+1 < len(detail); i += 2 {
		d[detail[i]] = detail[i+1]
	}
	_, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: action, Object: object, Detail: d})
	return err
}

// postForm reads a posted form.
func postForm(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		return nil, formError(err)
	}
	return r.PostForm, nil
}

// decisionForm reads a form posted to /decisions/{id}/… and the decision
// it is about.
func (s *Server) decisionForm(r *http.Request) (url.Values, *review.Decision, error) {
	vals, err := postForm(r)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.Desk.Decision(r.PathValue("id"))
	return vals, d, err
}

// refuse re-renders the alert page with a form's problems (400), when
// err has field errors; otherwise it returns err for the error page.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, p *access.Principal, alertID, form string, vals url.Values, err error) error {
	fs := &formState{Values: vals}
	if !fs.refused(uiLang(nil, r), err) {
		return err
	}
	return s.renderAlert(w, r, p, alertID, map[string]*formState{form: fs}, http.StatusBadRequest)
}

// uiAssign: POST /alerts/{id}/assign, assignee "me" or a user who may
// work alerts.
func (s *Server) uiAssign(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, err := postForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	who := strings.ToLower(strings.TrimSpace(vals.Get("assignee")))
	if who == "me" {
		who = p.UserID
	} else if who != "" && !slices.ContainsFunc(s.assignees(), func(u access.User) bool { return u.ID == who }) {
		return s.refuse(w, r, p, id, formAssign, vals, &review.FieldError{Op: "assign", Field: "assignee", Problem: "not a user", Code: codeNotUser})
	}
	if _, err := s.Desk.Assign(id, who, p.UserID, s.now()); err != nil {
		return s.refuse(w, r, p, id, formAssign, vals, err)
	}
	seeOther(w, r, "/alerts/"+id, "assigned", "")
	return nil
}

// uiClose: POST /alerts/{id}/close with a reason, an outcome and, for
// falsklarm, the wrong hits (checkboxes wrong_hits).
func (s *Server) uiClose(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, err := postForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	f := review.Finding{Outcome: vals.Get("outcome"), WrongHits: vals["wrong_hits"]}
	if _, err := s.Desk.Close(id, p.UserID, vals.Get("reason"), f, s.now()); err != nil {
		return s.refuse(w, r, p, id, formClose, vals, err)
	}
	seeOther(w, r, "/alerts/"+id, "closed", "")
	return nil
}

// uiComment: POST /alerts/{id}/comments with a text.
func (s *Server) uiComment(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, err := postForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.Desk.Comment(id, p.UserID, vals.Get("text"), s.now()); err != nil {
		return s.refuse(w, r, p, id, formComment, vals, err)
	}
	seeOther(w, r, "/alerts/"+id, "comment", "comments")
	return nil
}

// uiDecide: POST /alerts/{id}/decisions: kind, justification, ground (with
// contract_clause or ground_other), diarienummer (optional), contracts (repeated), snooze and
// snooze_until (ingen_atgard). The form shows every field to a browser
// without script, so the fields that do not apply to the kind and ground
// chosen are dropped, not refused. The evidence is the newest
// assessment, as the API's.
func (s *Server) uiDecide(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, err := postForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	dr := review.DecisionRequest{AlertID: id, Kind: ladder.DecisionKind(strings.TrimSpace(vals.Get("kind"))), DecidedBy: p.UserID,
		DecidedByPerson: p.Person, Justification: vals.Get("justification"), Ground: strings.TrimSpace(vals.Get("ground")),
		Diarienummer: vals.Get("diarienummer")}
	for _, c := range vals["contracts"] {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(dr.Contracts, c) {
			dr.Contracts = append(dr.Contracts, c)
		}
	}
	switch dr.Ground {
	case review.GroundAvtalsvillkor:
		dr.ContractClause = vals.Get("contract_clause")
	case review.GroundAnnat:
		dr.GroundOther = vals.Get("ground_other")
	}
	var problems []error
	if dr.Kind == review.IngenAtgard {
		dr.Snooze = vals.Get("snooze") != ""
		if v := strings.TrimSpace(vals.Get("snooze_until")); v != "" {
			if t, err := parseWhen("snooze_until", v); err == nil {
				dr.SnoozeUntil = t
			} else {
				problems = append(problems, &review.FieldError{Op: "decision", Field: "snooze_until", Problem: "date", Code: codeDate})
			}
		}
	}
	if dr.Evidence, err = s.evidence(id); err != nil {
		return err
	}
	if len(problems) > 0 {
		// Nothing is decided on a date that cannot be read.
		return s.refuse(w, r, p, id, formDecision, vals, errors.Join(problems...))
	}
	dec, err := s.Desk.Decide(dr, s.now())
	if err != nil {
		return s.refuse(w, r, p, id, formDecision, vals, err)
	}
	ok := "decided"
	if dec.Status == review.VantarGodkannande {
		ok = "pending"
	}
	seeOther(w, r, "/alerts/"+id, ok, "decisions")
	return nil
}

// uiApprove: POST /decisions/{id}/approve. Approving one's own decision
// is refused (403, four eyes).
func (s *Server) uiApprove(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if _, err := postForm(r); err != nil {
		return err
	}
	d, err := s.Desk.ApproveAs(r.PathValue("id"), actor(p), s.now())
	if err != nil {
		return err
	}
	seeOther(w, r, "/alerts/"+d.AlertID, "approved", "decisions")
	return nil
}

// uiReject: POST /decisions/{id}/reject with a reason.
func (s *Server) uiReject(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	vals, d, err := s.decisionForm(r)
	if err != nil {
		return err
	}
	if _, err := s.Desk.RejectAs(d.ID, actor(p), vals.Get("reason"), s.now()); err != nil {
		return s.refuse(w, r, p, d.AlertID, formReject, vals, err)
	}
	seeOther(w, r, "/alerts/"+d.AlertID, "rejected", "decisions")
	return nil
}
