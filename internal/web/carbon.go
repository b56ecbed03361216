package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/sheets"
)

// Carbon accounting's pages: the factors, an enterprise's year and the
// form of one month.

type factorsData struct {
	Factors []*model.Factor
	Kinds   []string
	Units   map[string][]string
	In      model.FactorInput
	EditID  int64
}

func (h *Handler) factorsView(r *http.Request, in model.FactorInput, editID int64) (*view, error) {
	l, err := h.Service.Factors(r.Context(), "")
	if err != nil {
		return nil, err
	}
	if in.Kind == "" {
		in.Kind = model.FactorElectricity
	}
	return h.newView(r, "page.factors", &factorsData{Factors: l, Kinds: model.FactorKinds, Units: model.FactorUnits, In: in, EditID: editID}), nil
}

func (h *Handler) factorsPage(w http.ResponseWriter, r *http.Request) error {
	in := model.FactorInput{}
	var editID int64
	if s := r.URL.Query().Get("edit"); s != "" && actor(r).IsAdmin() {
		id, _ := strconv.ParseInt(s, 10, 64)
		f, err := h.Service.Store.Factor(r.Context(), id)
		if err != nil {
			return err
		}
		editID = id
		in = model.FactorInput{Kind: f.Kind, Name: f.Name, Year: f.Year, Scope: f.Scope, Region: f.Region, Value: f.Value, Unit: f.Unit,
			NCV: f.NCV, CarbonContent: f.CarbonContent, Oxidation: f.Oxidation, Source: f.Source, AnnouncedOn: f.AnnouncedOn}
	}
	v, err := h.factorsView(r, in, editID)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "factors", v)
}

// formNumber reads a decimal as people type it (full width, thousands
// separators); a blank is 0 and anything else unreadable NaN, which the
// model refuses.
func formNumber(s string) float64 {
	s = strings.ReplaceAll(strings.TrimSpace(model.FoldWidth(s)), ",", "")
	if s == "" {
		return 0
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -1
	}
	return x
}

func (h *Handler) saveFactor(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	f := r.PostForm
	year, _ := strconv.Atoi(strings.TrimSpace(f.Get("year")))
	in := model.FactorInput{Kind: f.Get("kind"), Name: f.Get("name"), Year: year, Scope: f.Get("scope"), Region: f.Get("region"),
		Value: formNumber(f.Get("value")), Unit: f.Get("unit"), NCV: formNumber(f.Get("ncv")), CarbonContent: formNumber(f.Get("carbon_content")),
		Source: f.Get("source"), AnnouncedOn: model.Date(strings.TrimSpace(f.Get("announced_on")))}
	if s := strings.TrimSpace(f.Get("oxidation")); s != "" {
		in.Oxidation = formNumber(s) / 100 // the form asks for a percentage
	}
	editID, _ := strconv.ParseInt(f.Get("id"), 10, 64)
	var err error
	if editID != 0 {
		_, err = h.Service.UpdateFactor(r.Context(), actor(r), editID, in)
	} else {
		_, err = h.Service.AddFactor(r.Context(), actor(r), in)
	}
	if err != nil {
		v, verr := h.factorsView(r, in, editID)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "factors", v, err)
	}
	redirect(w, r, "/factors", "flash.saved")
	return nil
}

type carbonData struct {
	E        *model.Enterprise
	Em       *model.Emissions
	Year     int
	ThisYear int
	Months   []string // months of the year that may be entered
	MayEnter bool
	Courses  []*model.Course
	Names    map[string]string
}

func (h *Handler) carbonView(r *http.Request, id int64, year int) (*view, error) {
	a := actor(r)
	ctx := r.Context()
	e, err := h.Service.Store.Enterprise(ctx, a, id)
	if err != nil {
		return nil, err
	}
	now := h.Store.Now().In(model.ChinaTime)
	if year == 0 {
		year = now.Year()
	}
	em, err := h.Service.Emissions(ctx, a, id, year)
	if err != nil {
		return nil, err
	}
	d := &carbonData{E: e, Em: em, Year: year, ThisYear: now.Year(), MayEnter: a.MayEnterActivity(id), Names: sheets.SourceNames}
	for m := 1; m <= 12; m++ {
		mo := fmt.Sprintf("%04d-%02d", year, m)
		if mo > now.Format("2006-01") {
			break
		}
		d.Months = append(d.Months, mo)
	}
	if em.RecommendClasses {
		l, err := h.Service.Store.Catalogue(ctx, a, model.CourseFilter{Category: "carbon"}, model.Page{Limit: 5})
		if err != nil {
			return nil, err
		}
		d.Courses = l.Items
	}
	return h.newView(r, "page.carbon", d), nil
}

func (h *Handler) carbonPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	year := 0
	if s := r.URL.Query().Get("year"); s != "" {
		if year, err = strconv.Atoi(s); err != nil {
			return &model.Error{Code: model.ErrInvalid, Message: "err.carbon.year"}
		}
	}
	v, err := h.carbonView(r, id, year)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "carbon", v)
}

// myCarbon sends an enterprise's account to its own year.
func (h *Handler) myCarbon(w http.ResponseWriter, r *http.Request) error {
	id := actor(r).Scope().EnterpriseID
	if id == 0 {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	http.Redirect(w, r, "/directory/enterprises/"+strconv.FormatInt(id, 10)+"/carbon", http.StatusSeeOther)
	return nil
}

func (h *Handler) refactorYear(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	if _, err := h.Service.RefactorYear(r.Context(), actor(r), id, year); err != nil {
		return err
	}
	redirect(w, r, fmt.Sprintf("/directory/enterprises/%d/carbon?year=%d", id, year), "flash.carbon_recomputed")
	return nil
}

func (h *Handler) exportCarbon(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil {
		year = h.Store.Now().In(model.ChinaTime).Year()
	}
	var b bytes.Buffer
	if err := h.Service.ExportCarbon(r.Context(), actor(r), &b, id, year); err != nil {
		return err
	}
	httpx.StartXLSX(w, fmt.Sprintf("envhome-carbon-%d-%d.xlsx", id, year))
	w.Write(b.Bytes())
	return nil
}

func (h *Handler) importCarbon(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	data, err := httpx.ReadUpload(w, r, "file", 5<<20)
	if err == nil {
		_, err = h.Service.ImportCarbon(r.Context(), actor(r), id, data, r.FormValue("confirm") == "1")
	}
	if err != nil {
		v, verr := h.carbonView(r, id, 0)
		if verr != nil {
			return err
		}
		return h.formError(w, r, "carbon", v, err)
	}
	redirect(w, r, fmt.Sprintf("/directory/enterprises/%d/carbon", id), "flash.carbon_imported")
	return nil
}

type activityData struct {
	E        *model.Enterprise
	Month    string
	Act      *model.Activity
	Rows     []model.ActivityLine // the lines and blank ones to fill
	Factors  []*model.Factor
	Sources  []string
	Units    []string
	Names    map[string]string
	MayEnter bool
	Confirm  bool // the last save asked to confirm amounts
	Output   string
}

func (h *Handler) activityView(r *http.Request, id int64, month string, in *model.ActivityInput) (*view, error) {
	a := actor(r)
	ctx := r.Context()
	e, err := h.Service.Store.Enterprise(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := model.CheckMonth(month, h.Store.Now()); err != nil {
		return nil, err
	}
	act, err := h.Service.Activity(ctx, a, id, month)
	if err != nil {
		return nil, err
	}
	fs, err := h.Service.Factors(ctx, "")
	if err != nil {
		return nil, err
	}
	used := map[int64]bool{}
	for _, l := range act.Lines {
		if l.FactorID != nil {
			used[*l.FactorID] = true
		}
	}
	d := &activityData{E: e, Month: month, Act: act, Sources: model.ActivitySources, Names: sheets.SourceNames, MayEnter: a.MayEnterActivity(id),
		Units: []string{model.UnitKWh, model.UnitWanKWh, model.UnitMWh, model.UnitGJ, model.UnitTonne, model.UnitKg, model.UnitWanNm3, model.UnitNm3, model.UnitTCO2}}
	for _, f := range fs {
		if f.Current() || used[f.ID] {
			d.Factors = append(d.Factors, f)
		}
	}
	d.Rows = act.Lines
	if act.OutputValue != nil {
		d.Output = strconv.FormatFloat(*act.OutputValue, 'f', -1, 64)
	}
	if in != nil {
		d.Rows = in.Lines
		d.Output = ""
		if in.OutputValue != nil {
			d.Output = strconv.FormatFloat(*in.OutputValue, 'f', -1, 64)
		}
	}
	if d.MayEnter {
		for len(d.Rows) < len(act.Lines)+3 || len(d.Rows) < 4 {
			d.Rows = append(d.Rows, model.ActivityLine{Source: model.SourceElectricityIn, Unit: model.UnitKWh})
		}
	}
	return h.newView(r, "page.activity", d), nil
}

func (h *Handler) activityPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.activityView(r, id, r.PathValue("month"), nil)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "activity", v)
}

// activityInput reads the month's form: rows src{i}, fac{i}, amt{i},
// unit{i}, note{i}; a row without an amount is left out.
func activityInput(r *http.Request) model.ActivityInput {
	r.ParseForm()
	f := r.PostForm
	in := model.ActivityInput{Lines: []model.ActivityLine{}, Confirm: f.Get("confirm") == "1"}
	if s := strings.TrimSpace(f.Get("output_value")); s != "" {
		x := formNumber(s)
		in.OutputValue = &x
	}
	for i := 0; i < model.MaxActivityLines+10; i++ {
		n := strconv.Itoa(i)
		amt := strings.TrimSpace(f.Get("amt" + n))
		if amt == "" {
			continue
		}
		l := model.ActivityLine{Source: f.Get("src" + n), Amount: formNumber(amt), Unit: f.Get("unit" + n), Note: f.Get("note" + n)}
		if fid, err := strconv.ParseInt(f.Get("fac"+n), 10, 64); err == nil && fid > 0 {
			l.FactorID = &fid
		}
		in.Lines = append(in.Lines, l)
	}
	return in
}

func (h *Handler) saveActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	month := r.PathValue("month")
	in := activityInput(r)
	if _, err := h.Service.PutActivity(r.Context(), actor(r), id, month, in); err != nil {
		v, verr := h.activityView(r, id, month, &in)
		if verr != nil {
			return err
		}
		var me *model.Error
		if errors.As(err, &me) && me.Message == "err.carbon.confirm" {
			v.Data.(*activityData).Confirm = true
		}
		return h.formError(w, r, "activity", v, err)
	}
	redirect(w, r, fmt.Sprintf("/directory/enterprises/%d/carbon?year=%s", id, month[:4]), "flash.activity_saved")
	return nil
}
