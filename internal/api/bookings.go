package api

import (
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

type bookBody struct {
	ManagerID int64 `json:"manager_id"`
}

// createBooking answers 201 with a new booking, 200 with the existing one
// when the manager already holds a place.
func (h *Handler) createBooking(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in bookBody
	if err := decode(r, w, &in); err != nil {
		return err
	}
	if in.ManagerID <= 0 {
		return (model.Validation{"manager_id": "err.field.required"}).Err()
	}
	b, err := h.Service.Book(r.Context(), actor(r), id, in.ManagerID)
	if err != nil {
		return err
	}
	if !b.Created {
		writeJSON(w, http.StatusOK, b)
		return nil
	}
	created(w, "/api/v1/bookings", b.ID, b)
	return nil
}

func (h *Handler) classBookings(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		bs, err := h.Service.ClassBookings(r.Context(), actor(r), id)
		return all(bs), err
	})
}

func (h *Handler) listBookings(w http.ResponseWriter, r *http.Request) error {
	var mid *int64
	if s := r.URL.Query().Get("manager_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return (model.Validation{"manager_id": "err.field.id"}).Err()
		}
		mid = &id
	}
	bs, err := h.Service.EnterpriseBookings(r.Context(), actor(r), mid, 200)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, all(bs))
	return nil
}

func (h *Handler) getBooking(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.Booking(r.Context(), actor(r), id) })
}

func (h *Handler) cancelBooking(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.CancelBooking(r.Context(), actor(r), id) })
}

func (h *Handler) acceptOffer(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.AcceptOffer(r.Context(), actor(r), id) })
}

func (h *Handler) moveInWaitlist(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		var in struct {
			Position int    `json:"position"`
			Reason   string `json:"reason"`
		}
		if err := decode(r, w, &in); err != nil {
			return nil, err
		}
		return h.Service.MoveInWaitlist(r.Context(), actor(r), id, in.Position, in.Reason)
	})
}

func (h *Handler) setAttendance(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		var in struct {
			Attendance string `json:"attendance"`
		}
		if err := decode(r, w, &in); err != nil {
			return nil, err
		}
		return h.Service.SetAttendance(r.Context(), actor(r), id, in.Attendance)
	})
}

func (h *Handler) giveFeedback(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		var f model.Feedback
		if err := decode(r, w, &f); err != nil {
			return nil, err
		}
		return h.Service.GiveFeedback(r.Context(), actor(r), id, f)
	})
}

func (h *Handler) bookingCertificate(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Store.CertificateForBooking(r.Context(), actor(r), id) })
}
