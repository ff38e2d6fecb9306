package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// requestIDHeader carries the request id in both directions.
const requestIDHeader = "X-Request-ID"

// ctxKeyRequestID is the gin context key of the request id.
const ctxKeyRequestID = "httpapi.request_id"

// maxRequestIDLen bounds an id accepted from a client.
const maxRequestIDLen = 128

// withRequestID takes the client's X-Request-ID when it is a sane token,
// generates one otherwise, and echoes it in the response.
func (s *Server) withRequestID(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if !validRequestID(id) {
		id = newRequestID()
	}
	c.Set(ctxKeyRequestID, id)
	c.Header(requestIDHeader, id)
}

// requestID returns the id set by withRequestID.
func requestID(c *gin.Context) string { return c.GetString(ctxKeyRequestID) }

// validRequestID accepts 1..128 characters of letters, digits and -_.:
// so that a client's id cannot inject anything into logs or headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '_' || r == '.' || r == ':'
		if !ok {
			return false
		}
	}
	return true
}

// newRequestID returns 16 random bytes in hex.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// logAccess logs one line per request: method, path, status, duration and
// request id. Health checks and static assets are logged at debug level,
// the rest at info. The query string is not logged: it holds what people
// searched for.
func (s *Server) logAccess(c *gin.Context) {
	start := time.Now()
	c.Next()
	level := slog.LevelInfo
	if p := c.Request.URL.Path; p == "/healthz" || p == "/readyz" || strings.HasPrefix(p, "/static/") {
		level = slog.LevelDebug
	}
	s.log.LogAttrs(c.Request.Context(), level, "httpapi: request",
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", c.Writer.Status()),
		slog.Duration("duration", time.Since(start)),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
		slog.String("request_id", requestID(c)),
	)
}

// recoverPanics turns a panic in a handler into a logged 500 JSON error.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v) // net/http's way to abort a response: let it through
		}
		s.log.Error("httpapi: panic",
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("panic", fmt.Sprint(v)),
			slog.String("stack", string(debug.Stack())),
		)
		if !c.Writer.Written() {
			c.Writer.Header().Del("Cache-Control")
			c.Writer.Header().Del("ETag")
			s.writeErrorBody(c, http.StatusInternalServerError, "internal", "internal error")
		}
		c.Abort()
	}()
	c.Next()
}

// limitHeaders answers a request whose header is over maxHeaderBytes with
// 431 and the JSON error body. It counts the header as it came on the
// wire, near enough: the request line and each "Name: value" line.
func (s *Server) limitHeaders(c *gin.Context) {
	r := c.Request
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4 + len("Host: ") + len(r.Host) + 2
	for name, values := range r.Header {
		for _, v := range values {
			n += len(name) + len(v) + 4
		}
	}
	if n > maxHeaderBytes {
		s.writeErrorBody(c, http.StatusRequestHeaderFieldsTooLarge, "headers_too_large",
			fmt.Sprintf("the request's header is %d bytes, over the limit of %d", n, maxHeaderBytes))
	}
}

// secureHeaders sets the headers every response carries.
func (s *Server) secureHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// cors allows the configured origins to read GET responses from a browser
// and answers their preflight requests with 204. Requests from other
// origins get no CORS headers (the browser then withholds the response);
// they are otherwise served as usual.
func (s *Server) cors(c *gin.Context) {
	if len(s.origins) == 0 {
		return
	}
	h := c.Writer.Header()
	h.Add("Vary", "Origin")
	origin := c.GetHeader("Origin")
	if origin == "" || !s.origins[origin] {
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", requestIDHeader)
	if c.Request.Method == http.MethodOptions {
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
		h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type, "+requestIDHeader)
		h.Set("Access-Control-Max-Age", "600")
		h.Del("Allow")
		c.AbortWithStatus(http.StatusNoContent)
	}
}
