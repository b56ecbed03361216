package api

import (
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/photos"
	"github.com/envhome/envhome/internal/store"
)

// actor is who asks.
func actor(r *http.Request) model.Actor { return httpx.ActorFrom(r.Context()) }

// withID parses the {id} path value and calls fn, or answers the error.
func (h *Handler) withID(w http.ResponseWriter, r *http.Request, fn func(id int64) (any, error)) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := fn(id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// ---- Settings ----

func (h *Handler) getTrainingSettings(w http.ResponseWriter, r *http.Request) {
	t, err := h.Store.TrainingSettings(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (h *Handler) putTrainingSettings(w http.ResponseWriter, r *http.Request) {
	var t model.TrainingSettings
	if err := decode(r, w, &t); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Store.SetTrainingSettings(r.Context(), actor(r), t); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// ---- Lecturers ----

func (h *Handler) listLecturers(w http.ResponseWriter, r *http.Request) {
	ls, err := h.Store.Lecturers(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, all(ls))
}

func (h *Handler) getLecturer(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		l, _, err := h.Store.Lecturer(r.Context(), id)
		return l, err
	})
}

func (h *Handler) createLecturer(w http.ResponseWriter, r *http.Request) {
	var l model.Lecturer
	if err := decode(r, w, &l); err != nil {
		h.fail(w, r, err)
		return
	}
	l.ID = 0
	out, err := h.Store.SaveLecturer(r.Context(), actor(r), &l)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/api/v1/lecturers", out.ID, out)
}

func (h *Handler) updateLecturer(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		var l model.Lecturer
		if err := decode(r, w, &l); err != nil {
			return nil, err
		}
		l.ID = id
		return h.Store.SaveLecturer(r.Context(), actor(r), &l)
	})
}

func (h *Handler) putLecturerPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data, err := readPhoto(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, _, err := h.Store.Lecturer(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	name, err := photos.Save(h.PhotoDir, data)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	old, err := h.Store.SetLecturerPhoto(r.Context(), actor(r), id, name)
	if err != nil {
		os.Remove(photos.Path(h.PhotoDir, name))
		h.fail(w, r, err)
		return
	}
	if old != "" {
		os.Remove(photos.Path(h.PhotoDir, old))
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) getLecturerPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_, photo, err := h.Store.Lecturer(r.Context(), id)
	if err == nil && photo == "" {
		err = model.NotFound()
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeFile(w, r, photos.Path(h.PhotoDir, photo))
}

// ---- Courses ----

func (h *Handler) listCourses(w http.ResponseWriter, r *http.Request) {
	f, err := model.ParseCourseFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := page(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l, err := h.Store.Catalogue(r.Context(), actor(r), f, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (h *Handler) getCourse(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.Store.Course(r.Context(), actor(r), id) })
}

func (h *Handler) createCourse(w http.ResponseWriter, r *http.Request) {
	var c model.Course
	if err := decode(r, w, &c); err != nil {
		h.fail(w, r, err)
		return
	}
	c.ID = 0
	out, err := h.Store.SaveCourse(r.Context(), actor(r), &c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/api/v1/courses", out.ID, out)
}

func (h *Handler) updateCourse(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		var c model.Course
		if err := decode(r, w, &c); err != nil {
			return nil, err
		}
		c.ID = id
		return h.Store.SaveCourse(r.Context(), actor(r), &c)
	})
}

func (h *Handler) addMaterial(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	m, err := h.Materials.Add(w, r, actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/api/v1/materials", m.ID, m)
}

func (h *Handler) getMaterial(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Materials.Serve(w, r, id); err != nil {
		h.fail(w, r, err)
	}
}

// ---- Classes ----

func (h *Handler) createClass(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in model.ClassInput
	if err := decode(r, w, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	k, err := h.Store.CreateClass(r.Context(), actor(r), id, in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/api/v1/classes", k.ID, k)
}

func (h *Handler) listClasses(w http.ResponseWriter, r *http.Request) {
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
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	ks, err := h.Store.Classes(r.Context(), actor(r), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, all(ks))
}

func (h *Handler) getClass(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.Store.Class(r.Context(), id) })
}

func (h *Handler) updateClass(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		var p model.ClassPatch
		if err := decode(r, w, &p); err != nil {
			return nil, err
		}
		return h.Store.UpdateClass(r.Context(), actor(r), id, p)
	})
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (h *Handler) cancelClass(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		var b reasonBody
		if err := decode(r, w, &b); err != nil {
			return nil, err
		}
		return h.Store.CancelClass(r.Context(), actor(r), id, b.Reason)
	})
}

func (h *Handler) completeClass(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.Store.CompleteClass(r.Context(), actor(r), id) })
}

func (h *Handler) classFeedback(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.Store.ClassFeedback(r.Context(), actor(r), id) })
}

// ---- Bookings ----

type bookBody struct {
	ManagerID int64 `json:"manager_id"`
}

// createBooking answers 201 with a new booking, 200 with the existing one
// when the manager already holds a place.
func (h *Handler) createBooking(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in bookBody
	if err := decode(r, w, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if in.ManagerID <= 0 {
		h.fail(w, r, (model.Validation{"manager_id": "err.field.required"}).Err())
		return
	}
	b, err := h.Store.Book(r.Context(), actor(r), id, in.ManagerID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !b.Created {
		writeJSON(w, http.StatusOK, b)
		return
	}
	created(w, "/api/v1/bookings", b.ID, b)
}

func (h *Handler) classBookings(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		bs, err := h.Store.ClassBookings(r.Context(), actor(r), id)
		return all(bs), err
	})
}

func (h *Handler) listBookings(w http.ResponseWriter, r *http.Request) {
	var mid *int64
	if s := r.URL.Query().Get("manager_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, (model.Validation{"manager_id": "err.field.id"}).Err())
			return
		}
		mid = &id
	}
	bs, err := h.Store.EnterpriseBookings(r.Context(), actor(r), mid, 200)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, all(bs))
}

func (h *Handler) getBooking(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.Store.Booking(r.Context(), actor(r), id) })
}

func (h *Handler) cancelBooking(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.Store.CancelBooking(r.Context(), actor(r), id) })
}

func (h *Handler) acceptOffer(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.Store.AcceptOffer(r.Context(), actor(r), id) })
}

func (h *Handler) moveInWaitlist(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		var in struct {
			Position int    `json:"position"`
			Reason   string `json:"reason"`
		}
		if err := decode(r, w, &in); err != nil {
			return nil, err
		}
		return h.Store.MoveInWaitlist(r.Context(), actor(r), id, in.Position, in.Reason)
	})
}

func (h *Handler) setAttendance(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		var in struct {
			Attendance string `json:"attendance"`
		}
		if err := decode(r, w, &in); err != nil {
			return nil, err
		}
		return h.Store.SetAttendance(r.Context(), actor(r), id, in.Attendance)
	})
}

func (h *Handler) giveFeedback(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		var f model.Feedback
		if err := decode(r, w, &f); err != nil {
			return nil, err
		}
		return h.Store.GiveFeedback(r.Context(), actor(r), id, f)
	})
}

func (h *Handler) bookingCertificate(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.Store.CertificateForBooking(r.Context(), actor(r), id) })
}

// bookingQR is the personal check-in code as a PNG, for the booking's
// enterprise.
func (h *Handler) bookingQR(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	b, err := h.Store.Booking(r.Context(), actor(r), id)
	if err == nil && b.Status != model.BookingConfirmed {
		err = model.Errorf(model.ErrConflict, "err.checkin_not_confirmed")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteQR(w, b.Code)
}

// ---- Check-in ----

func (h *Handler) checkIn(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		var in struct {
			Code string `json:"code"`
		}
		if err := decode(r, w, &in); err != nil {
			return nil, err
		}
		return h.Store.CheckIn(r.Context(), actor(r), id, in.Code)
	})
}

func (h *Handler) rotatingCode(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		k, err := h.Store.Class(r.Context(), id)
		if err != nil {
			return nil, err
		}
		code, next, err := h.Store.RotatingCode(r.Context(), actor(r), k)
		return map[string]any{"code": code, "expires_at": next}, err
	})
}

func (h *Handler) selfCheckIn(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		var in struct {
			BookingID int64  `json:"booking_id"`
			Code      string `json:"code"`
		}
		if err := decode(r, w, &in); err != nil {
			return nil, err
		}
		return h.Store.SelfCheckIn(r.Context(), actor(r), id, in.BookingID, in.Code)
	})
}

// ---- Credit hours ----

func (h *Handler) listCredits(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	year, err := model.ParseYear(q.Get("year"), h.Store.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var region *int64
	if s := q.Get("region"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, (model.Validation{"region": "err.field.id"}).Err())
			return
		}
		region = &id
	}
	p, err := page(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l, err := h.Store.CreditProgressList(r.Context(), actor(r), year, q.Get("behind") == "1" || q.Get("behind") == "true", region, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (h *Handler) managerCredits(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		year, err := model.ParseYear(r.URL.Query().Get("year"), h.Store.Now())
		if err != nil {
			return nil, err
		}
		p, recs, err := h.Store.CreditHistory(r.Context(), actor(r), id, year)
		return map[string]any{"progress": p, "history": recs}, err
	})
}

func (h *Handler) managerCalendar(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) {
		tok, err := h.Store.CalendarToken(r.Context(), actor(r), id)
		return map[string]string{"url": "/calendar/" + tok + ".ics"}, err
	})
}

// ---- Certificates ----

func (h *Handler) verifyCertificate(w http.ResponseWriter, r *http.Request) {
	c, err := h.Store.CertificateByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// ---- Topics ----

func (h *Handler) listTopics(w http.ResponseWriter, r *http.Request) {
	ts, err := h.Store.Topics(r.Context(), actor(r), r.URL.Query().Get("status"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, all(ts))
}

func (h *Handler) proposeTopic(w http.ResponseWriter, r *http.Request) {
	var t model.Topic
	if err := decode(r, w, &t); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.Store.ProposeTopic(r.Context(), actor(r), t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/api/v1/topics", out.ID, out)
}

func (h *Handler) voteTopic(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Store.VoteTopic(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) adoptTopic(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var c model.Course
	if err := decode(r, w, &c); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.Store.AdoptTopic(r.Context(), actor(r), id, &c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/api/v1/courses", out.ID, out)
}

// ---- Notifications ----

func (h *Handler) listNotifications(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := actor(r).User
	l, err := h.Store.Notifications(r.Context(), u.ID, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := h.lang(r)
	for _, n := range l.Items {
		n.Text = h.Notices.Text(lang, n)
	}
	writeJSON(w, http.StatusOK, l)
}

func (h *Handler) readNotification(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Store.MarkNotificationsRead(r.Context(), actor(r).User.ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) readAllNotifications(w http.ResponseWriter, r *http.Request) {
	if err := h.Store.MarkNotificationsRead(r.Context(), actor(r).User.ID, 0); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
