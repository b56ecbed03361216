package api

import (
	"net/http"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) listAnnouncements(w http.ResponseWriter, r *http.Request) error {
	box := r.URL.Query().Get("box")
	if box != "" && box != "inbox" && box != "sent" {
		return (model.Validation{"box": "err.field.choice"}).Err()
	}
	l, err := h.Service.Announcements(r.Context(), actor(r), box)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[*model.Announcement]{Items: l})
	return nil
}

func (h *Handler) publishAnnouncement(w http.ResponseWriter, r *http.Request) error {
	var in model.AnnouncementInput
	if err := decode(r, w, &in); err != nil {
		return err
	}
	x, err := h.Service.PublishAnnouncement(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (h *Handler) announcementReach(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Audience model.Audience `json:"audience"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	reach, err := h.Service.AnnouncementReach(r.Context(), actor(r), in.Audience)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reach)
	return nil
}

func (h *Handler) getAnnouncement(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.Announcement(r.Context(), actor(r), id) })
}

func (h *Handler) announcementReceipts(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		rs, err := h.Service.Receipts(r.Context(), actor(r), id)
		return model.List[model.Receipt]{Items: rs}, err
	})
}

func (h *Handler) remindUnread(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	n, err := h.Service.RemindUnread(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"reminded": n})
	return nil
}

func (h *Handler) addQuiz(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in model.QuizInput
	if err := decode(r, w, &in); err != nil {
		return err
	}
	z, err := h.Service.AddQuiz(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, z)
	return nil
}

func (h *Handler) getQuiz(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.Quiz(r.Context(), actor(r), id) })
}

func (h *Handler) answerQuiz(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		ManagerID int64   `json:"manager_id"`
		Answers   [][]int `json:"answers"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	x, err := h.Service.SubmitQuiz(r.Context(), actor(r), id, in.ManagerID, in.Answers)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (h *Handler) quizAttempts(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		l, err := h.Service.QuizAttempts(r.Context(), actor(r), id)
		return model.List[model.Attempt]{Items: l}, err
	})
}

func (h *Handler) quizResults(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		l, err := h.Service.QuizResults(r.Context(), actor(r), id)
		return model.List[model.TownResult]{Items: l}, err
	})
}
