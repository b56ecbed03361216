package api

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// The through train's handlers are thin: decode, one service call, answer.
// These adapters say it once.

// withBody decodes a JSON T and answers fn's result with status.
func withBody[T, R any](status int, fn func(context.Context, model.Actor, T) (R, error)) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in T
		if err := decode(r, w, &in); err != nil {
			return err
		}
		out, err := fn(r.Context(), actor(r), in)
		if err != nil {
			return err
		}
		writeJSON(w, status, out)
		return nil
	}
}

// withIDBody is withBody for a path with {id}.
func withIDBody[T, R any](status int, fn func(context.Context, model.Actor, int64, T) (R, error)) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		return withBody(status, func(ctx context.Context, a model.Actor, in T) (R, error) { return fn(ctx, a, id, in) })(w, r)
	}
}

// onID answers fn's result for the path's {id}: a read, or an action
// without a body.
func onID[R any](status int, fn func(context.Context, model.Actor, int64) (R, error)) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		out, err := fn(r.Context(), actor(r), id)
		if err != nil {
			return err
		}
		writeJSON(w, status, out)
		return nil
	}
}

// uploadOnID stores the multipart field "file" for the path's {id} (a
// photo, a PDF or an Office document) and answers fn's result.
func uploadOnID[R any](fn func(context.Context, model.Actor, int64, string, io.Reader) (R, error)) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		name, body, err := httpx.UploadPart(w, r, "file", files.Material.MaxBytes)
		if err != nil {
			return err
		}
		out, err := fn(r.Context(), actor(r), id, name, body)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// listOnID answers fn's items for the path's {id} as a list.
func listOnID[T any](fn func(context.Context, model.Actor, int64) ([]T, error)) httpx.HandlerFunc {
	return onID(http.StatusOK, func(ctx context.Context, a model.Actor, id int64) (model.List[T], error) {
		items, err := fn(ctx, a, id)
		return model.List[T]{Items: items}, err
	})
}

func (h *Handler) listProviders(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.ProviderFilter{Category: q.Get("category"), Status: q.Get("status"), Q: q.Get("q")}
	v := model.Validation{}
	if f.Category != "" && !slices.Contains(model.ServiceCategories, f.Category) {
		v.Add("category", "err.field.choice")
	}
	if f.Status != "" && f.Status != model.ProviderPending && f.Status != model.ProviderVerified {
		v.Add("status", "err.field.choice")
	}
	if len([]rune(f.Q)) > 50 {
		v.Add("q", "err.field.too_long")
	}
	if err := v.Err(); err != nil {
		return err
	}
	l, err := h.Service.Providers(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[*model.Provider]{Items: l})
	return nil
}

func (h *Handler) declareTie(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Service.DeclareTie(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listDemands(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	l, err := h.Service.Demands(r.Context(), actor(r), store.DemandFilter{Box: q.Get("box"), Category: q.Get("category"), Status: q.Get("status")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[*model.Demand]{Items: l})
	return nil
}

func (h *Handler) demandMatches(w http.ResponseWriter, r *http.Request) error {
	limit := 20
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return model.Validation{"limit": "err.field.choice"}.Err()
		}
		limit = n
	}
	return listOnID(func(ctx context.Context, a model.Actor, id int64) ([]model.Match, error) {
		return h.Service.Matches(ctx, a, id, limit)
	})(w, r)
}

func (h *Handler) listDeals(w http.ResponseWriter, r *http.Request) error {
	l, err := h.Service.Deals(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[*model.Deal]{Items: l})
	return nil
}

func (h *Handler) savings(w http.ResponseWriter, r *http.Request) error {
	l, err := h.Service.Savings(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[model.Savings]{Items: l})
	return nil
}
