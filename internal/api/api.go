// Package api serves envhome's JSON API under /api/v1 for scripts and the
// phone app. Callers authenticate with bearer tokens; errors have one shape:
// {"error":{"code","message","fields"}}.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/i18n"
	"github.com/envhome/envhome/internal/imports"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/notify"
	"github.com/envhome/envhome/internal/service"
	"github.com/envhome/envhome/internal/store"
)

// MaxBody is the largest JSON body the API reads.
const MaxBody = 1 << 20

// Handler serves the API.
type Handler struct {
	Store *store.Store
	// BaseURL is the site's public address, for the absolute links it
	// answers (calendar feeds).
	BaseURL string
	// Service holds every action and page both faces share.
	Service *service.Service
	Auth    *auth.Service
	I18n    *i18n.Catalog
	Log     *slog.Logger
	Imports *imports.Service
	Notices *notify.Renderer
}

// errorBody is the one shape of every API error.
type errorBody struct {
	Error struct {
		Code    model.Code        `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// lang picks the language of messages: the account's choice, else the
// Accept-Language header.
func (h *Handler) lang(r *http.Request) string {
	if u := actor(r).User; u != nil && u.Language != "" {
		return u.Language
	}
	return h.I18n.Match(r.Header.Get("Accept-Language"))
}

// fail answers err in the API's error shape. Errors that are not
// *model.Error are internal: logged, never shown.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *model.Error
	if !errors.As(err, &e) {
		h.Log.Error("api", "method", r.Method, "path", r.URL.Path, "err", err)
		e = model.Errorf(model.ErrInternal, "err.internal")
	}
	lang := h.lang(r)
	var body errorBody
	body.Error.Code = e.Code
	body.Error.Message = h.I18n.T(lang, e.Message, e.Args...)
	if len(e.Fields) > 0 {
		body.Error.Fields = map[string]string{}
		for f, key := range e.Fields {
			body.Error.Fields[f] = h.I18n.T(lang, key)
		}
	}
	switch e.Code {
	case model.ErrRateLimited:
		w.Header().Set("Retry-After", strconv.Itoa(max(1, e.RetryAfter)))
	case model.ErrUnauthenticated:
		w.Header().Set("WWW-Authenticate", `Bearer realm="envhome"`)
	}
	writeJSON(w, httpx.Status(e.Code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// decode reads a JSON body into v: application/json only, at most MaxBody,
// no unknown fields and nothing after the value.
func decode(r *http.Request, w http.ResponseWriter, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return model.Errorf(model.ErrUnsupportedType, "err.content_type")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return model.Errorf(model.ErrTooLarge, "err.too_large")
	}
	if err != nil {
		return model.Errorf(model.ErrMalformed, "err.malformed_json")
	}
	// Bytes no field can hold are refused here, once, rather than by a
	// database that would fail on them (PostgreSQL text takes no NUL).
	if !utf8.Valid(body) || bytes.Contains(body, []byte(`\u0000`)) {
		return model.Errorf(model.ErrMalformed, "err.bad_bytes")
	}
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return model.Errorf(model.ErrMalformed, "err.malformed_json")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return model.Errorf(model.ErrMalformed, "err.malformed_json")
	}
	return nil
}

func decodeError(err error) error {
	var mbe *http.MaxBytesError
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return model.Errorf(model.ErrTooLarge, "err.too_large")
	case errors.As(err, &ute):
		return &model.Error{Code: model.ErrMalformed, Message: "err.malformed_json",
			Fields: map[string]string{ute.Field: "err.field.type"}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &model.Error{Code: model.ErrMalformed, Message: "err.unknown_field",
			Fields: map[string]string{name: "err.field.unknown"}}
	case errors.Is(err, io.EOF):
		return model.Errorf(model.ErrMalformed, "err.empty_body")
	default:
		return model.Errorf(model.ErrMalformed, "err.malformed_json")
	}
}

// page reads ?limit= and ?cursor=.
func page(r *http.Request) (model.Page, error) {
	q := r.URL.Query()
	return model.ParsePage(q.Get("limit"), q.Get("cursor"))
}

// Fail answers err as an API error; the server uses it after a panic.
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, err error) { h.fail(w, r, err) }

// actor is who asks: the one way a handler learns it.
func actor(r *http.Request) model.Actor { return httpx.ActorFrom(r.Context()) }

// withID parses the {id} path value and calls fn, or answers the error.
func (h *Handler) withID(w http.ResponseWriter, r *http.Request, fn func(id int64) (any, error)) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := fn(id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
