package api

import (
	"net/http"
	"strconv"

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

func (h *Handler) managerCalendar(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		tok, err := h.Store.CalendarToken(r.Context(), actor(r), id)
		return map[string]string{"url": "/calendar/" + tok + ".ics"}, err
	})
}

func (h *Handler) verifyCertificate(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Store.CertificateByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
