package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

type marketData struct {
	Role      model.Role
	Provider  *model.Provider // the provider's own organisation
	Fits      []*model.Demand // a provider's market
	Demands   []*model.Demand // an enterprise's own, the staff's open ones
	Review    []*model.Demand // waiting for the staff
	Deals     []*model.Deal   // the account's deals
	Savings   []model.Savings // the staff's
	CanPost   bool            // an enterprise posts demands
	NoProfile bool            // a provider account without its organisation yet
}

// marketPage is the through train's hub, by role: a provider's demands
// that fit it, an enterprise's demands and deals, the staff's review queue,
// open demands, deals and the money they saved.
func (h *Handler) marketPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	ctx := r.Context()
	d := &marketData{Role: a.User.Role, CanPost: a.Scope().EnterpriseID != 0}
	var err error
	switch {
	case a.User.Role == model.RoleProvider:
		if a.ProviderOf() == 0 {
			d.NoProfile = true
			break
		}
		if d.Provider, err = h.Service.Provider(ctx, a, a.ProviderOf()); err != nil {
			return err
		}
		if d.Fits, err = h.Service.Demands(ctx, a, store.DemandFilter{Box: "fits"}); err != nil {
			return err
		}
		if d.Demands, err = h.Service.Demands(ctx, a, store.DemandFilter{Box: "quoted"}); err != nil {
			return err
		}
	case d.CanPost:
		if d.Demands, err = h.Service.Demands(ctx, a, store.DemandFilter{Box: "mine"}); err != nil {
			return err
		}
	case a.IsAdmin() || a.User.Role == model.RoleAssociation:
		if d.Review, err = h.Service.Demands(ctx, a, store.DemandFilter{Box: "review"}); err != nil {
			return err
		}
		if d.Demands, err = h.Service.Demands(ctx, a, store.DemandFilter{Box: "open"}); err != nil {
			return err
		}
		if d.Savings, err = h.Service.Savings(ctx, a); err != nil {
			return err
		}
	default:
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if d.Deals, err = h.Service.Deals(ctx, a); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "market", h.newView(r, "page.market", d))
}

type providersData struct {
	Category   string
	Items      []*model.Provider
	Categories []string
	Register   bool
}

func (h *Handler) providersPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	d := &providersData{Category: r.URL.Query().Get("category"), Categories: model.ServiceCategories,
		Register: a.IsAdmin() || (a.User.Role == model.RoleProvider && a.ProviderOf() == 0)}
	if d.Category != "" && !slices.Contains(model.ServiceCategories, d.Category) {
		d.Category = ""
	}
	var err error
	if d.Items, err = h.Service.Providers(r.Context(), a, store.ProviderFilter{Category: d.Category, Q: r.URL.Query().Get("q")}); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "providers", h.newView(r, "page.providers", d))
}

type providerForm struct {
	ID         int64
	In         model.ProviderInput
	Licences   []model.Licence // with blank rows to fill
	Categories []string
	Pollutants []string
	Kinds      []string
	Regions    []model.Region
}

func (h *Handler) providerFormView(r *http.Request, id int64, in model.ProviderInput) (*view, error) {
	regions, err := h.Store.Regions(r.Context())
	if err != nil {
		return nil, err
	}
	d := &providerForm{ID: id, In: in, Licences: append([]model.Licence{}, in.Licences...), Categories: model.ServiceCategories,
		Pollutants: model.Pollutants, Kinds: model.LicenceKinds, Regions: regions}
	for len(d.Licences) < len(in.Licences)+2 && len(d.Licences) < 10 {
		d.Licences = append(d.Licences, model.Licence{})
	}
	title := "page.provider_new"
	if id != 0 {
		title = "page.provider_edit"
	}
	return h.newView(r, title, d), nil
}

// providerInput reads the provider form; licence rows are lic_kind0,
// lic_number0, lic_until0 and so on.
func providerInput(r *http.Request) model.ProviderInput {
	r.ParseForm()
	f := r.PostForm
	in := model.ProviderInput{USCC: f.Get("uscc"), Name: f.Get("name"), Description: f.Get("description"), Categories: f["categories"],
		Pollutants: f["pollutants"], Industries: model.SplitList(f.Get("industries")), ContactName: f.Get("contact_name"),
		ContactPhone: f.Get("contact_phone"), ContactEmail: f.Get("contact_email")}
	for _, s := range f["region_ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			in.RegionIDs = append(in.RegionIDs, id)
		}
	}
	for i := 0; i < 10; i++ {
		n := strconv.Itoa(i)
		number := strings.TrimSpace(f.Get("lic_number" + n))
		if number == "" {
			continue
		}
		d, _ := model.ParseDate(f.Get("lic_until" + n))
		in.Licences = append(in.Licences, model.Licence{Kind: f.Get("lic_kind" + n), Number: number, ValidUntil: d})
	}
	return in
}

func (h *Handler) newProviderPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if !a.IsAdmin() && (a.User.Role != model.RoleProvider || a.ProviderOf() != 0) {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	v, err := h.providerFormView(r, 0, model.ProviderInput{})
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "provider_form", v)
}

func (h *Handler) registerProvider(w http.ResponseWriter, r *http.Request) error {
	in := providerInput(r)
	p, err := h.Service.RegisterProvider(r.Context(), actor(r), in)
	if err != nil {
		v, verr := h.providerFormView(r, 0, in)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "provider_form", v, err)
	}
	redirect(w, r, "/providers/"+strconv.FormatInt(p.ID, 10), "flash.provider_registered")
	return nil
}

func (h *Handler) editProviderPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.Service.Provider(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	if !p.Can.Edit {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	v, err := h.providerFormView(r, id, p.ProviderInput)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "provider_form", v)
}

func (h *Handler) updateProvider(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	in := providerInput(r)
	if _, err := h.Service.UpdateProvider(r.Context(), actor(r), id, in); err != nil {
		v, verr := h.providerFormView(r, id, in)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "provider_form", v, err)
	}
	redirect(w, r, "/providers/"+strconv.FormatInt(id, 10), "flash.saved")
	return nil
}

type providerData struct {
	P       *model.Provider
	Grades  []string
	Towns   map[int64]string
	Reviews []model.Review
}

func (h *Handler) providerView(r *http.Request, id int64) (*view, error) {
	p, err := h.Service.Provider(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	regions, err := h.Store.Regions(r.Context())
	if err != nil {
		return nil, err
	}
	towns := map[int64]string{}
	for _, g := range regions {
		towns[g.ID] = g.Name
	}
	reviews, err := h.Service.ProviderReviews(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	v := h.newView(r, "page.provider", &providerData{P: p, Grades: model.CreditGrades, Towns: towns, Reviews: reviews})
	v.Title = p.Name
	return v, nil
}

func (h *Handler) providerPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.providerView(r, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "provider", v)
}

// providerAction runs an action on the provider page.
func (h *Handler) providerAction(w http.ResponseWriter, r *http.Request, do func(id int64) error, flash string) error {
	return h.objectAction(w, r, "provider", "/providers/", h.providerView, func(id int64) (string, error) { return "", do(id) }, flash)
}

func (h *Handler) verifyProvider(w http.ResponseWriter, r *http.Request) error {
	return h.providerAction(w, r, func(id int64) error {
		_, err := h.Service.VerifyProvider(r.Context(), actor(r), id)
		return err
	}, "flash.provider_verified")
}

func (h *Handler) gradeProvider(w http.ResponseWriter, r *http.Request) error {
	return h.providerAction(w, r, func(id int64) error {
		_, err := h.Service.GradeProvider(r.Context(), actor(r), id, model.ProviderGrade{Grade: r.PostFormValue("grade"), Reason: r.PostFormValue("reason")})
		return err
	}, "flash.saved")
}

func (h *Handler) declareTie(w http.ResponseWriter, r *http.Request) error {
	return h.providerAction(w, r, func(id int64) error { return h.Service.DeclareTie(r.Context(), actor(r), id) }, "flash.tie_declared")
}

type demandForm struct {
	ID         int64
	In         model.DemandInput
	Deadline   string // the datetime-local value
	Targets    []model.Target
	Categories []string
	Pollutants []string
	Units      []string
	FlowUnits  []string
	Providers  []*model.Provider // verified, to invite
}

func (h *Handler) demandFormView(r *http.Request, id int64, in model.DemandInput) (*view, error) {
	ps, err := h.Service.Providers(r.Context(), actor(r), store.ProviderFilter{Status: model.ProviderVerified})
	if err != nil {
		return nil, err
	}
	d := &demandForm{ID: id, In: in, Targets: append([]model.Target{}, in.Targets...), Categories: model.ServiceCategories,
		Pollutants: model.Pollutants, Units: model.ConcentrationUnits, FlowUnits: model.FlowUnits, Providers: ps}
	if !in.QuoteDeadline.IsZero() {
		d.Deadline = in.QuoteDeadline.In(model.ChinaTime).Format("2006-01-02T15:04")
	}
	for len(d.Targets) < len(in.Targets)+2 && len(d.Targets) < 10 {
		d.Targets = append(d.Targets, model.Target{})
	}
	title := "page.demand_new"
	if id != 0 {
		title = "page.demand_edit"
	}
	return h.newView(r, title, d), nil
}

// demandInput reads the demand form; target rows are t_pollutant0,
// t_current0, t_target0, t_unit0 and so on.
func demandInput(r *http.Request) model.DemandInput {
	r.ParseForm()
	f := r.PostForm
	in := model.DemandInput{Title: f.Get("title"), Category: f.Get("category"), Pollutants: f["pollutants"], Description: f.Get("description"),
		FlowUnit: f.Get("flow_unit"), Standard: f.Get("standard"), OpenTo: f.Get("open_to"), Source: f.Get("source")}
	num := func(s string) *float64 {
		s = strings.TrimSpace(model.FoldWidth(s))
		if s == "" {
			return nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			x = -1 // validation names the field
		}
		return &x
	}
	in.Flow, in.BudgetMin, in.BudgetMax = num(f.Get("flow")), num(f.Get("budget_min")), num(f.Get("budget_max"))
	if t, err := time.ParseInLocation("2006-01-02T15:04", f.Get("quote_deadline"), model.ChinaTime); err == nil {
		in.QuoteDeadline = t
	}
	for _, s := range f["invited"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			in.Invited = append(in.Invited, id)
		}
	}
	for i := 0; i < 10; i++ {
		n := strconv.Itoa(i)
		p := f.Get("t_pollutant" + n)
		if p == "" {
			continue
		}
		t := model.Target{Pollutant: p, Unit: f.Get("t_unit" + n)}
		if x := num(f.Get("t_current" + n)); x != nil {
			t.Current = *x
		}
		if x := num(f.Get("t_target" + n)); x != nil {
			t.Target = *x
		}
		in.Targets = append(in.Targets, t)
	}
	return in
}

// newDemandPage is the enterprise's demand form, pre-filled from a
// technology case it is interested in (?case=) or a rectification task
// (?task=) when it comes from one.
func (h *Handler) newDemandPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if a.Scope().EnterpriseID == 0 {
		return model.Errorf(model.ErrForbidden, "err.market.enterprise_only")
	}
	in := model.DemandInput{OpenTo: "all", QuoteDeadline: h.Store.Now().Add(14 * 24 * time.Hour).Truncate(time.Hour)}
	if id, err := strconv.ParseInt(r.URL.Query().Get("case"), 10, 64); err == nil {
		c, err := h.Service.Case(r.Context(), a, id)
		if err != nil {
			return err
		}
		in = model.DemandFromCase(c, in)
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("task"), 10, 64); err == nil {
		t, err := h.Service.Task(r.Context(), a, id)
		if err != nil {
			return err
		}
		in = model.DemandFromTask(t, in)
	}
	v, err := h.demandFormView(r, 0, in)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "demand_form", v)
}

func (h *Handler) postDemand(w http.ResponseWriter, r *http.Request) error {
	in := demandInput(r)
	d, err := h.Service.PostDemand(r.Context(), actor(r), in)
	if err != nil {
		v, verr := h.demandFormView(r, 0, in)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "demand_form", v, err)
	}
	redirect(w, r, "/demands/"+strconv.FormatInt(d.ID, 10), "flash.demand_posted")
	return nil
}

func (h *Handler) editDemandPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.Service.Demand(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	if enterpriseOf(actor(r)) != d.EnterpriseID || (d.Status != model.DemandSubmitted && d.Status != model.DemandReturned) {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	v, err := h.demandFormView(r, id, d.DemandInput)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "demand_form", v)
}

func enterpriseOf(a model.Actor) int64 { return a.Scope().EnterpriseID }

func (h *Handler) updateDemand(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	in := demandInput(r)
	if _, err := h.Service.UpdateDemand(r.Context(), actor(r), id, in); err != nil {
		v, verr := h.demandFormView(r, id, in)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "demand_form", v, err)
	}
	redirect(w, r, "/demands/"+strconv.FormatInt(id, 10), "flash.demand_posted")
	return nil
}

type demandData struct {
	D       *model.Demand
	Matches []model.Match
	Quotes  []*model.Quote
	Mine    *model.Quote // a provider's own quote
	Deal    *model.Deal
}

func (h *Handler) demandView(r *http.Request, id int64) (*view, error) {
	a := actor(r)
	ctx := r.Context()
	d, err := h.Service.Demand(ctx, a, id)
	if err != nil {
		return nil, err
	}
	data := &demandData{D: d}
	owner := enterpriseOf(a) != 0 && enterpriseOf(a) == d.EnterpriseID
	staff := a.IsAdmin() || a.User.Role == model.RoleAssociation
	if owner || staff {
		if data.Matches, err = h.Service.Matches(ctx, a, id, 10); err != nil {
			return nil, err
		}
	}
	// The quotes: a provider its own; the enterprise once unsealed; the
	// staff only on asking (?quotes=1), as each sealed read is logged.
	if a.ProviderOf() != 0 || (owner && d.Can.SeeQuotes) || (staff && r.URL.Query().Get("quotes") == "1") {
		if data.Quotes, err = h.Service.Quotes(ctx, a, id); err != nil {
			return nil, err
		}
		if a.ProviderOf() != 0 && len(data.Quotes) == 1 {
			data.Mine, data.Quotes = data.Quotes[0], nil
		}
	}
	if d.Status == model.DemandAwarded {
		deals, err := h.Service.Deals(ctx, a)
		if err != nil {
			return nil, err
		}
		for _, k := range deals {
			if k.DemandID == id {
				data.Deal = k
			}
		}
	}
	v := h.newView(r, "page.demand", data)
	v.Title = d.Title
	return v, nil
}

func (h *Handler) demandPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.demandView(r, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "demand", v)
}

// demandAction runs an action on the demand page; done, back to the page
// (or where next says) with a flash; refused, the page with the reason.
func (h *Handler) demandAction(w http.ResponseWriter, r *http.Request, do func(id int64) (string, error), flash string) error {
	return h.objectAction(w, r, "demand", "/demands/", h.demandView, do, flash)
}

func (h *Handler) reviewDemand(w http.ResponseWriter, r *http.Request) error {
	rv := model.DemandReview{Decision: r.PostFormValue("decision"), Reason: r.PostFormValue("reason")}
	flash := "flash.demand_published"
	if rv.Decision == "return" {
		flash = "flash.demand_returned"
	}
	return h.demandAction(w, r, func(id int64) (string, error) {
		_, err := h.Service.ReviewDemand(r.Context(), actor(r), id, rv)
		return "", err
	}, flash)
}

func (h *Handler) closeQuoting(w http.ResponseWriter, r *http.Request) error {
	return h.demandAction(w, r, func(id int64) (string, error) {
		_, err := h.Service.CloseQuoting(r.Context(), actor(r), id)
		return "", err
	}, "flash.quoting_closed")
}

func (h *Handler) cancelDemand(w http.ResponseWriter, r *http.Request) error {
	return h.demandAction(w, r, func(id int64) (string, error) {
		_, err := h.Service.CancelDemand(r.Context(), actor(r), id)
		return "", err
	}, "flash.demand_cancelled")
}

func quoteInput(r *http.Request) model.QuoteInput {
	in := model.QuoteInput{Includes: r.PostFormValue("includes"), Outcome: r.PostFormValue("outcome")}
	in.Price, _ = strconv.ParseFloat(strings.TrimSpace(model.FoldWidth(r.PostFormValue("price"))), 64)
	in.TimelineDays, _ = strconv.Atoi(strings.TrimSpace(model.FoldWidth(r.PostFormValue("timeline_days"))))
	return in
}

// sendQuote sends the provider's quote, or revises it when it has one.
func (h *Handler) sendQuote(w http.ResponseWriter, r *http.Request) error {
	return h.demandAction(w, r, func(id int64) (string, error) {
		in := quoteInput(r)
		if q, err := strconv.ParseInt(r.PostFormValue("quote_id"), 10, 64); err == nil && q > 0 {
			_, err := h.Service.ReviseQuote(r.Context(), actor(r), q, in)
			return "", err
		}
		_, err := h.Service.SendQuote(r.Context(), actor(r), id, in)
		return "", err
	}, "flash.quote_sent")
}

func (h *Handler) acceptQuote(w http.ResponseWriter, r *http.Request) error {
	qid, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	k, err := h.Service.AcceptQuote(r.Context(), actor(r), qid)
	if err != nil {
		q, qerr := h.Service.Quote(r.Context(), actor(r), qid)
		if qerr != nil {
			return err
		}
		v, verr := h.demandView(r, q.DemandID)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "demand", v, err)
	}
	redirect(w, r, "/deals/"+strconv.FormatInt(k.ID, 10), "flash.quote_accepted")
	return nil
}

func (h *Handler) dealView(r *http.Request, id int64) (*view, error) {
	k, err := h.Service.Deal(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	rows := append([]model.Milestone{}, k.Milestones...)
	for len(rows) < len(k.Milestones)+2 && len(rows) < 20 {
		rows = append(rows, model.Milestone{})
	}
	v := h.newView(r, "page.deal", map[string]any{"K": k, "Rows": rows, "Side": dealSide(actor(r), k)})
	v.Title = k.Title
	return v, nil
}

func dealSide(a model.Actor, k *model.Deal) string {
	switch {
	case enterpriseOf(a) != 0 && enterpriseOf(a) == k.EnterpriseID:
		return "enterprise"
	case a.ProviderOf() != 0 && a.ProviderOf() == k.ProviderID:
		return "provider"
	}
	return ""
}

func (h *Handler) dealPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.dealView(r, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "deal", v)
}

// dealAction runs an action on the deal page.
func (h *Handler) dealAction(w http.ResponseWriter, r *http.Request, do func(id int64) error, flash string) error {
	return h.objectAction(w, r, "deal", "/deals/", h.dealView, func(id int64) (string, error) { return "", do(id) }, flash)
}

// patchDeal reads the deal form: milestone rows m_title0, m_due0…, done
// boxes, and (the enterprise's) costs; "complete" ends the deal.
func (h *Handler) patchDeal(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	f := r.PostForm
	p := model.DealPatch{Complete: f.Get("complete") == "1"}
	var ms []model.Milestone
	for i := 0; i < 20; i++ {
		n := strconv.Itoa(i)
		t := strings.TrimSpace(f.Get("m_title" + n))
		if t == "" {
			continue
		}
		d, _ := model.ParseDate(f.Get("m_due" + n))
		ms = append(ms, model.Milestone{Title: t, Due: d})
		if f.Get("m_done"+n) == "1" {
			p.Done = append(p.Done, len(ms)-1)
		}
	}
	p.Milestones = &ms
	if _, ok := f["baseline_cost"]; ok {
		num := func(s string) *float64 {
			s = strings.TrimSpace(model.FoldWidth(s))
			if s == "" {
				return nil
			}
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				x = -1
			}
			return &x
		}
		bn, an := f.Get("baseline_note"), f.Get("achieved_note")
		p.BaselineCost, p.AchievedCost, p.BaselineNote, p.AchievedNote = num(f.Get("baseline_cost")), num(f.Get("achieved_cost")), &bn, &an
		p.CO2Cut = num(f.Get("co2_cut"))
	}
	flash := "flash.saved"
	if p.Complete {
		flash = "flash.deal_completed"
	}
	return h.dealAction(w, r, func(id int64) error {
		_, err := h.Service.PatchDeal(r.Context(), actor(r), id, p)
		return err
	}, flash)
}

func (h *Handler) rateDeal(w http.ResponseWriter, r *http.Request) error {
	score, _ := strconv.Atoi(r.PostFormValue("score"))
	return h.dealAction(w, r, func(id int64) error {
		_, err := h.Service.RateDeal(r.Context(), actor(r), id, model.RatingInput{Score: score, Comment: r.PostFormValue("comment")})
		return err
	}, "flash.rated")
}

func (h *Handler) addDemandAttachment(w http.ResponseWriter, r *http.Request) error {
	return h.demandAction(w, r, func(id int64) (string, error) {
		name, body, err := httpx.UploadPart(w, r, "file", files.Material.MaxBytes)
		if err != nil {
			return "", err
		}
		_, err = h.Service.AddDemandAttachment(r.Context(), actor(r), id, name, body)
		return "", err
	}, "flash.attachment_added")
}

func (h *Handler) addDealEvidence(w http.ResponseWriter, r *http.Request) error {
	return h.dealAction(w, r, func(id int64) error {
		name, body, err := httpx.UploadPart(w, r, "file", files.Material.MaxBytes)
		if err != nil {
			return err
		}
		_, err = h.Service.AddDealEvidence(r.Context(), actor(r), id, name, body)
		return err
	}, "flash.attachment_added")
}
