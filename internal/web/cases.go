package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

type casesData struct {
	Filter     model.CaseFilter
	Items      []*model.TechCase
	Pollutants []string
	Tabs       []string // the boxes the account has
	Submit     bool     // may submit a case
	Leads      bool     // sees the leads
}

// casesPage is the case library by industry and pollutant, and the boxes:
// pushed to the enterprise, waiting for the bureau, the account's own.
func (h *Handler) casesPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	d := &casesData{Filter: model.CaseFilter{Box: q.Get("box"), Industry: q.Get("industry"), Pollutant: q.Get("pollutant")},
		Pollutants: model.Pollutants, Submit: a.MaySubmitCase(), Leads: a.SeesCaseReaders(), Tabs: []string{""}}
	if a.Scope().EnterpriseID != 0 {
		d.Tabs = append(d.Tabs, "pushed")
	}
	if a.IsAdmin() {
		d.Tabs = append(d.Tabs, "review")
	}
	if d.Submit {
		d.Tabs = append(d.Tabs, "mine")
	}
	var err error
	d.Items, err = h.Service.Cases(r.Context(), a, d.Filter)
	v := h.newView(r, "page.cases", d)
	if err != nil {
		d.Filter = model.CaseFilter{Box: d.Filter.Box}
		return h.formError(w, r, "cases", v, err)
	}
	return h.render(w, r, http.StatusOK, "cases", v)
}

type caseForm struct {
	ID         int64
	In         model.CaseInput
	Pollutants []string
	Rows       []model.CaseFigure // the figure rows, with blank ones to fill
	Providers  []*model.Provider  // verified, for the case to name
}

func (h *Handler) caseFormView(r *http.Request, id int64, in model.CaseInput) *view {
	d := &caseForm{ID: id, In: in, Pollutants: model.Pollutants, Rows: append([]model.CaseFigure{}, in.Figures...)}
	d.Providers, _ = h.Service.Providers(r.Context(), actor(r), store.ProviderFilter{Status: model.ProviderVerified})
	for len(d.Rows) < max(4, len(in.Figures)+2) && len(d.Rows) < model.MaxCaseFigures {
		d.Rows = append(d.Rows, model.CaseFigure{})
	}
	title := "page.case_new"
	if id != 0 {
		title = "page.case_edit"
	}
	return h.newView(r, title, d)
}

func (h *Handler) newCasePage(w http.ResponseWriter, r *http.Request) error {
	if !actor(r).MaySubmitCase() {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	return h.render(w, r, http.StatusOK, "case_form", h.caseFormView(r, 0, model.CaseInput{}))
}

// caseInput reads the case form; figure rows are fig_name0, fig_unit0,
// fig_before0, fig_after0 and so on.
func caseInput(r *http.Request) model.CaseInput {
	in := model.CaseInput{Title: r.PostFormValue("title"), Technique: r.PostFormValue("technique"),
		Provider: r.PostFormValue("provider"), Source: r.PostFormValue("source"), Pollutants: r.PostForm["pollutants"]}
	if id, err := strconv.ParseInt(r.PostFormValue("provider_id"), 10, 64); err == nil && id > 0 {
		in.ProviderID = &id
	}
	in.Industries = strings.FieldsFunc(r.PostFormValue("industries"), func(r rune) bool { return strings.ContainsRune(",，、;； ", r) })
	num := func(s string) (float64, bool) {
		s = strings.TrimSpace(model.FoldWidth(s))
		if s == "" {
			return 0, true
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	bad := -1.0 // a number the form could not read: validation names it
	for i := 0; i < model.MaxCaseFigures; i++ {
		n := strconv.Itoa(i)
		name, ok := r.PostForm["fig_name"+n]
		if !ok {
			break
		}
		f := model.CaseFigure{Name: name[0], Unit: r.PostFormValue("fig_unit" + n)}
		var ok1, ok2 bool
		f.Before, ok1 = num(r.PostFormValue("fig_before" + n))
		f.After, ok2 = num(r.PostFormValue("fig_after" + n))
		if !ok1 || !ok2 {
			f.Before = bad
		}
		in.Figures = append(in.Figures, f)
	}
	for field, dst := range map[string]**float64{"investment": &in.Investment, "running_cost": &in.RunningCost} {
		if s := strings.TrimSpace(r.PostFormValue(field)); s != "" {
			f, ok := num(s)
			if !ok {
				f = bad
			}
			*dst = &f
		}
	}
	return in
}

func (h *Handler) submitCase(w http.ResponseWriter, r *http.Request) error {
	in := caseInput(r)
	c, err := h.Service.SubmitCase(r.Context(), actor(r), in)
	if err != nil {
		return h.formError(w, r, "case_form", h.caseFormView(r, 0, in), err)
	}
	redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10), "flash.case_submitted")
	return nil
}

func (h *Handler) editCasePage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.Service.Case(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	if !c.Can.Edit {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	v := h.caseFormView(r, id, c.CaseInput)
	return h.render(w, r, http.StatusOK, "case_form", v)
}

func (h *Handler) updateCase(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	in := caseInput(r)
	if _, err := h.Service.UpdateCase(r.Context(), actor(r), id, in); err != nil {
		return h.formError(w, r, "case_form", h.caseFormView(r, id, in), err)
	}
	redirect(w, r, "/cases/"+strconv.FormatInt(id, 10), "flash.case_submitted")
	return nil
}

type caseData struct {
	C     *model.TechCase
	Reach int // key discharge units publishing would reach now
}

func (h *Handler) casePage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.caseView(r, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "case", v)
}

func (h *Handler) caseView(r *http.Request, id int64) (*view, error) {
	c, reach, err := h.Service.CasePage(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	v := h.newView(r, "page.case", &caseData{C: c, Reach: reach})
	v.Title = c.Title
	return v, nil
}

// caseAction runs an action on the case page: done, back to the case with
// a flash; refused, the case page with the reason.
func (h *Handler) caseAction(w http.ResponseWriter, r *http.Request, do func(id int64) error, flash string) error {
	return h.objectAction(w, r, "case", "/cases/", h.caseView, func(id int64) (string, error) { return "", do(id) }, flash)
}

// objectAction runs an action on an object's page (a case, a provider, a
// demand, a deal): done, back to the page (or to next) with a flash;
// refused, the page with the reason — or the refusal itself when the
// actor cannot see the page.
func (h *Handler) objectAction(w http.ResponseWriter, r *http.Request, page, base string, view func(*http.Request, int64) (*view, error),
	do func(id int64) (next string, err error), flash string) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	next, err := do(id)
	if err != nil {
		v, verr := view(r, id)
		if verr != nil {
			return err
		}
		return h.formError(w, r, page, v, err)
	}
	if next == "" {
		next = base + strconv.FormatInt(id, 10)
	}
	redirect(w, r, next, flash)
	return nil
}

func (h *Handler) reviewCase(w http.ResponseWriter, r *http.Request) error {
	rv := model.CaseReview{Decision: r.PostFormValue("decision"), Reason: r.PostFormValue("reason")}
	flash := "flash.case_published"
	if rv.Decision == "return" {
		flash = "flash.case_returned"
	}
	return h.caseAction(w, r, func(id int64) error {
		_, err := h.Service.ReviewCase(r.Context(), actor(r), id, rv)
		return err
	}, flash)
}

func (h *Handler) addCaseAttachment(w http.ResponseWriter, r *http.Request) error {
	return h.caseAction(w, r, func(id int64) error {
		name, body, err := httpx.UploadPart(w, r, "file", files.Material.MaxBytes)
		if err != nil {
			return err
		}
		_, err = h.Service.AddCaseAttachment(r.Context(), actor(r), id, name, body)
		return err
	}, "flash.attachment_added")
}

func (h *Handler) markCaseInterest(w http.ResponseWriter, r *http.Request) error {
	return h.caseAction(w, r, func(id int64) error {
		_, err := h.Service.MarkCaseInterest(r.Context(), actor(r), id, r.PostFormValue("note"))
		return err
	}, "flash.case_interest")
}

func (h *Handler) caseReadersPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.Service.Case(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	rs, err := h.Service.CaseReaders(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	v := h.newView(r, "page.case_readers", map[string]any{"C": c, "Readers": rs})
	v.Title = c.Title + " · " + v.T("page.case_readers")
	return h.render(w, r, http.StatusOK, "case_readers", v)
}

func (h *Handler) caseLeadsPage(w http.ResponseWriter, r *http.Request) error {
	l, err := h.Service.CaseLeads(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "case_leads", h.newView(r, "page.case_leads", map[string]any{"Leads": l}))
}
