package httpapi

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// openapiJSON is the API's contract, an OpenAPI 3.1 document written by
// hand, served at /api/v1/openapi.json. The tests hold the handlers to
// it: every request and response of the package's tests is validated
// against it, and every route must be in it (openapi_test.go).
//
//go:embed openapi.json
var openapiJSON []byte

// openapiETag identifies this build's document.
var openapiETag = func() string {
	sum := sha256.Sum256(openapiJSON)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// handleOpenAPI serves GET /api/v1/openapi.json, revalidated by its ETag.
func (s *Server) handleOpenAPI(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", openapiETag)
	http.ServeContent(c.Writer, c.Request, "openapi.json", time.Time{}, bytes.NewReader(openapiJSON))
}
