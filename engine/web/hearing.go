package web

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vaksam/vaksam/engine/access"
	"github.com/vaksam/vaksam/engine/audit"
	"github.com/vaksam/vaksam/engine/excerpt"
	"github.com/vaksam/vaksam/engine/record"
	"github.com/vaksam/vaksam/engine/review"
)

// The supplier's hearing (kontradiktion) on a termination or exclusion
// awaiting approval: that it was informed, and its response with a file.
// The API and the UI read them alike.

// MaxHearingBody is the largest body of a response to a hearing, file
// included: review.MaxAttachment and 1 MiB for the rest.
const MaxHearingBody = review.MaxAttachment + 1<<20

// informRequest is POST /decisions/{id}/hearing.
type informRequest struct {
	// InformedAt is RFC 3339, or a date: the start of that day in Sweden
	// (on the decision's own day, the decision's time: onTheDay).
	InformedAt string `json:"informed_at"`
	// Deadline is RFC 3339, or a date: the end of that day in Sweden.
	Deadline string `json:"deadline"`
	Channel  string `json:"channel"`
}

// parseDeadline reads a deadline: an RFC 3339 time, or a Swedish date
// whose whole day the supplier has (until 23:59:59).
func parseDeadline(field, v string) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, v, record.Stockholm); err == nil {
		return t.AddDate(0, 0, 1).Add(-time.Second), nil
	}
	return parseWhen(field, v)
}

// optionalTime reads an optional time field: zero when blank (review
// then says it is required).
func optionalTime(field, v string, parse func(string, string) (time.Time, error)) (time.Time, error) {
	if v = strings.TrimSpace(v); v == "" {
		return time.Time{}, nil
	}
	return parse(field, v)
}

// onTheDay reads a time of the hearing: an RFC 3339 time, or a date:
// the start of that day in Sweden, or floor when floor falls on that day.
// A date does not say when that day, and what it dates cannot have come
// before floor: the supplier is informed after the decision, its
// response received after the notice. Zero when blank.
func onTheDay(field, v string, floor time.Time) (time.Time, error) {
	t, err := optionalTime(field, v, parseWhen)
	if err != nil || t.IsZero() {
		return t, err
	}
	if _, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(v), record.Stockholm); err == nil &&
		t.Before(floor) && floor.Before(t.AddDate(0, 0, 1)) {
		return floor, nil
	}
	return t, nil
}

// hearingFloors are the earliest times the hearing of a decision may
// date: the decision for informed_at, the notice in force for
// received_at. Zero when there is no such decision or notice (review
// then says what is wrong).
func (s *Server) hearingFloors(id string) (decided, informed time.Time) {
	d, err := s.Desk.Decision(id)
	if err != nil {
		return time.Time{}, time.Time{}
	}
	if n := d.Hearing.Notice(); n != nil {
		informed = n.InformedAt
	}
	return d.DecidedAt, informed
}

// inform records that the supplier was informed, from an informRequest.
func (s *Server) inform(id string, p *access.Principal, req informRequest) (*review.Decision, error) {
	decided, _ := s.hearingFloors(id)
	informed, err := onTheDay("informed_at", req.InformedAt, decided)
	if err != nil {
		return nil, err
	}
	deadline, err := optionalTime("deadline", req.Deadline, parseDeadline)
	if err != nil {
		return nil, err
	}
	return s.Desk.Inform(id, p.UserID, informed, deadline, req.Channel, s.now())
}

// readMultipart parses a multipart/form-data body: the values named in
// fields (each at most once; csrf_token, a form's, is allowed too) and
// at most one file, named "file". Anything else is refused, naming it.
func readMultipart(r *http.Request, fields ...string) (url.Values, *multipart.FileHeader, error) {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "multipart/form-data" {
		return nil, nil, &apiError{status: http.StatusUnsupportedMediaType, field: "Content-Type",
			msg: fmt.Sprintf("%s: want multipart/form-data", excerpt.Quote(ct))}
	}
	// In memory: the body is bounded well below this.
	if err := r.ParseMultipartForm(2 * MaxHearingBody); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, err
		}
		return nil, nil, badField("body", "not a multipart form: %v", err)
	}
	form := r.MultipartForm
	if vs, ok := form.Value["file"]; ok {
		// A form whose file input was left empty sends a part without a
		// file name, which reads as a value: no file.
		if len(vs) != 1 || vs[0] != "" || len(form.File["file"]) > 0 {
			return nil, nil, badField("file", "not a file (a part with a file name)")
		}
		delete(form.Value, "file")
	}
	for k, vs := range form.Value {
		switch {
		case k != access.CSRFField && !slices.Contains(fields, k):
			return nil, nil, badField(k, "unknown field; known: %s, file", strings.Join(fields, ", "))
		case len(vs) > 1:
			return nil, nil, badField(k, "given %d times", len(vs))
		}
	}
	var file *multipart.FileHeader
	for k, fhs := range form.File {
		switch {
		case k != "file":
			return nil, nil, badField(k, "unknown file field; the file is sent as file")
		case len(fhs) > 1:
			return nil, nil, badField(k, "given %d times", len(fhs))
		}
		file = fhs[0]
	}
	vals := url.Values{}
	for k, vs := range form.Value {
		vals[k] = vs
	}
	return vals, file, nil
}

// attachmentTypes are the content types of a file by its name's
// extension, for a browser that sends none or application/octet-stream.
var attachmentTypes = map[string]string{
	".pdf":  "application/pdf",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".txt":  "text/plain",
	".docx": review.DocxType,
}

// readAttachment reads an uploaded file.
func readAttachment(fh *multipart.FileHeader) (*review.Attachment, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, badField("file", "cannot be read: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, review.MaxAttachment+1))
	if err != nil {
		return nil, badField("file", "cannot be read: %v", err)
	}
	ct := strings.TrimSpace(fh.Header.Get("Content-Type"))
	if mt, _, _ := mime.ParseMediaType(ct); ct == "" || mt == "application/octet-stream" {
		if t, ok := attachmentTypes[strings.ToLower(path.Ext(fh.Filename))]; ok {
			ct = t
		}
	}
	return &review.Attachment{Name: fh.Filename, ContentType: ct, Data: data}, nil
}

// respond records the supplier's response from a multipart form: text,
// received_at (RFC 3339, or a date: the start of that day in Sweden, or
// on the day the supplier was informed, that time: onTheDay) and file.
// It returns the form's values, for a page that shows them again.
func (s *Server) respond(r *http.Request, p *access.Principal, id string) (*review.Decision, url.Values, error) {
	vals, fh, err := readMultipart(r, "text", "received_at")
	if err != nil {
		return nil, vals, err
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	_, informed := s.hearingFloors(id)
	received, err := onTheDay("received_at", vals.Get("received_at"), informed)
	if err != nil {
		return nil, vals, err
	}
	var a *review.Attachment
	if fh != nil {
		if a, err = readAttachment(fh); err != nil {
			return nil, vals, err
		}
	}
	d, err := s.Desk.Respond(id, p.UserID, received, vals.Get("text"), a, s.now())
	return d, vals, err
}

// attachmentParam reads the path's attachment number.
func attachmentParam(r *http.Request) (int, error) {
	v := r.PathValue("n")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1<<20 {
		return 0, badField("n", "%s is not an attachment number (1, 2, …)", excerpt.Quote(v))
	}
	return n, nil
}

// serveAttachment writes a response's file after recording that the
// principal was shown it (audit.ViewRaw: a supplier's file may hold
// anything): for download, never to be rendered here.
func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request, p *access.Principal, via string) error {
	n, err := attachmentParam(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	info, data, err := s.Desk.Attachment(id, n)
	if err != nil {
		return err
	}
	if _, err := s.Audit.Record(audit.Entry{At: s.now(), Actor: p.UserID, Action: audit.ViewRaw, Object: id,
		Detail: map[string]string{"via": via, "view": "attachment", "attachment": strconv.Itoa(n),
			"sha256": info.SHA256[:16]}}); err != nil {
		return err
	}
	ct := info.ContentType
	if ct == "text/plain" && utf8.Valid(data) {
		ct += "; charset=utf-8"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", contentDisposition(info.Name))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "no-store")
	if sum, err := hex.DecodeString(info.SHA256); err == nil {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	w.WriteHeader(http.StatusOK)
	w.Write(data)
	return nil
}

// contentDisposition is "attachment" with the file's name (RFC 6266;
// RFC 5987 encoding for a name that is not plain ASCII).
func contentDisposition(name string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment"
}
