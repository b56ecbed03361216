package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/photos"
	"github.com/envhome/envhome/internal/store"
)

func actor(r *http.Request) model.Actor { return httpx.ActorFrom(r.Context()) }

func isRole(r *http.Request, roles ...model.Role) bool {
	u := actor(r).User
	return u != nil && hasRole(roles, u.Role)
}

// redirect answers a form post with a page and a flash message.
func redirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	http.Redirect(w, r, path+sep+"ok="+flash, http.StatusSeeOther)
}

// origin is the site's address as the browser sees it, for QR codes.
func (h *Handler) origin(r *http.Request) string {
	scheme := "http"
	if h.Proxies.IsHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ---- Catalogue ----

type catalogueData struct {
	Filter     model.CourseFilter
	Query      url.Values
	List       model.List[*model.Course]
	Categories []string
	Lecturers  []*model.Lecturer
	Regions    []model.Region
}

func (h *Handler) coursesPage(w http.ResponseWriter, r *http.Request) {
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
		h.renderError(w, r, perr)
		return
	}
	if d.Regions, perr = h.Store.Regions(r.Context()); perr != nil {
		h.renderError(w, r, perr)
		return
	}
	if err != nil {
		h.formError(w, r, "courses", v, err)
		return
	}
	if d.List, err = h.Store.Catalogue(r.Context(), actor(r), f, p); err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "courses", v)
}

type courseData struct {
	C           *model.Course
	Homes       []model.Home
	CanEdit     bool
	CanSchedule bool
	NewClass    classForm
}

// classForm keeps a class form's values as typed.
type classForm struct {
	HomeID, RoomID, StartsAt, EndsAt, Capacity, Limit, Opens, Closes, Deadline string
}

func (h *Handler) coursePage(w http.ResponseWriter, r *http.Request) {
	v, err := h.courseView(r)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "course", v)
}

func (h *Handler) courseView(r *http.Request) (*view, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	c, err := h.Store.Course(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	d := &courseData{C: c, CanEdit: isRole(r, model.RoleAdmin), CanSchedule: isRole(r, model.RoleAdmin, model.RoleAssociation),
		NewClass: classForm{Capacity: "30", Limit: "2"}}
	if d.CanSchedule {
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

func (h *Handler) createClass(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := classForm{HomeID: r.FormValue("home_id"), RoomID: r.FormValue("room_id"), StartsAt: r.FormValue("starts_at"), EndsAt: r.FormValue("ends_at"),
		Capacity: r.FormValue("capacity"), Limit: r.FormValue("per_enterprise_limit"), Opens: r.FormValue("booking_opens_at"),
		Closes: r.FormValue("booking_closes_at"), Deadline: r.FormValue("cancel_deadline")}
	vd := model.Validation{}
	var in model.ClassInput
	in.HomeID, _ = strconv.ParseInt(f.HomeID, 10, 64)
	if f.RoomID != "" {
		id, err := strconv.ParseInt(f.RoomID, 10, 64)
		if err == nil {
			in.RoomID = &id
		}
	}
	if t := parseLocal(vd, "starts_at", f.StartsAt, true); t != nil {
		in.StartsAt = *t
	}
	if t := parseLocal(vd, "ends_at", f.EndsAt, true); t != nil {
		in.EndsAt = *t
	}
	in.Capacity = atoiField(vd, "capacity", f.Capacity)
	if f.Limit != "" {
		in.PerEnterpriseLimit = atoiField(vd, "per_enterprise_limit", f.Limit)
	}
	in.BookingOpensAt = parseLocal(vd, "booking_opens_at", f.Opens, false)
	in.BookingClosesAt = parseLocal(vd, "booking_closes_at", f.Closes, false)
	in.CancelDeadline = parseLocal(vd, "cancel_deadline", f.Deadline, false)
	err := vd.Err()
	var k *model.Class
	if err == nil {
		id, _ := httpx.PathID(r, "id")
		k, err = h.Store.CreateClass(r.Context(), actor(r), id, in)
	}
	if err != nil {
		v, verr := h.courseView(r)
		if verr != nil {
			h.renderError(w, r, verr)
			return
		}
		v.Data.(*courseData).NewClass = f
		h.formError(w, r, "course", v, err)
		return
	}
	redirect(w, r, fmt.Sprintf("/classes/%d", k.ID), "flash.saved")
}

// ---- Course form (bureau) ----

type courseFormData struct {
	C          *model.Course
	Categories []string
	Statuses   []string
	Lecturers  []*model.Lecturer
	Topic      *int64
}

func (h *Handler) courseForm(r *http.Request, c *model.Course) (*view, error) {
	ls, err := h.Store.Lecturers(r.Context())
	if err != nil {
		return nil, err
	}
	d := &courseFormData{C: c, Categories: model.CourseCategories, Statuses: model.CourseStatuses, Lecturers: ls}
	if t, err := strconv.ParseInt(r.FormValue("topic"), 10, 64); err == nil && t > 0 {
		d.Topic = &t
	}
	key := "page.course_new"
	if c.ID != 0 {
		key = "page.course_edit"
	}
	return h.newView(r, key, d), nil
}

func (h *Handler) newCoursePage(w http.ResponseWriter, r *http.Request) {
	c := &model.Course{Category: "carbon", CreditHours: 3, Status: model.CoursePublished, Title: r.URL.Query().Get("title")}
	v, err := h.courseForm(r, c)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "course_form", v)
}

func (h *Handler) editCoursePage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	c, err := h.Store.Course(r.Context(), actor(r), id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	v, err := h.courseForm(r, c)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "course_form", v)
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
	return c, vd.Err()
}

func (h *Handler) saveCourse(w http.ResponseWriter, r *http.Request) {
	c, err := courseFromForm(r)
	if id, perr := httpx.PathID(r, "id"); perr == nil {
		c.ID = id
	}
	var out *model.Course
	if err == nil {
		if t, terr := strconv.ParseInt(r.FormValue("topic"), 10, 64); terr == nil && t > 0 && c.ID == 0 {
			out, err = h.Store.AdoptTopic(r.Context(), actor(r), t, c)
		} else {
			out, err = h.Store.SaveCourse(r.Context(), actor(r), c)
		}
	}
	if err != nil {
		v, verr := h.courseForm(r, c)
		if verr != nil {
			h.renderError(w, r, verr)
			return
		}
		h.formError(w, r, "course_form", v, err)
		return
	}
	redirect(w, r, fmt.Sprintf("/courses/%d", out.ID), "flash.saved")
}

func (h *Handler) uploadMaterial(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if _, err := h.Materials.Add(w, r, actor(r), id); err != nil {
		v, verr := h.courseView(r)
		if verr != nil {
			h.renderError(w, r, verr)
			return
		}
		h.formError(w, r, "course", v, err)
		return
	}
	redirect(w, r, fmt.Sprintf("/courses/%d", id), "flash.saved")
}

func (h *Handler) downloadMaterial(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = h.Materials.Serve(w, r, id)
	}
	if err != nil {
		h.renderError(w, r, err)
	}
}

// ---- Lecturers ----

func (h *Handler) lecturersPage(w http.ResponseWriter, r *http.Request) {
	ls, err := h.Store.Lecturers(r.Context())
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "lecturers", h.newView(r, "page.lecturers", ls))
}

type lecturerFormData struct {
	L     *model.Lecturer
	Kinds []string
}

func (h *Handler) lecturerFormPage(w http.ResponseWriter, r *http.Request) {
	l := &model.Lecturer{AffiliationKind: "university"}
	if id, err := httpx.PathID(r, "id"); err == nil {
		if l, _, err = h.Store.Lecturer(r.Context(), id); err != nil {
			h.renderError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "lecturer_form", h.newView(r, "page.lecturer_form", &lecturerFormData{L: l, Kinds: model.AffiliationKinds}))
}

func (h *Handler) saveLecturer(w http.ResponseWriter, r *http.Request) {
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
		h.formError(w, r, "lecturer_form", h.newView(r, "page.lecturer_form", &lecturerFormData{L: l, Kinds: model.AffiliationKinds}), err)
		return
	}
	redirect(w, r, "/lecturers", "flash.saved")
}

func (h *Handler) uploadLecturerPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	data, err := httpx.ReadUpload(w, r, "photo", photos.MaxBytes)
	var name, old string
	if err == nil {
		name, err = photos.Save(h.PhotoDir, data)
	}
	if err == nil {
		old, err = h.Store.SetLecturerPhoto(r.Context(), actor(r), id, name)
		if err != nil {
			os.Remove(photos.Path(h.PhotoDir, name))
		}
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if old != "" {
		os.Remove(photos.Path(h.PhotoDir, old))
	}
	redirect(w, r, "/lecturers", "flash.saved")
}

func (h *Handler) lecturerPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	_, photo, err := h.Store.Lecturer(r.Context(), id)
	if err == nil && photo == "" {
		err = model.NotFound()
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeFile(w, r, photos.Path(h.PhotoDir, photo))
}

// ---- Classes ----

type classData struct {
	K          *model.Class
	Runner     bool
	Organiser  bool
	Admin      bool
	Bookings   []*model.Booking
	Managers   []*model.Manager // the enterprise's active managers, to book
	Feedback   *model.FeedbackSummary
	Open       bool
	Attendance []string
}

func (h *Handler) classView(r *http.Request, id int64) (*view, error) {
	k, err := h.Store.Class(r.Context(), id)
	if err != nil {
		return nil, err
	}
	a := actor(r)
	d := &classData{K: k, Open: k.BookingOpen(h.Store.Now()), Attendance: model.AttendanceStatuses, Admin: isRole(r, model.RoleAdmin)}
	if a.User != nil {
		d.Runner = h.Store.CanRunClass(r.Context(), a, k)
		d.Organiser = isRole(r, model.RoleAdmin) || (isRole(r, model.RoleAssociation) && a.User.RegionID != nil && *a.User.RegionID == k.RegionID)
		if d.Runner || !a.Scope().None() {
			if d.Bookings, err = h.Store.ClassBookings(r.Context(), a, id); err != nil {
				return nil, err
			}
		}
		if ent := a.Scope().EnterpriseID; ent != 0 {
			ms, err := h.Store.Managers(r.Context(), a.Scope(), ent)
			if err != nil {
				return nil, err
			}
			for _, m := range ms {
				if m.Status == model.ManagerActive {
					d.Managers = append(d.Managers, m)
				}
			}
		}
		if d.Runner {
			if d.Feedback, err = h.Store.ClassFeedback(r.Context(), a, id); err != nil {
				return nil, err
			}
		}
	}
	v := h.newView(r, "page.class", d)
	v.Title = k.CourseTitle
	return v, nil
}

func (h *Handler) classPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	v, err := h.classView(r, id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "class", v)
}

// classAction runs a form action on a class and shows the class again: the
// result as a flash, or the error above the page.
func (h *Handler) classAction(w http.ResponseWriter, r *http.Request, classID int64, next string, fn func() error) {
	if err := fn(); err != nil {
		v, verr := h.classView(r, classID)
		if verr != nil {
			h.renderError(w, r, err)
			return
		}
		h.formError(w, r, "class", v, err)
		return
	}
	if next == "" {
		next = fmt.Sprintf("/classes/%d", classID)
	}
	redirect(w, r, next, "flash.saved")
}

func (h *Handler) bookClass(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	mid, _ := strconv.ParseInt(r.FormValue("manager_id"), 10, 64)
	b, err := h.Store.Book(r.Context(), actor(r), id, mid)
	if err != nil {
		h.classAction(w, r, id, "", func() error { return err })
		return
	}
	// Straight to the booking with its QR code.
	http.Redirect(w, r, fmt.Sprintf("/bookings/%d?ok=flash.booked_%s", b.ID, b.Status), http.StatusSeeOther)
}

func (h *Handler) cancelClass(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.classAction(w, r, id, "", func() error {
		_, err := h.Store.CancelClass(r.Context(), actor(r), id, strings.TrimSpace(r.FormValue("reason")))
		return err
	})
}

func (h *Handler) completeClass(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.classAction(w, r, id, "", func() error {
		_, err := h.Store.CompleteClass(r.Context(), actor(r), id)
		return err
	})
}

func (h *Handler) updateClass(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.classAction(w, r, id, "", func() error {
		r.ParseForm()
		vd := model.Validation{}
		var p model.ClassPatch
		if s := r.FormValue("capacity"); s != "" {
			n := atoiField(vd, "capacity", s)
			p.Capacity = &n
		}
		if s := r.FormValue("per_enterprise_limit"); s != "" {
			n := atoiField(vd, "per_enterprise_limit", s)
			p.PerEnterpriseLimit = &n
		}
		for _, s := range r.Form["demote"] {
			if b, err := strconv.ParseInt(s, 10, 64); err == nil {
				p.Demote = append(p.Demote, b)
			}
		}
		p.Reason = strings.TrimSpace(r.FormValue("reason"))
		if err := vd.Err(); err != nil {
			return err
		}
		_, err := h.Store.UpdateClass(r.Context(), actor(r), id, p)
		return err
	})
}

// ---- Bookings ----

type bookingData struct {
	B           *model.Booking
	Owner       bool
	Runner      bool
	Certificate *model.Certificate
	CanCancel   bool
	CanFeedback bool
	Calendar    string
}

func (h *Handler) bookingPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	a := actor(r)
	b, err := h.Store.Booking(r.Context(), a, id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	now := h.Store.Now()
	ac := h.Store.BookingAccess(r.Context(), a, b, b.Class)
	d := &bookingData{B: b, Owner: ac.Owner, Runner: ac.Runner}
	d.CanCancel = d.Owner && b.Status != model.BookingCancelled && b.Class.Status == model.ClassScheduled &&
		(b.Status == model.BookingWaitlisted || now.Before(b.Class.CancelDeadline))
	d.CanFeedback = d.Owner && model.Attended(b.Attendance) && !now.Before(b.Class.EndsAt)
	if c, err := h.Store.CertificateForBooking(r.Context(), a, id); err == nil {
		d.Certificate = c
	}
	if d.Owner {
		if tok, err := h.Store.CalendarToken(r.Context(), a, b.ManagerID); err == nil {
			d.Calendar = h.origin(r) + "/calendar/" + tok + ".ics"
		}
	}
	v := h.newView(r, "page.booking", d)
	v.Title = b.Class.CourseTitle
	h.render(w, r, http.StatusOK, "booking", v)
}

func (h *Handler) bookingAction(w http.ResponseWriter, r *http.Request, fn func(id int64) error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if err := fn(id); err != nil {
		h.renderError(w, r, err)
		return
	}
	next := r.FormValue("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = fmt.Sprintf("/bookings/%d", id)
	}
	redirect(w, r, next, "flash.saved")
}

func (h *Handler) cancelBooking(w http.ResponseWriter, r *http.Request) {
	h.bookingAction(w, r, func(id int64) error { _, err := h.Store.CancelBooking(r.Context(), actor(r), id); return err })
}

func (h *Handler) acceptOffer(w http.ResponseWriter, r *http.Request) {
	h.bookingAction(w, r, func(id int64) error { _, err := h.Store.AcceptOffer(r.Context(), actor(r), id); return err })
}

func (h *Handler) setAttendance(w http.ResponseWriter, r *http.Request) {
	h.bookingAction(w, r, func(id int64) error {
		_, err := h.Store.SetAttendance(r.Context(), actor(r), id, r.FormValue("attendance"))
		return err
	})
}

func (h *Handler) moveInWaitlist(w http.ResponseWriter, r *http.Request) {
	h.bookingAction(w, r, func(id int64) error {
		pos, _ := strconv.Atoi(r.FormValue("position"))
		_, err := h.Store.MoveInWaitlist(r.Context(), actor(r), id, pos, strings.TrimSpace(r.FormValue("reason")))
		return err
	})
}

func (h *Handler) giveFeedback(w http.ResponseWriter, r *http.Request) {
	h.bookingAction(w, r, func(id int64) error {
		n, _ := strconv.Atoi(r.FormValue("rating"))
		_, err := h.Store.GiveFeedback(r.Context(), actor(r), id, model.Feedback{Rating: n, Comment: r.FormValue("comment")})
		return err
	})
}

func (h *Handler) bookingQR(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	b, err := h.Store.Booking(r.Context(), actor(r), id)
	if err == nil && b.Status != model.BookingConfirmed {
		err = model.NotFound()
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	httpx.WriteQR(w, b.Code)
}

// myPage is each role's view of the course supermarket: an enterprise's
// bookings, a lecturer's or association's classes.
type myData struct {
	Bookings []*model.Booking
	Classes  []*model.Class
}

func (h *Handler) myTrainingPage(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	d := &myData{}
	var err error
	if a.Scope().EnterpriseID != 0 {
		d.Bookings, err = h.Store.EnterpriseBookings(r.Context(), a, nil, 200)
	} else {
		from := h.Store.Now().Add(-30 * 24 * time.Hour)
		d.Classes, err = h.Store.Classes(r.Context(), a, store.ClassFilter{Mine: true, From: &from})
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "my_training", h.newView(r, "page.my_training", d))
}
