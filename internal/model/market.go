package model

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Demand statuses: a submitted demand waits for its town's association (or
// the bureau), which publishes it or returns it with a reason; a published
// demand takes quotes until its deadline or until the enterprise closes
// quoting; accepting a quote awards it.
const (
	DemandSubmitted = "submitted"
	DemandReturned  = "returned"
	DemandPublished = "published"
	DemandClosed    = "closed" // quoting over, no quote accepted yet
	DemandAwarded   = "awarded"
	DemandCancelled = "cancelled"
)

// DemandStatuses lists them in display order.
var DemandStatuses = []string{DemandSubmitted, DemandReturned, DemandPublished, DemandClosed, DemandAwarded, DemandCancelled}

// Target is a pollutant's current and target concentration, with its
// unit: what the enterprise needs to reach.
type Target struct {
	Pollutant string  `json:"pollutant"`
	Current   float64 `json:"current"`
	Target    float64 `json:"target"`
	Unit      string  `json:"unit"`
}

// ConcentrationUnits are the units a target is given in.
var ConcentrationUnits = []string{"mg/L", "mg/m³", "μg/m³", "dB(A)", "mg/kg", "t/a", "kg/d"}

// DemandInput is what an enterprise posts. Money is in 万元.
type DemandInput struct {
	Title       string   `json:"title"`
	Category    string   `json:"category"`
	Pollutants  []string `json:"pollutants"`
	Description string   `json:"description"`
	// Flow is the volume to treat (m³/d of water, m³/h of gas), when it
	// applies.
	Flow      *float64 `json:"flow"`
	FlowUnit  string   `json:"flow_unit"`
	Targets   []Target `json:"targets"`
	Standard  string   `json:"standard"` // the applicable discharge standard
	BudgetMin *float64 `json:"budget_min"`
	BudgetMax *float64 `json:"budget_max"`
	// QuoteDeadline is when quoting closes.
	QuoteDeadline time.Time `json:"quote_deadline"`
	// OpenTo is "all" verified providers or those "invited".
	OpenTo  string  `json:"open_to"`
	Invited []int64 `json:"invited"`
	// Source names what the demand was opened from: "case:12", "task:5".
	Source string `json:"source"`
}

// FlowUnits are the units a flow is given in.
var FlowUnits = []string{"m³/d", "m³/h", "t/d", "t/a"}

// Validate tidies and checks an input against now.
func (in *DemandInput) Validate(now time.Time) error {
	v := Validation{}
	in.Title = strings.TrimSpace(in.Title)
	requiredText(v, "title", in.Title, 100)
	if !slices.Contains(ServiceCategories, in.Category) {
		v.Add("category", "err.field.choice")
	}
	in.Pollutants = Choices(in.Pollutants, Pollutants)
	for _, p := range in.Pollutants {
		if !slices.Contains(Pollutants, p) {
			v.Add("pollutants", "err.field.choice")
		}
	}
	multiLineText(v, "description", &in.Description, 5000)
	if in.Description == "" {
		v.Add("description", "err.field.required")
	}
	if in.Flow != nil {
		if !finiteIn(*in.Flow, 1e9) || *in.Flow == 0 {
			v.Add("flow", "err.market.amount")
		}
		if !slices.Contains(FlowUnits, in.FlowUnit) {
			v.Add("flow_unit", "err.market.unit")
		}
	} else {
		in.FlowUnit = ""
	}
	if in.Targets == nil {
		in.Targets = []Target{}
	}
	if len(in.Targets) > 10 {
		v.Add("targets", "err.field.too_many")
	}
	for _, t := range in.Targets {
		switch {
		case !slices.Contains(Pollutants, t.Pollutant):
			v.Add("targets", "err.field.choice")
		case !slices.Contains(ConcentrationUnits, t.Unit):
			v.Add("targets", "err.market.unit")
		case !finiteIn(t.Current, 1e9) || !finiteIn(t.Target, 1e9):
			v.Add("targets", "err.market.amount")
		case t.Target > t.Current:
			v.Add("targets", "err.market.target_above")
		}
	}
	optionalText(v, "standard", &in.Standard, 100)
	for field, m := range map[string]*float64{"budget_min": in.BudgetMin, "budget_max": in.BudgetMax} {
		if m != nil && !finiteIn(*m, maxCaseMoney) {
			v.Add(field, "err.case.money")
		}
	}
	if in.BudgetMin != nil && in.BudgetMax != nil && *in.BudgetMin > *in.BudgetMax {
		v.Add("budget_max", "err.market.budget_order")
	}
	if in.QuoteDeadline.IsZero() {
		v.Add("quote_deadline", "err.field.required")
	} else if !in.QuoteDeadline.After(now.Add(time.Hour)) {
		v.Add("quote_deadline", "err.market.deadline_past")
	} else if in.QuoteDeadline.After(now.AddDate(0, 6, 0)) {
		v.Add("quote_deadline", "err.market.deadline_far")
	}
	if in.OpenTo == "" {
		in.OpenTo = "all"
	}
	slices.Sort(in.Invited)
	in.Invited = slices.Compact(in.Invited)
	switch {
	case in.OpenTo != "all" && in.OpenTo != "invited":
		v.Add("open_to", "err.field.choice")
	case in.OpenTo == "invited" && len(in.Invited) == 0:
		v.Add("invited", "err.field.required")
	case len(in.Invited) > 20:
		v.Add("invited", "err.field.too_many")
	}
	if in.OpenTo == "all" {
		in.Invited = []int64{}
	}
	optionalText(v, "source", &in.Source, 40)
	return v.Err()
}

// Demand is an enterprise's pollution-control need.
type Demand struct {
	ID int64 `json:"id"`
	DemandInput
	EnterpriseID int64      `json:"enterprise_id"`
	RegionID     int64      `json:"region_id"`
	Status       string     `json:"status"`
	Reason       string     `json:"reason"` // why it was returned
	PublishedAt  *time.Time `json:"published_at"`
	ClosedAt     *time.Time `json:"closed_at"` // quoting closed early
	Quotes       int        `json:"quotes"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// Enterprise and its contact show only to its own accounts, the staff
	// in scope and the provider whose quote was accepted.
	Enterprise *DemandContact `json:"enterprise"`
	// Sealed: quotes are hidden from the enterprise until quoting ends.
	Sealed bool `json:"sealed"`
	// Fit is how well the demand fits the asking provider (its "fits"
	// box), with every part of the score.
	Fit *Match `json:"fit,omitempty"`
	// Attachments are the enterprise's files (drawings, monitoring reports).
	Attachments []CaseAttachment `json:"attachments"`
	// Can is what the asking account may do with the demand.
	Can DemandRights `json:"can"`
}

// DemandContact is who posted a demand, once a provider may know.
type DemandContact struct {
	Name         string `json:"name"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
	RegionName   string `json:"region_name"`
}

// DemandRights are the asking account's rights on a demand.
type DemandRights struct {
	Review      bool `json:"review"`       // publish or return it
	Quote       bool `json:"quote"`        // send (or revise) its quote
	SeeQuotes   bool `json:"see_quotes"`   // all quotes, side by side
	CloseQuotes bool `json:"close_quotes"` // end quoting early
	Cancel      bool `json:"cancel"`
}

// QuotingOpen says whether a published demand still takes quotes at now.
func (d *Demand) QuotingOpen(now time.Time) bool {
	return d.Status == DemandPublished && now.Before(d.QuoteDeadline)
}

// DemandReview is a reviewer's decision on a submitted demand.
type DemandReview struct {
	Decision string `json:"decision"` // "publish" or "return"
	Reason   string `json:"reason"`
}

// Validate checks a review: a return says why.
func (r *DemandReview) Validate() error {
	c := CaseReview{Decision: r.Decision, Reason: r.Reason}
	err := c.Validate()
	r.Reason = c.Reason
	return err
}

// MatchReason is one part of a provider's score for a demand.
type MatchReason struct {
	Code   string `json:"code"`   // category, pollutant, industry, town, licence, results, rating, grade
	Points int    `json:"points"` // what it adds (or takes)
	Detail string `json:"detail"`
}

// Match is a provider ranked for a demand, with every part of its score.
type Match struct {
	ProviderID int64         `json:"provider_id"`
	Name       string        `json:"name"`
	Score      int           `json:"score"`
	Reasons    []MatchReason `json:"reasons"`
}

// Quote statuses.
const (
	QuoteSent     = "sent"
	QuoteAccepted = "accepted"
	QuoteDeclined = "declined"
)

// QuoteInput is a provider's offer.
type QuoteInput struct {
	Price        float64 `json:"price"` // 万元
	Includes     string  `json:"includes"`
	TimelineDays int     `json:"timeline_days"`
	Outcome      string  `json:"outcome"` // the guaranteed result
}

// Validate checks an offer.
func (in *QuoteInput) Validate() error {
	v := Validation{}
	if !finiteIn(in.Price, maxCaseMoney) || in.Price == 0 {
		v.Add("price", "err.market.amount")
	}
	multiLineText(v, "includes", &in.Includes, 2000)
	if in.Includes == "" {
		v.Add("includes", "err.field.required")
	}
	if in.TimelineDays < 1 || in.TimelineDays > 1000 {
		v.Add("timeline_days", "err.market.timeline")
	}
	multiLineText(v, "outcome", &in.Outcome, 1000)
	if in.Outcome == "" {
		v.Add("outcome", "err.field.required")
	}
	return v.Err()
}

// Quote is a provider's offer on a demand; a revision before the deadline
// replaces it and keeps the earlier ones.
type Quote struct {
	ID         int64  `json:"id"`
	DemandID   int64  `json:"demand_id"`
	ProviderID int64  `json:"provider_id"`
	Provider   string `json:"provider"`
	QuoteInput
	Revision int             `json:"revision"`
	Status   string          `json:"status"`
	SentAt   time.Time       `json:"sent_at"`
	History  []QuoteRevision `json:"history"`
}

// QuoteRevision is an earlier version of a quote.
type QuoteRevision struct {
	Revision int `json:"revision"`
	QuoteInput
	SentAt time.Time `json:"sent_at"`
}

// Deal statuses.
const (
	DealActive    = "active"
	DealCompleted = "completed"
)

// Milestone is a step of a deal.
type Milestone struct {
	Title  string     `json:"title"`
	Due    Date       `json:"due"`
	DoneAt *time.Time `json:"done_at"`
}

// Deal is an accepted quote: the work, its milestones and the money it
// saves. Costs are 万元 a year; the saving is baseline minus achieved.
type Deal struct {
	ID           int64       `json:"id"`
	DemandID     int64       `json:"demand_id"`
	QuoteID      int64       `json:"quote_id"`
	Title        string      `json:"title"`
	EnterpriseID int64       `json:"enterprise_id"`
	Enterprise   string      `json:"enterprise"`
	ProviderID   int64       `json:"provider_id"`
	Provider     string      `json:"provider"`
	RegionID     int64       `json:"region_id"`
	Price        float64     `json:"price"`
	Milestones   []Milestone `json:"milestones"`
	// BaselineCost is what the problem cost a year before, and
	// BaselineNote what it counts (fees, fines, disposal, energy).
	BaselineCost *float64 `json:"baseline_cost"`
	BaselineNote string   `json:"baseline_note"`
	AchievedCost *float64 `json:"achieved_cost"`
	AchievedNote string   `json:"achieved_note"`
	Saving       *float64 `json:"saving"`
	// CO2Cut is the tonnes of CO2 a year the deal cuts, as the enterprise
	// names it.
	CO2Cut      *float64   `json:"co2_cut"`
	Status      string     `json:"status"`
	CompletedAt *time.Time `json:"completed_at"`
	CreatedAt   time.Time  `json:"created_at"`
	Ratings     []Rating   `json:"ratings"`
	// Evidence are the files behind the costs (invoices, monitoring).
	Evidence []CaseAttachment `json:"evidence"`
	Can      DealRights       `json:"can"`
}

// DealRights are the asking account's rights on a deal.
type DealRights struct {
	Edit bool `json:"edit"` // its enterprise (costs, milestones) and provider (milestones)
	Rate bool `json:"rate"` // a side that has not rated, once completed
}

// DealPatch changes a deal: nil fields stay. Done marks milestones done
// by index; Complete ends the deal (it needs both costs).
type DealPatch struct {
	Milestones   *[]Milestone `json:"milestones"`
	Done         []int        `json:"done"`
	BaselineCost *float64     `json:"baseline_cost"`
	BaselineNote *string      `json:"baseline_note"`
	AchievedCost *float64     `json:"achieved_cost"`
	AchievedNote *string      `json:"achieved_note"`
	CO2Cut       *float64     `json:"co2_cut"`
	Complete     bool         `json:"complete"`
}

// maxCO2Cut bounds the tonnes a deal may name (a large coal boiler's
// whole year is about 100,000 t).
const maxCO2Cut = 1_000_000

// Rating is one side's rating of the other after a deal.
type Rating struct {
	Side      string    `json:"side"` // "enterprise" rates the provider, "provider" the enterprise
	Score     int       `json:"score"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"created_at"`
}

// RatingInput is a rating given.
type RatingInput struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

// Validate checks a rating.
func (in *RatingInput) Validate() error {
	v := Validation{}
	if in.Score < 1 || in.Score > 5 {
		v.Add("score", "err.market.score")
	}
	multiLineText(v, "comment", &in.Comment, 500)
	return v.Err()
}

// Savings is money saved by completed deals in a region (or the county).
type Savings struct {
	RegionID   *int64  `json:"region_id"`
	RegionName string  `json:"region_name"`
	Deals      int     `json:"deals"`
	Completed  int     `json:"completed"`
	Baseline   float64 `json:"baseline"`
	Achieved   float64 `json:"achieved"`
	Saving     float64 `json:"saving"`
}

// ProviderOf is the provider an account speaks for (0: none).
func (a Actor) ProviderOf() int64 {
	if a.User != nil && a.User.Role == RoleProvider && a.User.ProviderID != nil {
		return *a.User.ProviderID
	}
	return 0
}

// Points of a match, each part shown to whoever reads the ranking.
const (
	pointsCategory     = 30
	pointsPollutant    = 10 // each shared pollutant, at most two
	pointsIndustry     = 15
	pointsTown         = 10
	pointsCounty       = 5 // serves every town
	pointsLicence      = 10
	maxPointsResults   = 15
	pointsGradeGreen   = 10
	pointsGradeBlue    = 5
	pointsGradeYellow  = -10
	pointsPerRatingDev = 5 // per star above or below 3
)

// MatchDemand scores a provider for a demand whose enterprise is in
// industry (its code) and town: deterministic, every part a reason. ok is
// false when the provider cannot take the demand: not verified, not in
// its category now (a licence the category needs has lapsed), graded red,
// or not invited to a demand open to invited providers only.
func MatchDemand(d *Demand, industry string, town int64, p *Provider, today Date) (Match, bool) {
	m := Match{ProviderID: p.ID, Name: p.Name, Reasons: []MatchReason{}}
	if p.Status != ProviderVerified || p.Grade == "red" || !p.Serves(d.Category, today) ||
		(d.OpenTo == "invited" && !slices.Contains(d.Invited, p.ID)) {
		return m, false
	}
	add := func(code string, points int, detail string) {
		m.Reasons = append(m.Reasons, MatchReason{Code: code, Points: points, Detail: detail})
		m.Score += points
	}
	add("category", pointsCategory, d.Category)
	var shared []string
	for _, x := range d.Pollutants {
		if slices.Contains(p.Pollutants, x) {
			shared = append(shared, x)
		}
	}
	if len(shared) > 0 {
		add("pollutant", pointsPollutant*min(2, len(shared)), strings.Join(shared, ","))
	}
	for _, pre := range p.Industries {
		if industry != "" && strings.HasPrefix(industry, pre) {
			add("industry", pointsIndustry, pre)
			break
		}
	}
	switch {
	case len(p.RegionIDs) == 0:
		add("town", pointsCounty, "all")
	case slices.Contains(p.RegionIDs, town):
		add("town", pointsTown, "served")
	}
	if kind, needs := LicensedCategories[d.Category]; needs {
		for _, l := range p.Licences {
			if l.Kind == kind && l.ValidUntil >= today {
				add("licence", pointsLicence, kind+" "+string(l.ValidUntil))
				break
			}
		}
	}
	if r := min(maxPointsResults, p.Cases*2+p.DealsDone*3); r > 0 {
		add("results", r, fmt.Sprintf("cases=%d,deals=%d", p.Cases, p.DealsDone))
	}
	if p.Ratings > 0 {
		add("rating", RatingPoints(int(math.Round(p.Rating*10))), fmt.Sprintf("%.1f/5 (%d)", p.Rating, p.Ratings))
	}
	switch p.Grade {
	case "green":
		add("grade", pointsGradeGreen, p.Grade)
	case "blue":
		add("grade", pointsGradeBlue, p.Grade)
	case "yellow":
		add("grade", pointsGradeYellow, p.Grade)
	}
	return m, true
}

// RatingPoints are the points of a mean rating given in tenths (43 for
// 4.3): five a star above or below 3, rounded half away from zero, in
// integers so that the store's SQL ranks the same.
func RatingPoints(tenths int) int {
	d := (tenths - 30) * pointsPerRatingDev
	if d >= 0 {
		return (d + 5) / 10
	}
	return -((5 - d) / 10)
}

// RankMatches orders matches best first, the lower provider id first on a
// tie, so the same data always gives the same ranking.
func RankMatches(ms []Match) {
	slices.SortFunc(ms, func(a, b Match) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return int(a.ProviderID - b.ProviderID)
	})
}

// Apply validates a patch and applies it to k at now: milestones replaced
// (keeping when each was done), marked done, costs and their notes set,
// the saving kept as baseline minus achieved, and the deal completed when
// asked, which needs both costs.
func (p *DealPatch) Apply(k *Deal, now time.Time) error {
	v := Validation{}
	if p.Milestones != nil {
		ms := *p.Milestones
		if len(ms) > 20 {
			v.Add("milestones", "err.field.too_many")
		}
		for i := range ms {
			ms[i].Title = strings.TrimSpace(ms[i].Title)
			requiredText(v, "milestones", ms[i].Title, 100)
			if ms[i].Due != "" && !ms[i].Due.Valid() {
				v.Add("milestones", "err.field.date")
			}
			ms[i].DoneAt = nil
			for _, old := range k.Milestones {
				if old.Title == ms[i].Title {
					ms[i].DoneAt = old.DoneAt
				}
			}
		}
		k.Milestones = ms
	}
	for _, i := range p.Done {
		if i < 0 || i >= len(k.Milestones) {
			v.Add("done", "err.field.choice")
		} else if k.Milestones[i].DoneAt == nil {
			t := now
			k.Milestones[i].DoneAt = &t
		}
	}
	for field, c := range map[string]*float64{"baseline_cost": p.BaselineCost, "achieved_cost": p.AchievedCost} {
		if c != nil && !finiteIn(*c, maxCaseMoney) {
			v.Add(field, "err.case.money")
		}
	}
	if p.CO2Cut != nil && !finiteIn(*p.CO2Cut, maxCO2Cut) {
		v.Add("co2_cut", "err.market.co2_cut")
	}
	if p.CO2Cut != nil {
		k.CO2Cut = p.CO2Cut
	}
	if p.BaselineCost != nil {
		k.BaselineCost = p.BaselineCost
	}
	if p.AchievedCost != nil {
		k.AchievedCost = p.AchievedCost
	}
	if p.BaselineNote != nil {
		k.BaselineNote = *p.BaselineNote
		multiLineText(v, "baseline_note", &k.BaselineNote, 500)
	}
	if p.AchievedNote != nil {
		k.AchievedNote = *p.AchievedNote
		multiLineText(v, "achieved_note", &k.AchievedNote, 500)
	}
	k.Saving = nil
	if k.BaselineCost != nil && k.AchievedCost != nil {
		s := math.Round((*k.BaselineCost-*k.AchievedCost)*10000) / 10000
		k.Saving = &s
	}
	if p.Complete {
		if k.Saving == nil {
			v.Add("achieved_cost", "err.market.costs_needed")
		}
		if k.BaselineNote == "" {
			v.Add("baseline_note", "err.field.required")
		}
		k.Status = DealCompleted
	}
	return v.Err()
}

// categoryOfPollutant is the service category that treats a pollutant.
var categoryOfPollutant = map[string]string{"cod": "wastewater", "ammonia": "wastewater", "phosphorus": "wastewater", "nitrogen": "wastewater",
	"heavy_metals": "wastewater", "so2": "waste_gas", "nox": "waste_gas", "particulates": "waste_gas", "vocs": "waste_gas", "odour": "waste_gas",
	"hazardous_waste": "solid_waste", "solid_waste": "solid_waste", "noise": "noise"}

// DemandFromCase pre-fills a demand from a technology case an enterprise
// is interested in: its pollutants, the category that treats the first,
// the technique as the need, the case as the source.
func DemandFromCase(c *TechCase, in DemandInput) DemandInput {
	in.Title = truncateRunes("引进："+c.Title, 100)
	in.Pollutants = append([]string{}, c.Pollutants...)
	in.Category = "other"
	if len(c.Pollutants) > 0 {
		in.Category = categoryOfPollutant[c.Pollutants[0]]
	}
	in.Description = truncateRunes("参考治理技术案例“"+c.Title+"”：\n"+c.Technique, 5000)
	in.Source = fmt.Sprintf("case:%d", c.ID)
	return in
}

// DemandFromTask pre-fills a demand from a rectification task: the
// problem the inspection found, consulting by default (the enterprise
// picks the category), the task as the source.
func DemandFromTask(t *Task, in DemandInput) DemandInput {
	in.Title = truncateRunes("整改："+t.Point, 100)
	in.Category = "consulting"
	in.Description = truncateRunes("自查发现的问题（"+t.Code+"）："+t.Point+"\n"+t.Note, 5000)
	in.Source = fmt.Sprintf("task:%d", t.ID)
	return in
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// ProviderBase is the part of a provider's score that no demand changes —
// results, ratings, grade and serving every town — as MatchDemand counts
// it; the store keeps it beside each category a provider lists, to walk
// the candidates best first. A provider that matches nothing (not
// verified, graded red) gets UnmatchedBase, so that it comes last.
func ProviderBase(p *Provider) int {
	if p.Status != ProviderVerified || p.Grade == "red" {
		return UnmatchedBase
	}
	m, _ := MatchDemand(&Demand{DemandInput: DemandInput{Category: "other", OpenTo: "all"}}, "", -1,
		&Provider{ID: p.ID, Status: p.Status, Grade: p.Grade, Ratings: p.Ratings, Rating: p.Rating, Cases: p.Cases, DealsDone: p.DealsDone,
			ProviderInput: ProviderInput{Categories: []string{"other"}, RegionIDs: p.RegionIDs}}, "")
	return m.Score - pointsCategory
}

// UnmatchedBase is the base of providers no demand matches.
const UnmatchedBase = -1000

// MaxScore is the highest score a provider of base can reach on d: its
// base and every point the demand could give.
func MaxScore(d *Demand, base int) int {
	s := base + pointsCategory + pointsPollutant*min(2, len(d.Pollutants)) + pointsIndustry + pointsTown
	if _, needs := LicensedCategories[d.Category]; needs {
		s += pointsLicence
	}
	return s
}

// QuickScore is MatchDemand's score for a provider that can take the
// demand, from the provider's base (ProviderBase) and its pollutant,
// industry and town lists as the store keeps them (",a,b,"), without
// building the provider: the store ranks tens of thousands of candidates
// with it and explains the best with MatchDemand. licensed says the
// provider holds the licence the category needs, when it needs one.
func QuickScore(d *Demand, industry string, town int64, base int, pollutants, industries, towns string, licensed bool) int {
	s := base + pointsCategory
	shared := 0
	for _, x := range d.Pollutants {
		if listHas(pollutants, x) {
			shared++
		}
	}
	s += pointsPollutant * min(2, shared)
	for i := 1; i <= len(industry); i++ {
		if listHas(industries, industry[:i]) {
			s += pointsIndustry
			break
		}
	}
	if len(towns) > 2 && listHas(towns, strconv.FormatInt(town, 10)) {
		s += pointsTown
	}
	if _, needs := LicensedCategories[d.Category]; needs && licensed {
		s += pointsLicence
	}
	return s
}

// listHas says whether a ",a,b," list holds v.
func listHas(list, v string) bool {
	i := strings.Index(list, v)
	for i >= 0 {
		if i > 0 && list[i-1] == ',' && i+len(v) < len(list) && list[i+len(v)] == ',' {
			return true
		}
		j := strings.Index(list[i+1:], v)
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// Review is an enterprise's rating of a provider's completed deal, as the
// provider's page shows it (the deal's title, not the enterprise).
type Review struct {
	Title     string    `json:"title"`
	Score     int       `json:"score"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"created_at"`
}
