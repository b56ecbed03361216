package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

type inspectionData struct {
	I      *model.Inspection
	CanRun bool
}

func (h *Handler) inspectionView(r *http.Request, id int64) (*view, error) {
	in, err := h.Service.Inspection(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	v := h.newView(r, "page.inspection", &inspectionData{I: in, CanRun: in.Status == model.InspectionDraft && actor(r).MayRunInspection(in.Kind)})
	v.Title = in.ChecklistTitle
	return v, nil
}

// inspectionPage is an inspection on a phone: item by item, each saved as
// it is answered.
func (h *Handler) inspectionPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.inspectionView(r, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "inspection", v)
}

// startInspection opens a draft and goes to it.
func (h *Handler) startInspection(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	cid, _ := strconv.ParseInt(r.PostFormValue("checklist_id"), 10, 64)
	in, err := h.Service.StartInspection(r.Context(), actor(r), id, cid, r.PostFormValue("kind"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/inspections/"+strconv.FormatInt(in.ID, 10), http.StatusSeeOther)
	return nil
}

// saveAnswer saves one item's answer, with a photo if one was taken (the
// photo field comes last in the form, so the others are read before it).
func (h *Handler) saveAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	a := actor(r)
	name, body, err := httpx.UploadPart(w, r, "photo", files.Photo.MaxBytes)
	var me *model.Error
	if err != nil && !(errors.As(err, &me) && me.Code == model.ErrInvalid) {
		return h.inspectionError(w, r, id, err)
	}
	in, err := h.Service.Inspection(r.Context(), a, id)
	if err != nil {
		return err
	}
	ans := model.AnswerInput{Result: r.FormValue("result"), Note: r.FormValue("note")}
	for _, it := range in.Items {
		if it.Code == code && it.Answer != nil {
			ans.PhotoIDs = it.Answer.PhotoIDs
		}
	}
	if name != "" {
		pid, err := h.Service.AddInspectionPhoto(r.Context(), a, id, name, body)
		if err != nil {
			return h.inspectionError(w, r, id, err)
		}
		ans.PhotoIDs = append(ans.PhotoIDs, pid)
	}
	if _, err := h.Service.SaveAnswer(r.Context(), a, id, code, ans); err != nil {
		return h.inspectionError(w, r, id, err)
	}
	http.Redirect(w, r, "/inspections/"+strconv.FormatInt(id, 10)+"#item-"+code, http.StatusSeeOther)
	return nil
}

func (h *Handler) submitInspection(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.Service.SubmitInspection(r.Context(), actor(r), id); err != nil {
		return h.inspectionError(w, r, id, err)
	}
	redirect(w, r, "/inspections/"+strconv.FormatInt(id, 10), "flash.inspection_submitted")
	return nil
}

func (h *Handler) inspectionError(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	v, verr := h.inspectionView(r, id)
	if verr != nil {
		return verr
	}
	return h.formError(w, r, "inspection", v, err)
}
