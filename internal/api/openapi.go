package api

import (
	_ "embed"
	"net/http"
)

// openAPIDoc describes every route in routes.go; TestOpenAPIMatchesRoutes
// keeps the two in step.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPIDocument returns the embedded OpenAPI 3 document.
func OpenAPIDocument() []byte { return openAPIDoc }

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDoc)
	return nil
}
