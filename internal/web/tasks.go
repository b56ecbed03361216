package web

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

// tasksPage lists the rectification tasks in the user's scope.
func (h *Handler) tasksPage(w http.ResponseWriter, r *http.Request) error {
	p, err := model.ParsePage(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	st := r.URL.Query().Get("status")
	switch st {
	case "", model.TaskOpen, model.TaskSubmitted, model.TaskClosed:
	default:
		st = ""
	}
	l, err := h.Service.Tasks(r.Context(), actor(r), model.TaskFilter{Status: st, Page: p})
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "tasks", h.newView(r, "page.tasks", map[string]any{"List": l, "Status": st}))
}

type taskData struct {
	T        *model.Task
	Managers []*model.Manager
}

func (h *Handler) taskView(r *http.Request, id int64) (*view, error) {
	t, err := h.Service.Task(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	d := &taskData{T: t}
	if t.Can.Work {
		if d.Managers, err = h.Service.Managers(r.Context(), actor(r), t.EnterpriseID); err != nil {
			return nil, err
		}
	}
	v := h.newView(r, "page.task", d)
	v.Title = t.Code + " " + t.Point
	return v, nil
}

// taskAction runs one step of a task and shows the task again, with the
// error where there is one.
func (h *Handler) taskAction(w http.ResponseWriter, r *http.Request, step func(id int64) error, flash string) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := step(id); err != nil {
		v, verr := h.taskView(r, id)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "task", v, err)
	}
	redirect(w, r, "/tasks/"+strconv.FormatInt(id, 10), flash)
	return nil
}

func (h *Handler) setTaskOwner(w http.ResponseWriter, r *http.Request) error {
	return h.taskAction(w, r, func(id int64) error {
		mid, _ := strconv.ParseInt(r.PostFormValue("manager_id"), 10, 64)
		_, err := h.Service.SetTaskOwner(r.Context(), actor(r), id, mid)
		return err
	}, "flash.saved")
}

func (h *Handler) addTaskEvidence(w http.ResponseWriter, r *http.Request) error {
	return h.taskAction(w, r, func(id int64) error {
		name, body, err := httpx.UploadPart(w, r, "file", files.Material.MaxBytes)
		if err != nil {
			return err
		}
		br := bufio.NewReaderSize(body, 512)
		head, _ := br.Peek(512)
		_, err = h.Service.AddTaskEvidence(r.Context(), actor(r), id, name, br, strings.HasPrefix(http.DetectContentType(head), "image/"))
		return err
	}, "flash.evidence_added")
}

func (h *Handler) submitTask(w http.ResponseWriter, r *http.Request) error {
	return h.taskAction(w, r, func(id int64) error {
		_, err := h.Service.SubmitTask(r.Context(), actor(r), id, r.PostFormValue("note"))
		return err
	}, "flash.task_submitted")
}

func (h *Handler) verifyTask(w http.ResponseWriter, r *http.Request) error {
	d := model.TaskVerdict{Decision: r.PostFormValue("decision"), Note: r.PostFormValue("note")}
	flash := "flash.task_closed"
	if d.Decision == "reopen" {
		flash = "flash.task_reopened"
	}
	return h.taskAction(w, r, func(id int64) error {
		_, err := h.Service.VerifyTask(r.Context(), actor(r), id, d)
		return err
	}, flash)
}

// honestyPage lists the spot checks that contradicted a self-inspection.
func (h *Handler) honestyPage(w http.ResponseWriter, r *http.Request) error {
	p, err := model.ParsePage(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := h.Service.HonestyFlags(r.Context(), actor(r), p)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "honesty", h.newView(r, "page.honesty", map[string]any{"List": l}))
}
