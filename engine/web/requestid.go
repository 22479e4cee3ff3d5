package web

import (
	"log/slog"
	"net/http"

	"github.com/vaksam/vaksam/engine/logging"
)

// RequestIDHeader carries a request's id: a caller may send one (it is
// kept when logging.ValidRequestID accepts it), and every answer has it.
const RequestIDHeader = "X-Request-Id"

// requestID gives each request an id, in its context (so that whatever
// the handlers log with it, and the connectors' calls a pre-award check
// makes, carry it) and in the answer's X-Request-Id header, and logs one
// line per request at info: method, route pattern (never the path, which
// may hold an organisation number), status, bytes, duration, request id.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		id := logging.AcceptRequestID(r.Header.Get(RequestIDHeader))
		w.Header().Set(RequestIDHeader, id)
		r = r.WithContext(logging.WithRequestID(r.Context(), id))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			status := sw.status
			switch {
			case v != nil && status == 0:
				status = http.StatusInternalServerError
			case status == 0:
				status = http.StatusOK // what net/http sends for a handler that wrote nothing
			}
			route := r.Pattern // set by the ServeMux on this very request
			if route == "" {
				route = "unmatched"
			}
			s.log().LogAttrs(r.Context(), slog.LevelInfo, "http request",
				slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
				slog.Int64("bytes", sw.bytes), slog.Duration("duration", s.now().Sub(start)))
			if v != nil {
				panic(v)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status and counts the bytes of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush passes a flush on, for handlers that stream.
func (w *statusWriter) Flush() {
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
