package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kbsearch/kbsearch/search"
)

// statusOf is the one place where an error kind becomes an HTTP status,
// with the Retry-After value (seconds) of the kinds worth retrying soon, ""
// for the others.
func statusOf(k search.Kind) (status int, retryAfter string) {
	switch k {
	case search.KindInvalid:
		return http.StatusBadRequest, ""
	case search.KindNotFound:
		return http.StatusNotFound, ""
	case search.KindUnavailable:
		return http.StatusServiceUnavailable, ""
	case search.KindBusy:
		return http.StatusServiceUnavailable, "1"
	case search.KindRateLimited:
		return http.StatusTooManyRequests, "1" // or when the client's bucket has a token: see retryAfter
	case search.KindExpired:
		return http.StatusGone, ""
	default:
		return http.StatusInternalServerError, ""
	}
}

// retryAfterer is an error that knows when to try again: it sets the
// Retry-After of its answer (in whole seconds, at least 1).
type retryAfterer interface {
	error
	RetryAfter() time.Duration
}

// errorBody is the JSON form of every error the API returns.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// classify returns the kind of err and the message a client may see.
// Internal errors get a fixed message so that causes (paths, index
// internals) never leak. A deadline that ran out while the backend worked
// is reported as busy (retry later) rather than as a bug.
func classify(err error) (search.Kind, string) {
	var se *search.Error
	if errors.As(err, &se) && se.Kind != search.KindInternal {
		msg := se.Message
		if msg == "" {
			msg = se.Kind.String()
		}
		return se.Kind, msg
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return search.KindBusy, "the search took too long; try again"
	}
	return search.KindInternal, "internal error"
}

// writeError answers the request with the JSON error for err. Server-side
// errors (5xx) are logged at error level with the request id and the
// cause, except a busy answer, logged at warn: it is the server keeping its
// bounds, and a burst of them must not flood the log. Client errors are
// logged at debug level only. An error caused by the client going away is
// not an error of ours and is logged at debug. Deadlines, busy answers and
// clients gone are counted by reason.
func (s *Server) writeError(c *gin.Context, err error) {
	kind, msg := classify(err)
	status, retryAfter := statusOf(kind)
	gone := errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil
	switch {
	case gone:
		s.countRejected(rejectCanceled)
	case kind == search.KindBusy && errors.Is(err, context.DeadlineExceeded):
		s.countRejected(rejectDeadline)
	case kind == search.KindBusy:
		s.countRejected(rejectBusy)
	}

	attrs := []any{
		slog.String("request_id", requestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.String("error", err.Error()),
	}
	switch {
	case gone:
		s.log.Debug("httpapi: client went away", attrs...)
	case kind == search.KindBusy:
		s.log.Warn("httpapi: request turned away", attrs...)
	case status >= 500:
		s.log.Error("httpapi: request failed", attrs...)
	default:
		s.log.Debug("httpapi: request rejected", attrs...)
	}
	var ra retryAfterer
	if errors.As(err, &ra) {
		retryAfter = strconv.Itoa(max(1, int(math.Ceil(ra.RetryAfter().Seconds()))))
	}
	if retryAfter != "" {
		c.Header("Retry-After", retryAfter)
	}
	s.writeErrorBody(c, status, kind.String(), msg)
}

// writeErrorBody writes {"error":{"code","message"}} with status and
// aborts the handler chain.
func (s *Server) writeErrorBody(c *gin.Context, status int, code, msg string) {
	s.writeJSON(c, status, errorBody{Error: errorDetail{Code: code, Message: msg}})
	c.Abort()
}

// writeJSON writes v as JSON. It encodes with encoding/json itself rather
// than through gin's pluggable codec, so the bytes on the wire do not
// depend on build tags.
func (s *Server) writeJSON(c *gin.Context, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only a bug can get here (an unsupported value such as NaN).
		s.log.Error("httpapi: encode response",
			slog.String("request_id", requestID(c)),
			slog.String("path", c.Request.URL.Path),
			slog.String("error", err.Error()))
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	c.Data(status, "application/json; charset=utf-8", b)
}
