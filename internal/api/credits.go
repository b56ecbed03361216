package api

import (
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) listCredits(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	year, err := model.ParseYear(q.Get("year"), h.Store.Now())
	if err != nil {
		return err
	}
	var region *int64
	if s := q.Get("region"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return (model.Validation{"region": "err.field.id"}).Err()
		}
		region = &id
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	l, err := h.Store.CreditProgressList(r.Context(), actor(r), year, q.Get("behind") == "1" || q.Get("behind") == "true", region, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) managerCredits(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		year, err := model.ParseYear(r.URL.Query().Get("year"), h.Store.Now())
		if err != nil {
			return nil, err
		}
		p, recs, err := h.Store.CreditHistory(r.Context(), actor(r), id, year)
		return map[string]any{"progress": p, "history": recs}, err
	})
}

// managerCalendar tells whether the manager's calendar feed is on (its
// address is shown only when it is made).
func (h *Handler) managerCalendar(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		on, err := h.Store.HasCalendarFeed(r.Context(), actor(r), id)
		return map[string]bool{"on": on}, err
	})
}

// newManagerCalendar makes a new feed address (the previous one stops
// working) and answers it, once.
func (h *Handler) newManagerCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	secret, err := h.Store.NewCalendarFeed(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"url": h.BaseURL + "/calendar/" + secret + ".ics"})
	return nil
}

func (h *Handler) endManagerCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Store.EndCalendarFeed(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) verifyCertificate(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Store.CertificateByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
