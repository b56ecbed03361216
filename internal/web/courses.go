package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

type catalogueData struct {
	Filter     model.CourseFilter
	Query      url.Values
	List       model.List[*model.Course]
	Categories []string
	Lecturers  []*model.Lecturer
	Regions    []model.Region
}

func (h *Handler) coursesPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := &catalogueData{Query: q, Categories: model.CourseCategories}
	v := h.newView(r, "page.courses", d)
	f, err := model.ParseCourseFilter(q)
	d.Filter = f
	p, perr := model.ParsePage(q.Get("limit"), q.Get("cursor"))
	if err == nil {
		err = perr
	}
	if d.Lecturers, perr = h.Store.Lecturers(r.Context()); perr != nil {
		return perr
	}
	if d.Regions, perr = h.Store.Regions(r.Context()); perr != nil {
		return perr
	}
	if err != nil {
		return h.formError(w, r, "courses", v, err)
	}
	if d.List, err = h.Service.Catalogue(r.Context(), actor(r), f, p); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "courses", v)
}

type courseData struct {
	C        *model.Course
	Homes    []model.Home
	NewClass classForm
	Cites    []citeView
}

// classForm keeps a class form's values as typed.
type classForm struct {
	HomeID, RoomID, StartsAt, EndsAt, Capacity, Limit, Opens, Closes, Deadline string
}

func (h *Handler) coursePage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.courseView(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "course", v)
}

func (h *Handler) courseView(r *http.Request) (*view, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	c, err := h.Service.Course(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	d := &courseData{C: c, NewClass: classForm{Capacity: "30", Limit: "2"}, Cites: h.citeViews(r.Context(), c.Cites)}
	if c.Can.Schedule {
		var region int64
		if u := actor(r).User; u.Role == model.RoleAssociation && u.RegionID != nil {
			region = *u.RegionID
		}
		if d.Homes, err = h.Store.Homes(r.Context(), region); err != nil {
			return nil, err
		}
	}
	v := h.newView(r, "page.course", d)
	v.Title = c.Title
	return v, nil
}

// parseLocal reads a datetime-local field as China time.
func parseLocal(v model.Validation, field, s string, required bool) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			v.Add(field, "err.field.required")
		}
		return nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", s, model.ChinaTime)
	if err != nil {
		v.Add(field, "err.field.time")
		return nil
	}
	return &t
}

func atoiField(v model.Validation, field, s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		v.Add(field, "err.field.number")
	}
	return n
}

type courseFormData struct {
	C          *model.Course
	Categories []string
	Statuses   []string
	Lecturers  []*model.Lecturer
	Topic      *int64
	Cites      citeField
}

func (h *Handler) courseForm(r *http.Request, c *model.Course) (*view, error) {
	ls, err := h.Store.Lecturers(r.Context())
	if err != nil {
		return nil, err
	}
	d := &courseFormData{C: c, Categories: model.CourseCategories, Statuses: model.CourseStatuses, Lecturers: ls}
	if d.Cites, err = h.citeFieldFor(r.Context(), c.Cites); err != nil {
		return nil, err
	}
	if t, err := strconv.ParseInt(r.FormValue("topic"), 10, 64); err == nil && t > 0 {
		d.Topic = &t
	}
	key := "page.course_new"
	if c.ID != 0 {
		key = "page.course_edit"
	}
	return h.newView(r, key, d), nil
}

func (h *Handler) newCoursePage(w http.ResponseWriter, r *http.Request) error {
	c := &model.Course{Category: "carbon", CreditHours: 3, Status: model.CoursePublished, Title: r.URL.Query().Get("title")}
	v, err := h.courseForm(r, c)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "course_form", v)
}

func (h *Handler) editCoursePage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.Service.Course(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	v, err := h.courseForm(r, c)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "course_form", v)
}

func courseFromForm(r *http.Request) (*model.Course, error) {
	r.ParseForm()
	c := &model.Course{Title: r.FormValue("title"), Category: r.FormValue("category"), Description: r.FormValue("description"),
		Status: r.FormValue("status"), Industries: model.SplitList(r.FormValue("industries"))}
	vd := model.Validation{}
	h, err := strconv.ParseFloat(strings.TrimSpace(r.FormValue("credit_hours")), 64)
	if err != nil {
		vd.Add("credit_hours", "err.field.hours")
	}
	c.CreditHours = h
	for _, s := range r.Form["lecturer_ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			c.LecturerIDs = append(c.LecturerIDs, id)
		}
	}
	if c.Cites, err = citesFromForm(r, "cites"); err != nil {
		return c, err
	}
	return c, vd.Err()
}

func (h *Handler) saveCourse(w http.ResponseWriter, r *http.Request) error {
	c, err := courseFromForm(r)
	if id, perr := httpx.PathID(r, "id"); perr == nil {
		c.ID = id
	}
	var out *model.Course
	if err == nil {
		if t, terr := strconv.ParseInt(r.FormValue("topic"), 10, 64); terr == nil && t > 0 && c.ID == 0 {
			out, err = h.Service.AdoptTopic(r.Context(), actor(r), t, c)
		} else {
			out, err = h.Service.SaveCourse(r.Context(), actor(r), c)
		}
	}
	if err != nil {
		v, verr := h.courseForm(r, c)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "course_form", v, err)
	}
	redirect(w, r, fmt.Sprintf("/courses/%d", out.ID), "flash.saved")
	return nil
}

func (h *Handler) uploadMaterial(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	name, body, err := httpx.UploadPart(w, r, "file", files.Material.MaxBytes)
	if err == nil {
		_, err = h.Service.AddMaterial(r.Context(), actor(r), id, name, body)
	}
	if err != nil {
		v, verr := h.courseView(r)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "course", v, err)
	}
	redirect(w, r, fmt.Sprintf("/courses/%d", id), "flash.saved")
	return nil
}

func (h *Handler) lecturersPage(w http.ResponseWriter, r *http.Request) error {
	ls, err := h.Store.Lecturers(r.Context())
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "lecturers", h.newView(r, "page.lecturers", ls))
}

type lecturerFormData struct {
	L     *model.Lecturer
	Kinds []string
}

func (h *Handler) lecturerFormPage(w http.ResponseWriter, r *http.Request) error {
	l := &model.Lecturer{AffiliationKind: "university"}
	if id, err := httpx.PathID(r, "id"); err == nil {
		if l, _, err = h.Store.Lecturer(r.Context(), id); err != nil {
			return err
		}
	}
	return h.render(w, r, http.StatusOK, "lecturer_form", h.newView(r, "page.lecturer_form", &lecturerFormData{L: l, Kinds: model.AffiliationKinds}))
}

func (h *Handler) saveLecturer(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	l := &model.Lecturer{Name: r.FormValue("name"), AffiliationKind: r.FormValue("affiliation_kind"), Affiliation: r.FormValue("affiliation"),
		Title: r.FormValue("title"), Tags: model.SplitList(r.FormValue("tags")), Bio: r.FormValue("bio")}
	if id, err := httpx.PathID(r, "id"); err == nil {
		l.ID = id
	}
	if u := strings.TrimSpace(r.FormValue("username")); u != "" {
		if usr, err := h.Store.UserByUsername(r.Context(), u); err == nil {
			l.UserID = &usr.ID
		} else {
			l.UserID = new(int64) // no such account: the store refuses it by field
		}
	}
	if _, err := h.Store.SaveLecturer(r.Context(), actor(r), l); err != nil {
		return h.formError(w, r, "lecturer_form", h.newView(r, "page.lecturer_form", &lecturerFormData{L: l, Kinds: model.AffiliationKinds}), err)
	}
	redirect(w, r, "/lecturers", "flash.saved")
	return nil
}

func (h *Handler) uploadLecturerPhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	name, body, err := httpx.UploadPart(w, r, "photo", files.Photo.MaxBytes)
	if err == nil {
		err = h.Service.SetLecturerPhoto(r.Context(), actor(r), id, name, body)
	}
	if err != nil {
		return err
	}
	redirect(w, r, "/lecturers", "flash.saved")
	return nil
}
