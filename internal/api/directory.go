package api

import (
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

// created answers 201 with v and its location.
func created(w http.ResponseWriter, path string, id int64, v any) {
	w.Header().Set("Location", path+"/"+strconv.FormatInt(id, 10))
	writeJSON(w, http.StatusCreated, v)
}

// all wraps a short, complete list in the list shape.
func all[T any](items []T) model.List[T] {
	if items == nil {
		items = []T{}
	}
	return model.List[T]{Items: items}
}

func (h *Handler) listRegions(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.Store.Regions(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, all(rs))
	return nil
}

func (h *Handler) createRegion(w http.ResponseWriter, r *http.Request) error {
	var in model.Region
	if err := decode(r, w, &in); err != nil {
		return err
	}
	id, err := h.Store.CreateRegion(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	stored, err := h.Store.Region(r.Context(), id)
	if err != nil {
		return err
	}
	created(w, "/api/v1/regions", id, stored)
	return nil
}

func (h *Handler) getRegion(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Store.Region(r.Context(), id) })
}

func (h *Handler) getAssociation(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Store.Association(r.Context(), id) })
}

func (h *Handler) getHome(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Store.HomeDetail(r.Context(), id) })
}

func (h *Handler) listAssociations(w http.ResponseWriter, r *http.Request) error {
	as, err := h.Store.Associations(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, all(as))
	return nil
}

func (h *Handler) createAssociation(w http.ResponseWriter, r *http.Request) error {
	var in model.Association
	if err := decode(r, w, &in); err != nil {
		return err
	}
	a, err := h.Store.CreateAssociation(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	if a, err = h.Store.Association(r.Context(), a.ID); err != nil {
		return err
	}
	created(w, "/api/v1/associations", a.ID, a)
	return nil
}

func (h *Handler) listHomes(w http.ResponseWriter, r *http.Request) error {
	var region int64
	if s := r.URL.Query().Get("region_id"); s != "" {
		var err error
		if region, err = strconv.ParseInt(s, 10, 64); err != nil || region <= 0 {
			return &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Fields: map[string]string{"region_id": "err.field.id"}}
		}
	}
	hs, err := h.Store.Homes(r.Context(), region)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, all(hs))
	return nil
}

func (h *Handler) createHome(w http.ResponseWriter, r *http.Request) error {
	var in model.Home
	if err := decode(r, w, &in); err != nil {
		return err
	}
	home, err := h.Store.CreateHome(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	created(w, "/api/v1/homes", home.ID, home)
	return nil
}

func (h *Handler) listEnterprises(w http.ResponseWriter, r *http.Request) error {
	f, err := model.ParseEnterpriseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	l, err := h.Service.ListEnterprises(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) createEnterprise(w http.ResponseWriter, r *http.Request) error {
	var in model.Enterprise
	if err := decode(r, w, &in); err != nil {
		return err
	}
	e, err := h.Service.CreateEnterprise(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	created(w, "/api/v1/enterprises", e.ID, e)
	return nil
}

func (h *Handler) getEnterprise(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	e, err := h.Service.Enterprise(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (h *Handler) updateEnterprise(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var p model.EnterprisePatch
	if err := decode(r, w, &p); err != nil {
		return err
	}
	e, err := h.Service.UpdateEnterprise(r.Context(), actor(r), id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (h *Handler) listManagers(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	ms, err := h.Service.Managers(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, all(ms))
	return nil
}

func (h *Handler) createManager(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in model.Manager
	if err := decode(r, w, &in); err != nil {
		return err
	}
	m, err := h.Service.CreateManager(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	created(w, "/api/v1/managers", m.ID, m)
	return nil
}

func (h *Handler) getManager(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	m, err := h.Service.Manager(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (h *Handler) updateManager(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var p model.ManagerPatch
	if err := decode(r, w, &p); err != nil {
		return err
	}
	m, err := h.Service.UpdateManager(r.Context(), actor(r), id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// workbench answers the caller's home.
func (h *Handler) workbench(w http.ResponseWriter, r *http.Request) error {
	wb, err := h.Service.Workbench(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wb)
	return nil
}

// stats answers the figures behind the charts.
func (h *Handler) stats(w http.ResponseWriter, r *http.Request) error {
	var region int64
	if s := r.URL.Query().Get("region_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return (model.Validation{"region_id": "err.field.id"}).Err()
		}
		region = id
	}
	st, err := h.Service.Stats(r.Context(), actor(r), region)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// listLinkRequests lists the pending claims the caller decides.
func (h *Handler) listLinkRequests(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	l, err := h.Service.LinkRequests(r.Context(), actor(r), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) decideLink(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var d model.LinkDecision
	if err := decode(r, w, &d); err != nil {
		return err
	}
	m, err := h.Service.DecideLink(r.Context(), actor(r), id, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (h *Handler) managerHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	hs, err := h.Store.ManagerHistory(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, all(hs))
	return nil
}

func (h *Handler) updateHome(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in model.Home
	if err := decode(r, w, &in); err != nil {
		return err
	}
	home, err := h.Store.UpdateHome(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, home)
	return nil
}
