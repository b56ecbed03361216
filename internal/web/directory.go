package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

// choices are the option lists the directory forms offer.
type choices struct {
	Regions         []model.Region
	Associations    []model.Association
	Kinds           []string
	PermitClasses   []string
	KeyLists        []string
	Pollutants      []string
	Statuses        []string
	ManagerRoles    []string
	ManagerStatuses []string
}

func (h *Handler) choices(r *http.Request) (choices, error) {
	regions, err := h.Store.Regions(r.Context())
	if err != nil {
		return choices{}, err
	}
	assocs, err := h.Store.Associations(r.Context())
	if err != nil {
		return choices{}, err
	}
	return choices{Regions: regions, Associations: assocs, Kinds: model.EnterpriseKinds, PermitClasses: model.PermitClasses,
		KeyLists: model.KeyLists, Pollutants: model.Pollutants, Statuses: model.EnterpriseStatues, ManagerRoles: model.ManagerRoles, ManagerStatuses: model.ManagerStatuses}, nil
}

type enterprisesData struct {
	choices
	Items     []*model.Enterprise
	Query     url.Values
	Next      string
	CanCreate bool
	Count     int // up to store.CountCap+1
}

func isStaff(u *model.User) bool { return u.Role == model.RoleAdmin || u.Role == model.RoleAssociation }

func (h *Handler) enterprisesPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if s := a.Scope(); s.EnterpriseID != 0 {
		http.Redirect(w, r, "/directory/enterprises/"+strconv.FormatInt(s.EnterpriseID, 10), http.StatusSeeOther)
		return nil
	}
	q := r.URL.Query()
	c, err := h.choices(r)
	if err != nil {
		return err
	}
	d := &enterprisesData{choices: c, Query: q, CanCreate: isStaff(a.User)}
	v := h.newView(r, "page.enterprises", d)
	f, err := model.ParseEnterpriseFilter(q)
	if err != nil {
		return h.formError(w, r, "enterprises", v, err)
	}
	l, err := h.Service.ListEnterprises(r.Context(), a, f)
	if err != nil {
		return err
	}
	d.Items = l.Items
	if l.Next != nil {
		d.Next = withCursor(q, *l.Next)
	}
	if d.Count, err = h.Store.CountEnterprises(r.Context(), a, f); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "enterprises", v)
}

// withCursor is the query string of the next page.
func withCursor(q url.Values, cursor string) string {
	n := url.Values{}
	for k, vs := range q {
		n[k] = vs
	}
	n.Set("cursor", cursor)
	return n.Encode()
}

type enterpriseForm struct {
	choices
	E       model.Enterprise
	Editing bool
	// Manage shows the town, status and association fields: on a new
	// enterprise (staff only), or when the rights allow.
	Manage bool
}

// HasList reports whether the form's enterprise is on a key-unit list.
func (f *enterpriseForm) HasList(l string) bool {
	for _, x := range f.E.KeyLists {
		if x == l {
			return true
		}
	}
	return false
}

func enterpriseFromForm(r *http.Request) model.Enterprise {
	r.ParseForm()
	f := r.PostForm
	e := model.Enterprise{
		USCC: f.Get("uscc"), Name: f.Get("name"), Kind: f.Get("kind"), Address: f.Get("address"),
		IndustryCode: f.Get("industry_code"), LegalRep: f.Get("legal_representative"), ContactName: f.Get("contact_name"),
		ContactPhone: f.Get("contact_phone"), PermitNo: f.Get("permit_no"), PermitClass: f.Get("permit_class"),
		KeyLists: f["key_lists"], Pollutants: f["pollutants"], Status: f.Get("status"),
	}
	e.RegionID, _ = strconv.ParseInt(f.Get("region_id"), 10, 64)
	if id, err := strconv.ParseInt(f.Get("association_id"), 10, 64); err == nil && id > 0 {
		e.AssociationID = &id
	}
	if d, ok := model.ParseDate(f.Get("permit_valid_until")); ok {
		e.PermitValidTo = d
	} else {
		e.PermitValidTo = model.Date(f.Get("permit_valid_until")) // reported as invalid
	}
	return e
}

func (h *Handler) enterpriseFormView(r *http.Request, e model.Enterprise, editing bool) (*view, error) {
	c, err := h.choices(r)
	if err != nil {
		return nil, err
	}
	title := "page.enterprise_new"
	if editing {
		title = "page.enterprise_edit"
	}
	return h.newView(r, title, &enterpriseForm{choices: c, E: e, Editing: editing, Manage: !editing || (e.Can != nil && e.Can.Manage)}), nil
}

func (h *Handler) newEnterprisePage(w http.ResponseWriter, r *http.Request) error {
	e := model.Enterprise{Kind: model.KindCompany, Status: model.StatusActive}
	if u := actor(r).User; u.RegionID != nil {
		e.RegionID = *u.RegionID
	}
	v, err := h.enterpriseFormView(r, e, false)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "enterprise_form", v)
}

func (h *Handler) createEnterprise(w http.ResponseWriter, r *http.Request) error {
	in := enterpriseFromForm(r)
	e, err := h.Service.CreateEnterprise(r.Context(), actor(r), in)
	if err != nil {
		v, verr := h.enterpriseFormView(r, in, false)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "enterprise_form", v, err)
	}
	http.Redirect(w, r, "/directory/enterprises/"+strconv.FormatInt(e.ID, 10)+"?ok=flash.saved", http.StatusSeeOther)
	return nil
}

type enterpriseData struct {
	choices
	E        *model.Enterprise
	Managers []*model.Manager
	Due      []model.Due
	CanEdit  bool
	NewM     model.Manager
	// Accounts are the enterprise's logins, for staff, who may reset
	// their passwords; Reset is one just reset, its password shown once.
	Accounts []*model.User
	Reset    *resetResult
	// Checklists bind the enterprise; Inspections are its latest.
	Checklists       []*model.Checklist
	Inspections      []*model.Inspection
	CanSelf, CanSpot bool
	Compliance       *model.Compliance
	Obligations      []model.Obligation
	Facts            model.ObligationFacts
	Points           []*model.InspectionPoint
	Schedules        []*model.Schedule
	CanSchedule      bool
	// FeedOn says the calendar feed is on; FeedURL is a new address, shown
	// once.
	FeedOn  bool
	FeedURL string
}

type resetResult struct {
	User     *model.User
	Password string
}

// resetAccount gives one of an enterprise's accounts a temporary password
// and shows it once, on the enterprise's page.
func (h *Handler) resetAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	uid, err := httpx.PathID(r, "uid")
	if err != nil {
		return err
	}
	v, err := h.enterpriseView(r, id)
	if err != nil {
		return err
	}
	d := v.Data.(*enterpriseData)
	if !slices.ContainsFunc(d.Accounts, func(u *model.User) bool { return u.ID == uid }) {
		return model.NotFound()
	}
	u, pw, err := h.Auth.ResetPassword(r.Context(), actor(r), uid)
	if err != nil {
		return err
	}
	d.Reset = &resetResult{u, pw}
	w.Header().Set("Cache-Control", "no-store")
	return h.render(w, r, http.StatusOK, "enterprise", v)
}

func (h *Handler) enterpriseView(r *http.Request, id int64) (*view, error) {
	a := actor(r)
	e, err := h.Service.Enterprise(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	ms, err := h.Service.Managers(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	c, err := h.choices(r)
	if err != nil {
		return nil, err
	}
	d := &enterpriseData{choices: c, E: e, Managers: ms, CanEdit: true, Due: model.DueItems(e, ms, model.Today(h.Store.Now()))}
	if isStaff(a.User) {
		if d.Accounts, err = h.Store.EnterpriseAccounts(r.Context(), a, id); err != nil {
			return nil, err
		}
	}
	if d.Checklists, err = h.Service.BindingChecklists(r.Context(), a, e); err != nil {
		return nil, err
	}
	if d.Inspections, err = h.Service.Inspections(r.Context(), a, id); err != nil {
		return nil, err
	}
	if len(d.Inspections) > 5 {
		d.Inspections = d.Inspections[:5]
	}
	d.CanSelf, d.CanSpot = a.MayRunInspection(model.InspectionSelf), a.MayRunInspection(model.InspectionSpot)
	v := h.newView(r, "page.enterprise", d)
	v.Title = e.Name
	if d.Points, err = h.Service.Points(r.Context(), a, id); err != nil {
		return nil, err
	}
	if d.Obligations, err = h.Service.Obligations(r.Context(), a, id); err != nil {
		return nil, err
	}
	if d.Facts, err = h.Service.ObligationFacts(r.Context(), a, id); err != nil {
		return nil, err
	}
	if d.Compliance, err = h.Service.Compliance(r.Context(), a, id); err != nil {
		return nil, err
	}
	d.Compliance.Explain(v.T)
	if d.Schedules, err = h.Service.Schedules(r.Context(), a, id); err != nil {
		return nil, err
	}
	d.CanSchedule = a.MaySetSchedule(e)
	if d.FeedOn, err = h.Service.HasDutyFeed(r.Context(), a, id); err != nil {
		return nil, err
	}
	return v, nil
}

func (h *Handler) enterprisePage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.enterpriseView(r, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "enterprise", v)
}

func (h *Handler) editEnterprisePage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	e, err := h.Service.Enterprise(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	v, err := h.enterpriseFormView(r, *e, true)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "enterprise_form", v)
}

func (h *Handler) updateEnterprise(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	a := actor(r)
	old, err := h.Service.Enterprise(r.Context(), a, id)
	if err != nil {
		return err
	}
	in := enterpriseFromForm(r)
	in.Can = old.Can
	p := model.EnterprisePatch{Name: &in.Name, Kind: &in.Kind, Address: &in.Address, IndustryCode: &in.IndustryCode,
		LegalRep: &in.LegalRep, ContactName: &in.ContactName, ContactPhone: &in.ContactPhone, PermitNo: &in.PermitNo,
		PermitClass: &in.PermitClass, PermitValidTo: &in.PermitValidTo, KeyLists: &in.KeyLists,
		Pollutants: &in.Pollutants}
	if old.Can.Manage {
		// Only the bureau and associations move, close or re-assign.
		var assoc int64
		if in.AssociationID != nil {
			assoc = *in.AssociationID
		}
		p.RegionID, p.Status, p.AssociationID = &in.RegionID, &in.Status, &assoc
	}
	if _, err := h.Service.UpdateEnterprise(r.Context(), a, id, p); err != nil {
		in.ID = id
		v, verr := h.enterpriseFormView(r, in, true)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "enterprise_form", v, err)
	}
	http.Redirect(w, r, "/directory/enterprises/"+strconv.FormatInt(id, 10)+"?ok=flash.saved", http.StatusSeeOther)
	return nil
}

func managerFromForm(r *http.Request) model.Manager {
	r.ParseForm()
	f := r.PostForm
	m := model.Manager{Name: f.Get("name"), Mobile: f.Get("mobile"), IDCard: f.Get("id_card"), Role: f.Get("role"),
		AppointmentDoc: f.Get("appointment_doc"), CertNo: f.Get("cert_no"), Status: f.Get("status")}
	for field, dst := range map[string]*model.Date{"appointed_on": &m.AppointedOn, "cert_issued_on": &m.CertIssuedOn, "cert_expires_on": &m.CertExpiresOn} {
		if d, ok := model.ParseDate(f.Get(field)); ok {
			*dst = d
		} else {
			*dst = model.Date(f.Get(field))
		}
	}
	return m
}

func (h *Handler) createManager(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	in := managerFromForm(r)
	if _, err := h.Service.CreateManager(r.Context(), actor(r), id, in); err != nil {
		v, verr := h.enterpriseView(r, id)
		if verr != nil {
			return verr
		}
		v.Data.(*enterpriseData).NewM = in
		return h.formError(w, r, "enterprise", v, err)
	}
	http.Redirect(w, r, "/directory/enterprises/"+strconv.FormatInt(id, 10)+"?ok=flash.saved#managers", http.StatusSeeOther)
	return nil
}

type managerData struct {
	choices
	M       *model.Manager
	History []model.ManagerChange
	Reason  string
}

func (h *Handler) managerView(r *http.Request, id int64) (*view, error) {
	a := actor(r)
	m, err := h.Service.Manager(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	hist, err := h.Store.ManagerHistory(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	c, err := h.choices(r)
	if err != nil {
		return nil, err
	}
	v := h.newView(r, "page.manager", &managerData{choices: c, M: m, History: hist})
	v.Title = m.Name
	return v, nil
}

func (h *Handler) updateManager(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	in := managerFromForm(r)
	p := model.ManagerPatch{Name: &in.Name, Mobile: &in.Mobile, Role: &in.Role, AppointedOn: &in.AppointedOn,
		AppointmentDoc: &in.AppointmentDoc, CertNo: &in.CertNo, CertIssuedOn: &in.CertIssuedOn, CertExpiresOn: &in.CertExpiresOn,
		Status: &in.Status, Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	if in.IDCard != "" { // empty keeps the number on file, which the form never shows
		p.IDCard = &in.IDCard
	}
	if _, err := h.Service.UpdateManager(r.Context(), actor(r), id, p); err != nil {
		v, verr := h.managerView(r, id)
		if verr != nil {
			return verr
		}
		d := v.Data.(*managerData)
		in.ID, in.EnterpriseID, in.EnterpriseName = id, d.M.EnterpriseID, d.M.EnterpriseName
		d.M, d.Reason = &in, p.Reason
		return h.formError(w, r, "manager", v, err)
	}
	http.Redirect(w, r, "/directory/managers/"+strconv.FormatInt(id, 10)+"?ok=flash.saved", http.StatusSeeOther)
	return nil
}

func (h *Handler) linksView(r *http.Request) (*view, error) {
	p, err := model.ParsePage(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return nil, err
	}
	l, err := h.Service.LinkRequests(r.Context(), actor(r), p)
	if err != nil {
		return nil, err
	}
	return h.newView(r, "page.links", map[string]any{"List": l, "Reason": map[int64]string{}}), nil
}

// linksPage lists the pending claims the user decides.
func (h *Handler) linksPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.linksView(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "links", v)
}

// decideLink confirms or rejects a pending claim.
func (h *Handler) decideLink(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	d := model.LinkDecision{Confirm: r.PostFormValue("decision") == "confirm", Reason: r.PostFormValue("reason")}
	if _, err := h.Service.DecideLink(r.Context(), actor(r), id, d); err != nil {
		v, verr := h.linksView(r)
		if verr != nil {
			return verr
		}
		v.Data.(map[string]any)["Reason"] = map[int64]string{id: d.Reason}
		v.Data.(map[string]any)["Failed"] = id
		return h.formError(w, r, "links", v, err)
	}
	flash := "flash.link_rejected"
	if d.Confirm {
		flash = "flash.link_confirmed"
	}
	http.Redirect(w, r, "/directory/links?ok="+flash, http.StatusSeeOther)
	return nil
}

type regionsData struct {
	choices
	Homes []model.Home
	Names map[int64]string
	Form  map[string]string
}

func (h *Handler) regionsView(r *http.Request) (*view, error) {
	c, err := h.choices(r)
	if err != nil {
		return nil, err
	}
	homes, err := h.Store.Homes(r.Context(), 0)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, x := range c.Regions {
		names[x.ID] = x.Name
	}
	return h.newView(r, "page.regions", &regionsData{choices: c, Homes: homes, Names: names, Form: map[string]string{}}), nil
}

func (h *Handler) regionsPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.regionsView(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "regions", v)
}

// regionsFormError shows the regions page again with a form's errors.
func (h *Handler) regionsFormError(w http.ResponseWriter, r *http.Request, err error) error {
	v, verr := h.regionsView(r)
	if verr != nil {
		return verr
	}
	for k, vs := range r.PostForm {
		v.Data.(*regionsData).Form[k] = strings.Join(vs, ",")
	}
	return h.formError(w, r, "regions", v, err)
}

func formInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
	return n
}

func (h *Handler) createRegion(w http.ResponseWriter, r *http.Request) error {
	in := model.Region{Code: r.PostFormValue("code"), Name: r.PostFormValue("name")}
	if p := formInt(r, "parent_id"); p > 0 {
		in.ParentID = &p
	}
	if _, err := h.Store.CreateRegion(r.Context(), actor(r), in); err != nil {
		return h.regionsFormError(w, r, err)
	}
	http.Redirect(w, r, "/directory/regions?ok=flash.saved", http.StatusSeeOther)
	return nil
}

func (h *Handler) createAssociation(w http.ResponseWriter, r *http.Request) error {
	in := model.Association{RegionID: formInt(r, "region_id"), Name: r.PostFormValue("name"),
		ContactName: r.PostFormValue("contact_name"), ContactPhone: r.PostFormValue("contact_phone"), Address: r.PostFormValue("address")}
	if _, err := h.Store.CreateAssociation(r.Context(), actor(r), in); err != nil {
		return h.regionsFormError(w, r, err)
	}
	http.Redirect(w, r, "/directory/regions?ok=flash.saved", http.StatusSeeOther)
	return nil
}

// homeFromForm reads a Home form; rooms come as lines "name seats", e.g.
// "一号教室 30".
func homeFromForm(r *http.Request) model.Home {
	in := model.Home{Name: r.PostFormValue("name"), RegionID: formInt(r, "region_id"), Address: r.PostFormValue("address"),
		ContactName: r.PostFormValue("contact_name"), ContactPhone: r.PostFormValue("contact_phone"), OpeningHours: r.PostFormValue("opening_hours")}
	for _, line := range strings.Split(r.PostFormValue("rooms"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		i := strings.LastIndexAny(line, " \t")
		seats, err := strconv.Atoi(strings.TrimSpace(line[i+1:]))
		if i < 0 || err != nil {
			seats = 0 // reported as invalid
		}
		in.Rooms = append(in.Rooms, model.Room{Name: strings.TrimSpace(line[:max(i, 0)]), Seats: seats})
	}
	return in
}

func (h *Handler) createHome(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.Store.CreateHome(r.Context(), actor(r), homeFromForm(r)); err != nil {
		return h.regionsFormError(w, r, err)
	}
	http.Redirect(w, r, "/directory/regions?ok=flash.saved", http.StatusSeeOther)
	return nil
}

func (h *Handler) uploadHomePhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	name, body, err := httpx.UploadPart(w, r, "photo", files.Photo.MaxBytes)
	if err == nil {
		err = h.Service.SetHomePhoto(r.Context(), actor(r), id, name, body)
	}
	if err != nil {
		return h.regionsFormError(w, r, err)
	}
	http.Redirect(w, r, "/directory/regions?ok=flash.saved", http.StatusSeeOther)
	return nil
}

type homeData struct {
	choices
	H     *model.Home
	Rooms string // "name seats" lines
}

func (h *Handler) homeView(r *http.Request, home *model.Home) (*view, error) {
	c, err := h.choices(r)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, x := range home.Rooms {
		lines = append(lines, x.Name+" "+strconv.Itoa(x.Seats))
	}
	v := h.newView(r, "page.home_edit", &homeData{choices: c, H: home, Rooms: strings.Join(lines, "\n")})
	return v, nil
}

// homePage is a Home's edit form, for the bureau and the Home's association.
func (h *Handler) homePage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	var home *model.Home
	if err == nil {
		home, err = h.Store.HomeDetail(r.Context(), id)
	}
	if err == nil && !actor(r).CanManageRegion(home.RegionID) {
		err = model.NotFound()
	}
	if err != nil {
		return err
	}
	v, err := h.homeView(r, home)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "home_edit", v)
}

func (h *Handler) updateHome(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	in := homeFromForm(r)
	if _, err := h.Store.UpdateHome(r.Context(), actor(r), id, in); err != nil {
		if model.IsCode(err, model.ErrNotFound) {
			return err
		}
		in.ID = id
		v, verr := h.homeView(r, &in)
		if verr != nil {
			return verr
		}
		v.Data.(*homeData).Rooms = r.PostFormValue("rooms")
		return h.formError(w, r, "home_edit", v, err)
	}
	http.Redirect(w, r, "/directory/regions?ok=flash.saved", http.StatusSeeOther)
	return nil
}

// setObligationFacts changes what the enterprise's calendar rests on.
func (h *Handler) setObligationFacts(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	f := model.ObligationFacts{ReportFrequency: r.PostFormValue("report_frequency"), PermitIssuedOn: model.Date(r.PostFormValue("permit_issued_on")),
		DisclosureRequired: r.PostFormValue("disclosure_required") == "on", EmergencyPlanFiledOn: model.Date(r.PostFormValue("emergency_plan_filed_on"))}
	if _, err := h.Service.SetObligationFacts(r.Context(), actor(r), id, f); err != nil {
		v, verr := h.enterpriseView(r, id)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "enterprise", v, err)
	}
	http.Redirect(w, r, "/directory/enterprises/"+strconv.FormatInt(id, 10)+"?ok=flash.saved#calendar", http.StatusSeeOther)
	return nil
}

// obligationDone marks a duty done and returns to its enterprise.
func (h *Handler) obligationDone(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	o, err := h.Service.MarkObligationDone(r.Context(), actor(r), id, r.PostFormValue("reference"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/directory/enterprises/"+strconv.FormatInt(o.EnterpriseID, 10)+"?ok=flash.obligation_done#calendar", http.StatusSeeOther)
	return nil
}
