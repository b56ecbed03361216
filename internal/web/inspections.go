package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

type inspectionData struct {
	I      *model.Inspection
	CanRun bool
	// CanRevise offers a correction of a submitted inspection.
	CanRevise bool
	Point     *model.InspectionPoint // scanned at: only its items are shown
}

func (h *Handler) inspectionView(r *http.Request, id int64) (*view, error) {
	in, err := h.Service.Inspection(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	d := &inspectionData{I: in, CanRun: in.Status == model.InspectionDraft && actor(r).MayRunInspection(in.Kind),
		CanRevise: in.Status == model.InspectionSubmitted && in.RevisionID == nil && actor(r).MayRunInspection(in.Kind)}
	if pid, err := strconv.ParseInt(r.FormValue("point"), 10, 64); err == nil && pid > 0 {
		p, err := h.Service.Point(r.Context(), actor(r), pid)
		if err != nil || p.EnterpriseID != in.EnterpriseID {
			return nil, model.NotFound()
		}
		d.Point = p
		var items []model.InspectionItem
		for _, it := range in.Items {
			if slices.Contains(p.Codes, it.Code) {
				items = append(items, it)
			}
		}
		in.Items = items
	}
	v := h.newView(r, "page.inspection", d)
	v.Title = in.ChecklistTitle
	return v, nil
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
	back := ""
	if pid, err := strconv.ParseInt(r.FormValue("point"), 10, 64); err == nil && pid > 0 {
		ans.PointID = &pid
		back = "?point=" + strconv.FormatInt(pid, 10)
	}
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
	http.Redirect(w, r, "/inspections/"+strconv.FormatInt(id, 10)+back+"#item-"+code, http.StatusSeeOther)
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

// reviseInspection starts a correction and opens it.
func (h *Handler) reviseInspection(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	rev, err := h.Service.ReviseInspection(r.Context(), actor(r), id, r.PostFormValue("reason"))
	if err != nil {
		return h.inspectionError(w, r, id, err)
	}
	redirect(w, r, "/inspections/"+strconv.FormatInt(rev.ID, 10), "flash.revision_started")
	return nil
}

func (h *Handler) inspectionError(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	v, verr := h.inspectionView(r, id)
	if verr != nil {
		return verr
	}
	return h.formError(w, r, "inspection", v, err)
}

// createPoint registers an inspection point from the enterprise's page.
func (h *Handler) createPoint(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p := model.InspectionPoint{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		Codes: strings.FieldsFunc(r.PostFormValue("codes"), func(c rune) bool { return c == ',' || c == '，' || c == ' ' || c == '、' })}
	if _, err := h.Service.CreatePoint(r.Context(), actor(r), id, p); err != nil {
		v, verr := h.enterpriseView(r, id)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "enterprise", v, err)
	}
	http.Redirect(w, r, "/directory/enterprises/"+strconv.FormatInt(id, 10)+"?ok=flash.saved#points", http.StatusSeeOther)
	return nil
}

// pointLabel is the printable QR label of an inspection point.
func (h *Handler) pointLabel(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.Service.Point(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	v := h.newView(r, "page.point_label", p)
	v.Title = p.Name
	return h.render(w, r, http.StatusOK, "point_label", v)
}

func (h *Handler) pointQR(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.Service.Point(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	httpx.WriteQR(w, h.BaseURL+"/points/"+strconv.FormatInt(p.ID, 10))
	return nil
}

// scanPoint is where a point's label leads: the enterprise's current
// self-inspection, showing that point's items.
func (h *Handler) scanPoint(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.Service.Point(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	in, err := h.Service.OpenDraft(r.Context(), actor(r), p.EnterpriseID)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/inspections/"+strconv.FormatInt(in.ID, 10)+"?point="+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
	return nil
}
