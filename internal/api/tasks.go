package api

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) listTasks(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	f := model.TaskFilter{Page: p}
	q := r.URL.Query()
	if s := q.Get("enterprise_id"); s != "" {
		if f.EnterpriseID, err = strconv.ParseInt(s, 10, 64); err != nil || f.EnterpriseID <= 0 {
			return (model.Validation{"enterprise_id": "err.field.id"}).Err()
		}
	}
	switch s := q.Get("status"); s {
	case "", model.TaskOpen, model.TaskSubmitted, model.TaskClosed:
		f.Status = s
	default:
		return (model.Validation{"status": "err.field.choice"}).Err()
	}
	l, err := h.Service.Tasks(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) getTask(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.Task(r.Context(), actor(r), id) })
}

func (h *Handler) setTaskOwner(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		ManagerID int64 `json:"manager_id"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	t, err := h.Service.SetTaskOwner(r.Context(), actor(r), id, in.ManagerID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// addTaskEvidence takes the multipart field "file": a photo (JPEG, PNG,
// WebP) or a document (PDF, Office), told apart by its content.
func (h *Handler) addTaskEvidence(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	name, body, err := httpx.UploadPart(w, r, "file", files.Material.MaxBytes)
	if err != nil {
		return err
	}
	br := bufio.NewReaderSize(body, 512)
	head, _ := br.Peek(512)
	photo := strings.HasPrefix(http.DetectContentType(head), "image/")
	t, err := h.Service.AddTaskEvidence(r.Context(), actor(r), id, name, br, photo)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) submitTask(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	t, err := h.Service.SubmitTask(r.Context(), actor(r), id, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) verifyTask(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var d model.TaskVerdict
	if err := decode(r, w, &d); err != nil {
		return err
	}
	t, err := h.Service.VerifyTask(r.Context(), actor(r), id, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
