package api

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

// Carbon accounting: factors, an enterprise's months and its year.

func (h *Handler) listFactors(w http.ResponseWriter, r *http.Request) error {
	kind := r.URL.Query().Get("kind")
	if kind != "" && !slices.Contains(model.FactorKinds, kind) {
		return &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Fields: map[string]string{"kind": "err.field.choice"}}
	}
	l, err := h.Service.Factors(r.Context(), kind)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[*model.Factor]{Items: l})
	return nil
}

func (h *Handler) getActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	act, err := h.Service.Activity(r.Context(), actor(r), id, r.PathValue("month"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, act)
	return nil
}

func (h *Handler) putActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in model.ActivityInput
	if err := decode(r, w, &in); err != nil {
		return err
	}
	act, err := h.Service.PutActivity(r.Context(), actor(r), id, r.PathValue("month"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, act)
	return nil
}

// yearParam reads the path's {year} or ?year= (this year when absent),
// as the dashboards do.
func (h *Handler) yearParam(r *http.Request) (int, error) {
	s := r.PathValue("year")
	if s == "" {
		s = r.URL.Query().Get("year")
	}
	return h.Service.DashboardYear(s)
}

// onIDYear answers fn's emissions for the path's {id} and the year.
func (h *Handler) onIDYear(fn func(context.Context, model.Actor, int64, int) (*model.Emissions, error)) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		year, err := h.yearParam(r)
		if err != nil {
			return err
		}
		return onID(http.StatusOK, func(ctx context.Context, a model.Actor, id int64) (*model.Emissions, error) {
			return fn(ctx, a, id, year)
		})(w, r)
	}
}

func (h *Handler) exportEmissions(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	year, err := h.yearParam(r)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := h.Service.ExportCarbon(r.Context(), actor(r), &b, id, year); err != nil {
		return err
	}
	sendXLSX(w, "envhome-carbon-"+strconv.FormatInt(id, 10)+"-"+strconv.Itoa(year)+".xlsx", b.Bytes())
	return nil
}

// importEmissions takes multipart/form-data with "file" (.xlsx in the
// export's layout) and "confirm" ("true" accepts unusual amounts).
func (h *Handler) importEmissions(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	data, err := httpx.ReadUpload(w, r, "file", 5<<20)
	if err != nil {
		return err
	}
	months, err := h.Service.ImportCarbon(r.Context(), actor(r), id, data, r.FormValue("confirm") == "true")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"months": months})
	return nil
}
