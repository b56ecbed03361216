package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

func (h *Handler) createClass(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in model.ClassInput
	if err := decode(r, w, &in); err != nil {
		return err
	}
	k, err := h.Service.CreateClass(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	created(w, "/api/v1/classes", k.ID, k)
	return nil
}

func (h *Handler) listClasses(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := model.Validation{}
	f := store.ClassFilter{Mine: q.Get("mine") == "1" || q.Get("mine") == "true"}
	if s := q.Get("course"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			v.Add("course", "err.field.id")
		}
		f.CourseID = &id
	}
	if s := q.Get("from"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			v.Add("from", "err.field.time")
		}
		f.From = &t
	}
	p, perr := page(r)
	if perr != nil {
		for k, m := range perr.(*model.Error).Fields {
			v.Add(k, m)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	// One more than the page, to know whether another follows.
	f.Limit, f.After = p.Limit+1, p.After
	ks, err := h.Service.Classes(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.PageOf(ks, p.Limit, func(k *model.Class) int64 { return k.ID }))
	return nil
}

func (h *Handler) getClass(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.Class(r.Context(), actor(r), id) })
}

func (h *Handler) updateClass(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		var p model.ClassPatch
		if err := decode(r, w, &p); err != nil {
			return nil, err
		}
		return h.Service.UpdateClass(r.Context(), actor(r), id, p)
	})
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (h *Handler) cancelClass(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		var b reasonBody
		if err := decode(r, w, &b); err != nil {
			return nil, err
		}
		return h.Service.CancelClass(r.Context(), actor(r), id, b.Reason)
	})
}

func (h *Handler) completeClass(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.CompleteClass(r.Context(), actor(r), id) })
}

func (h *Handler) classFeedback(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Store.ClassFeedback(r.Context(), actor(r), id) })
}

func (h *Handler) checkIn(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		var in struct {
			Code string `json:"code"`
		}
		if err := decode(r, w, &in); err != nil {
			return nil, err
		}
		return h.Service.CheckIn(r.Context(), actor(r), id, in.Code)
	})
}

func (h *Handler) rotatingCode(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		code, next, err := h.Service.RotatingCode(r.Context(), actor(r), id)
		return map[string]any{"code": code, "expires_at": next}, err
	})
}

func (h *Handler) selfCheckIn(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		var in struct {
			BookingID int64  `json:"booking_id"`
			Code      string `json:"code"`
		}
		if err := decode(r, w, &in); err != nil {
			return nil, err
		}
		return h.Service.SelfCheckIn(r.Context(), actor(r), id, in.BookingID, in.Code)
	})
}
