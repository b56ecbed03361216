package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/service"
	"github.com/envhome/envhome/internal/store"
)

func (h *Handler) bookClass(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	mid, _ := strconv.ParseInt(r.FormValue("manager_id"), 10, 64)
	b, err := h.Service.Book(r.Context(), actor(r), id, mid)
	if err != nil {
		return h.classAction(w, r, id, "", func() error { return err })
	}
	// Straight to the booking with its QR code.
	http.Redirect(w, r, fmt.Sprintf("/bookings/%d?ok=flash.booked_%s", b.ID, b.Status), http.StatusSeeOther)
	return nil
}

type bookingData struct {
	*service.BookingPage
	B *model.Booking
	// FeedURL is a calendar feed address just made: shown this once.
	FeedURL string
}

func (h *Handler) bookingPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.Service.BookingPage(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	d := &bookingData{BookingPage: p, B: p.Booking}
	v := h.newView(r, "page.booking", d)
	v.Title = p.Booking.Class.CourseTitle
	return h.render(w, r, http.StatusOK, "booking", v)
}

func (h *Handler) bookingAction(w http.ResponseWriter, r *http.Request, fn func(id int64) error) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := fn(id); err != nil {
		return err
	}
	next := httpx.LocalPath(r.FormValue("next"), fmt.Sprintf("/bookings/%d", id))
	redirect(w, r, next, "flash.saved")
	return nil
}

func (h *Handler) cancelBooking(w http.ResponseWriter, r *http.Request) error {
	return h.bookingAction(w, r, func(id int64) error { _, err := h.Service.CancelBooking(r.Context(), actor(r), id); return err })
}

func (h *Handler) acceptOffer(w http.ResponseWriter, r *http.Request) error {
	return h.bookingAction(w, r, func(id int64) error { _, err := h.Service.AcceptOffer(r.Context(), actor(r), id); return err })
}

func (h *Handler) setAttendance(w http.ResponseWriter, r *http.Request) error {
	return h.bookingAction(w, r, func(id int64) error {
		_, err := h.Service.SetAttendance(r.Context(), actor(r), id, r.FormValue("attendance"))
		return err
	})
}

func (h *Handler) moveInWaitlist(w http.ResponseWriter, r *http.Request) error {
	return h.bookingAction(w, r, func(id int64) error {
		pos, _ := strconv.Atoi(r.FormValue("position"))
		_, err := h.Service.MoveInWaitlist(r.Context(), actor(r), id, pos, strings.TrimSpace(r.FormValue("reason")))
		return err
	})
}

func (h *Handler) giveFeedback(w http.ResponseWriter, r *http.Request) error {
	return h.bookingAction(w, r, func(id int64) error {
		n, _ := strconv.Atoi(r.FormValue("rating"))
		_, err := h.Service.GiveFeedback(r.Context(), actor(r), id, model.Feedback{Rating: n, Comment: r.FormValue("comment")})
		return err
	})
}

// myPage is each role's view of the course supermarket: an enterprise's
// bookings, a lecturer's or association's classes.
type myData struct {
	Bookings, PastBookings []*model.Booking
	Classes, PastClasses   []*model.Class
}

func (h *Handler) myTrainingPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	d := &myData{}
	now := h.Store.Now()
	if a.Scope().EnterpriseID != 0 {
		bs, err := h.Service.EnterpriseBookings(r.Context(), a, nil, 200)
		if err != nil {
			return err
		}
		// Coming first, soonest first; then the past, newest first (as read).
		for _, b := range bs {
			if b.Class.EndsAt.After(now) {
				d.Bookings = append([]*model.Booking{b}, d.Bookings...)
			} else {
				d.PastBookings = append(d.PastBookings, b)
			}
		}
	} else {
		from := now.Add(-30 * 24 * time.Hour)
		ks, err := h.Service.Classes(r.Context(), a, store.ClassFilter{Mine: true, From: &from})
		if err != nil {
			return err
		}
		for _, k := range ks {
			if k.EndsAt.After(now) {
				d.Classes = append(d.Classes, k)
			} else {
				d.PastClasses = append([]*model.Class{k}, d.PastClasses...)
			}
		}
	}
	return h.render(w, r, http.StatusOK, "my_training", h.newView(r, "page.my_training", d))
}

// newCalendar makes a new calendar feed address for the booking's manager
// and shows it on the booking page, this once (it is stored hashed); the
// previous address stops working.
func (h *Handler) newCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.Service.BookingPage(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	if !p.CanCalendar {
		return model.NotFound()
	}
	secret, err := h.Store.NewCalendarFeed(r.Context(), actor(r), p.Booking.ManagerID)
	if err != nil {
		return err
	}
	p.CalendarOn = true
	v := h.newView(r, "page.booking", &bookingData{BookingPage: p, B: p.Booking, FeedURL: h.BaseURL + "/calendar/" + secret + ".ics"})
	v.Title = p.Booking.Class.CourseTitle
	return h.render(w, r, http.StatusOK, "booking", v)
}

// endCalendar turns the booking's manager's calendar feed off.
func (h *Handler) endCalendar(w http.ResponseWriter, r *http.Request) error {
	return h.bookingAction(w, r, func(id int64) error {
		b, err := h.Store.Booking(r.Context(), actor(r), id)
		if err != nil {
			return err
		}
		return h.Store.EndCalendarFeed(r.Context(), actor(r), b.ManagerID)
	})
}
