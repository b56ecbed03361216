package apptest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/envhome/envhome/internal/api"
)

// Checked counts the API exchanges of a test run validated against the
// OpenAPI document (requests the server accepted, and every response).
var Checked atomic.Int64

var (
	docOnce sync.Once
	doc     *openapi3.T
	docErr  error
)

// contract validates the API traffic of one Env against the document, so
// the document and the server cannot drift apart unnoticed.
type contract struct {
	router routers.Router
}

func newContract(t testing.TB, base string) *contract {
	t.Helper()
	docOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, docErr = loader.LoadFromData(api.OpenAPIDocument())
		if docErr == nil {
			docErr = doc.Validate(context.Background())
		}
	})
	if docErr != nil {
		t.Fatalf("OpenAPI document: %v", docErr)
	}
	d := *doc
	d.Servers = openapi3.Servers{{URL: base}}
	r, err := legacy.NewRouter(&d)
	if err != nil {
		t.Fatalf("OpenAPI router: %v", err)
	}
	return &contract{router: r}
}

// check validates one exchange: the request when the server accepted it
// (a refused request is often invalid on purpose), the response always.
func (c *contract) check(t testing.TB, req *http.Request, body []byte, res *Response) {
	t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return
	}
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := c.router.FindRoute(r)
	if err != nil {
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("contract: %s %s answered %d but is not in the document: %v", req.Method, req.URL.Path, res.StatusCode, err)
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if res.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("contract: request %s %s (answered %d) does not match the document: %v", req.Method, pathAndQuery(req.URL), res.StatusCode, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("contract: response %d to %s %s does not match the document: %v", res.StatusCode, req.Method, pathAndQuery(req.URL), err)
	}
	Checked.Add(1)
}

func pathAndQuery(u *url.URL) string {
	if u.RawQuery == "" {
		return u.Path
	}
	return u.Path + "?" + u.RawQuery
}
