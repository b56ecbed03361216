package api

import (
	"net/http"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) listLecturers(w http.ResponseWriter, r *http.Request) error {
	ls, err := h.Store.Lecturers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, all(ls))
	return nil
}

func (h *Handler) getLecturer(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		l, _, err := h.Store.Lecturer(r.Context(), id)
		return l, err
	})
}

func (h *Handler) createLecturer(w http.ResponseWriter, r *http.Request) error {
	var l model.Lecturer
	if err := decode(r, w, &l); err != nil {
		return err
	}
	l.ID = 0
	out, err := h.Store.SaveLecturer(r.Context(), actor(r), &l)
	if err != nil {
		return err
	}
	created(w, "/api/v1/lecturers", out.ID, out)
	return nil
}

func (h *Handler) updateLecturer(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		var l model.Lecturer
		if err := decode(r, w, &l); err != nil {
			return nil, err
		}
		l.ID = id
		return h.Store.SaveLecturer(r.Context(), actor(r), &l)
	})
}

func (h *Handler) listCourses(w http.ResponseWriter, r *http.Request) error {
	f, err := model.ParseCourseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	l, err := h.Service.Catalogue(r.Context(), actor(r), f, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) getCourse(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.Course(r.Context(), actor(r), id) })
}

func (h *Handler) createCourse(w http.ResponseWriter, r *http.Request) error {
	var c model.Course
	if err := decode(r, w, &c); err != nil {
		return err
	}
	c.ID = 0
	out, err := h.Service.SaveCourse(r.Context(), actor(r), &c)
	if err != nil {
		return err
	}
	created(w, "/api/v1/courses", out.ID, out)
	return nil
}

func (h *Handler) updateCourse(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		var c model.Course
		if err := decode(r, w, &c); err != nil {
			return nil, err
		}
		c.ID = id
		return h.Service.SaveCourse(r.Context(), actor(r), &c)
	})
}

func (h *Handler) addMaterial(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	name, body, err := httpx.UploadPart(w, r, "file", files.Material.MaxBytes)
	if err != nil {
		return err
	}
	m, err := h.Service.AddMaterial(r.Context(), actor(r), id, name, body)
	if err != nil {
		return err
	}
	created(w, "/api/v1/materials", m.ID, m)
	return nil
}
