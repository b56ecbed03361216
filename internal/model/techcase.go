package model

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Technology case statuses: a submitted case waits for the bureau, which
// publishes it or returns it with a reason; a returned case, edited, is
// submitted again.
const (
	CaseSubmitted = "submitted"
	CasePublished = "published"
	CaseReturned  = "returned"
)

// CaseStatuses lists them in display order.
var CaseStatuses = []string{CaseSubmitted, CaseReturned, CasePublished}

// CaseFigure is one measured quantity of a case, before and after the
// technology: an emission, a concentration or a cost, with its unit.
type CaseFigure struct {
	Name   string  `json:"name"`
	Unit   string  `json:"unit"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
}

// ChangePercent is the change from before to after in percent of before
// (negative: a cut), to one decimal; nil when before is zero.
func (f CaseFigure) ChangePercent() *float64 {
	if f.Before == 0 {
		return nil
	}
	p := math.Round((f.After-f.Before)/f.Before*1000) / 10
	return &p
}

// CaseInput is what a case is submitted (or edited) with. Money is in
// units of 10,000 yuan (万元), as the bureau's case books write it.
type CaseInput struct {
	Title      string       `json:"title"`
	Industries []string     `json:"industries"` // industry-code prefixes; none: any industry
	Pollutants []string     `json:"pollutants"`
	Technique  string       `json:"technique"`
	Figures    []CaseFigure `json:"figures"`
	// Investment (万元) and RunningCost (万元 a year), when known.
	Investment  *float64 `json:"investment"`
	RunningCost *float64 `json:"running_cost"`
	Provider    string   `json:"provider"` // as the source names it
	// ProviderID is the through train's verified provider the case names,
	// when it is one: its record counts the case.
	ProviderID *int64 `json:"provider_id"`
	Source     string `json:"source"` // where the case comes from: a case book, a report
}

// Limits of a case.
const (
	MaxCaseFigures     = 12
	MaxCaseAttachments = 10
	maxCaseMoney       = 1e7 // 万元: 100 billion yuan
	maxCaseFigure      = 1e12
)

// Validate tidies and checks an input.
func (in *CaseInput) Validate() error {
	v := Validation{}
	in.Title = strings.TrimSpace(in.Title)
	requiredText(v, "title", in.Title, 100)
	inds := []string{}
	for _, p := range in.Industries {
		p = strings.ToUpper(strings.TrimSpace(FoldWidth(p)))
		if p == "" || slices.Contains(inds, p) {
			continue
		}
		if !industryPrefix.MatchString(p) {
			v.Add("industries", "err.field.industry_code")
		}
		inds = append(inds, p)
	}
	slices.Sort(inds)
	in.Industries = inds
	if len(inds) > 20 {
		v.Add("industries", "err.field.too_many")
	}
	in.Pollutants = Choices(in.Pollutants, Pollutants)
	if len(in.Pollutants) == 0 {
		v.Add("pollutants", "err.field.required")
	}
	for _, p := range in.Pollutants {
		if !slices.Contains(Pollutants, p) {
			v.Add("pollutants", "err.field.choice")
		}
	}
	multiLineText(v, "technique", &in.Technique, 10000)
	if in.Technique == "" {
		v.Add("technique", "err.field.required")
	}
	figs := []CaseFigure{}
	for _, f := range in.Figures {
		f.Name, f.Unit = strings.TrimSpace(f.Name), strings.TrimSpace(f.Unit)
		if f.Name == "" && f.Unit == "" && f.Before == 0 && f.After == 0 {
			continue // an empty row of the form
		}
		requiredText(v, "figures", f.Name, 40)
		requiredText(v, "figures", f.Unit, 20)
		if !finiteIn(f.Before, maxCaseFigure) || !finiteIn(f.After, maxCaseFigure) {
			v.Add("figures", "err.case.figure")
		}
		figs = append(figs, f)
	}
	in.Figures = figs
	if len(figs) == 0 {
		v.Add("figures", "err.case.no_figures")
	} else if len(figs) > MaxCaseFigures {
		v.Add("figures", "err.field.too_many")
	}
	for field, m := range map[string]*float64{"investment": in.Investment, "running_cost": in.RunningCost} {
		if m != nil && !finiteIn(*m, maxCaseMoney) {
			v.Add(field, "err.case.money")
		}
	}
	optionalText(v, "provider", &in.Provider, 100)
	in.Source = strings.TrimSpace(in.Source)
	requiredText(v, "source", in.Source, 200)
	return v.Err()
}

// finiteIn says whether x is a number from 0 to max.
func finiteIn(x, max float64) bool {
	return !math.IsNaN(x) && !math.IsInf(x, 0) && x >= 0 && x <= max
}

// TechCase is a case of governance technology or pollution-control model.
type TechCase struct {
	ID int64 `json:"id"`
	CaseInput
	Status      string           `json:"status"`
	Reason      string           `json:"reason"` // why it was returned
	Submitter   string           `json:"submitter"`
	SubmittedBy int64            `json:"-"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
	PublishedAt *time.Time       `json:"published_at"`
	Attachments []CaseAttachment `json:"attachments"`
	// Recipients is how many key discharge units it was pushed to, Reads
	// how many of them opened it, Interests how many marked interest.
	Recipients int `json:"recipients"`
	Reads      int `json:"reads"`
	Interests  int `json:"interests"`
	// For an enterprise's account: whether the case was pushed to its
	// enterprise, when the enterprise first read it, and its interest.
	Pushed     bool       `json:"pushed"`
	ReadAt     *time.Time `json:"read_at"`
	Interested bool       `json:"interested"`
	// Can is what the asking account may do with the case.
	Can CaseRights `json:"can"`
}

// CaseRights are the asking account's rights on a case.
type CaseRights struct {
	Edit     bool `json:"edit"`     // change it and add attachments
	Review   bool `json:"review"`   // publish or return it
	Interest bool `json:"interest"` // mark its enterprise's interest
	Readers  bool `json:"readers"`  // see who it reached and who read it
	Demand   bool `json:"demand"`   // open a through-train demand pre-filled from it
}

// CaseAttachment is a file of a case, numbered from 1.
type CaseAttachment struct {
	N           int    `json:"n"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

// CaseReview is the bureau's decision on a submitted case.
type CaseReview struct {
	Decision string `json:"decision"` // "publish" or "return"
	Reason   string `json:"reason"`
}

// Validate checks a review: a return says why.
func (r *CaseReview) Validate() error {
	v := Validation{}
	r.Reason = strings.TrimSpace(r.Reason)
	switch r.Decision {
	case "publish":
	case "return":
		if r.Reason == "" {
			v.Add("reason", "err.field.required")
		}
	default:
		v.Add("decision", "err.field.choice")
	}
	multiLineText(v, "reason", &r.Reason, 500)
	return v.Err()
}

// CaseFilter narrows the case list. Box "pushed" lists the cases pushed
// to the asking enterprise, unread first; "review" those waiting for the
// bureau; "mine" the asking account's submissions; "" the published ones.
type CaseFilter struct {
	Box       string
	Industry  string // an industry code or prefix: cases for it
	Pollutant string
}

// Validate tidies and checks a filter.
func (f *CaseFilter) Validate() error {
	v := Validation{}
	f.Industry = strings.ToUpper(strings.TrimSpace(FoldWidth(f.Industry)))
	if f.Industry != "" && !industryPrefix.MatchString(f.Industry) {
		v.Add("industry", "err.field.industry_code")
	}
	if f.Pollutant != "" && !slices.Contains(Pollutants, f.Pollutant) {
		v.Add("pollutant", "err.field.choice")
	}
	if !slices.Contains([]string{"", "pushed", "review", "mine"}, f.Box) {
		v.Add("box", "err.field.choice")
	}
	return v.Err()
}

// Matches says whether the library lists a case under the filter's
// industry and pollutant: a case for every industry, for a code the asked
// one starts with, or for a code under the asked prefix; and one of its
// pollutants the one asked for. The store says the same in SQL.
func (f *CaseFilter) Matches(c *CaseInput) bool {
	if f.Industry != "" && len(c.Industries) > 0 && !slices.ContainsFunc(c.Industries, func(p string) bool {
		return strings.HasPrefix(f.Industry, p) || strings.HasPrefix(p, f.Industry)
	}) {
		return false
	}
	return f.Pollutant == "" || slices.Contains(c.Pollutants, f.Pollutant)
}

// CaseFits says whether a published case is pushed to an enterprise: a
// key discharge unit (on a key-unit list), active, whose industry code
// starts with one of the case's industries (any, when it names none) and
// which has one of the case's pollutants among its main pollutants.
func CaseFits(c *CaseInput, e *Enterprise) bool {
	if e.Status != StatusActive || len(e.KeyLists) == 0 {
		return false
	}
	if len(c.Industries) > 0 && !slices.ContainsFunc(c.Industries, func(p string) bool { return strings.HasPrefix(e.IndustryCode, p) }) {
		return false
	}
	return slices.ContainsFunc(c.Pollutants, func(p string) bool { return slices.Contains(e.Pollutants, p) })
}

// CaseReader is an enterprise a case was pushed to, with when it read it.
type CaseReader struct {
	EnterpriseID int64      `json:"enterprise_id"`
	Name         string     `json:"name"`
	RegionName   string     `json:"region_name"`
	ReadAt       *time.Time `json:"read_at"`
	Interested   bool       `json:"interested"`
}

// CaseLead is an enterprise's interest in a case: for the bureau (and the
// association of its town), a lead to follow up.
type CaseLead struct {
	CaseID         int64     `json:"case_id"`
	CaseTitle      string    `json:"case_title"`
	Provider       string    `json:"provider"`
	EnterpriseID   int64     `json:"enterprise_id"`
	EnterpriseName string    `json:"enterprise_name"`
	RegionName     string    `json:"region_name"`
	Contact        string    `json:"contact"` // the account that marked it
	Note           string    `json:"note"`
	CreatedAt      time.Time `json:"created_at"`
}

// MaySubmitCase says whether the actor submits technology cases: the
// bureau, associations, providers and lecturers (experts), not enterprises.
func (a Actor) MaySubmitCase() bool {
	return a.User != nil && a.User.Role != RoleEnterprise
}

// SeesCaseReaders says whether the actor sees who a case reached: the
// bureau all, an association its town's enterprises.
func (a Actor) SeesCaseReaders() bool {
	return a.User != nil && (a.User.Role == RoleAdmin || (a.User.Role == RoleAssociation && a.User.RegionID != nil))
}
