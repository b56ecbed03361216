package model

import (
	"slices"
	"strings"
	"time"
)

// Service categories of the through train (环保+ 直通车): what a provider
// offers and what a demand asks for.
var ServiceCategories = []string{"wastewater", "waste_gas", "soil", "solid_waste", "noise", "monitoring", "consulting", "other"}

// LicenceKinds are the licences a provider declares. A category in
// LicensedCategories needs a valid licence of its kind: a provider whose
// licence has lapsed is left out of that category's matches until renewed.
var (
	LicenceKinds       = []string{"hazardous_waste_operation", "cma_monitoring", "environmental_engineering", "other"}
	LicensedCategories = map[string]string{"solid_waste": "hazardous_waste_operation", "monitoring": "cma_monitoring"}
)

// Credit grades the bureau gives providers, best first (Zhejiang's
// third-party provider rating); a red provider is left out of matches.
var CreditGrades = []string{"green", "blue", "yellow", "red"}

// Provider statuses: a provider quotes once the bureau verified it.
const (
	ProviderPending  = "pending"
	ProviderVerified = "verified"
)

// LicenceExpiryNotice is how long before a licence lapses its provider is
// told.
const LicenceExpiryNotice = 60

// Licence is a provider's licence with its validity.
type Licence struct {
	Kind       string `json:"kind"`
	Number     string `json:"number"`
	ValidUntil Date   `json:"valid_until"`
	// Valid is whether it is in force today (set when read).
	Valid bool `json:"valid"`
}

// ProviderInput is what a provider's organisation is registered or
// changed with.
type ProviderInput struct {
	USCC         string    `json:"uscc"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	Categories   []string  `json:"categories"`
	Pollutants   []string  `json:"pollutants"`
	Industries   []string  `json:"industries"` // industry-code prefixes it has experience in
	RegionIDs    []int64   `json:"region_ids"` // towns served; none: the whole county
	Licences     []Licence `json:"licences"`
	ContactName  string    `json:"contact_name"`
	ContactPhone string    `json:"contact_phone"`
	ContactEmail string    `json:"contact_email"`
}

// Validate tidies and checks an input.
func (in *ProviderInput) Validate() error {
	v := Validation{}
	in.USCC = NormalizeUSCC(in.USCC)
	if in.USCC == "" {
		v.Add("uscc", "err.field.required")
	} else if !ValidUSCC(in.USCC) {
		v.Add("uscc", "err.field.uscc")
	}
	in.Name = strings.TrimSpace(in.Name)
	requiredText(v, "name", in.Name, 100)
	multiLineText(v, "description", &in.Description, 2000)
	in.Categories = Choices(in.Categories, ServiceCategories)
	if len(in.Categories) == 0 {
		v.Add("categories", "err.field.required")
	}
	for _, c := range in.Categories {
		if !slices.Contains(ServiceCategories, c) {
			v.Add("categories", "err.field.choice")
		}
	}
	in.Pollutants = Choices(in.Pollutants, Pollutants)
	for _, p := range in.Pollutants {
		if !slices.Contains(Pollutants, p) {
			v.Add("pollutants", "err.field.choice")
		}
	}
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
	slices.Sort(in.RegionIDs)
	in.RegionIDs = slices.Compact(in.RegionIDs)
	if in.RegionIDs == nil {
		in.RegionIDs = []int64{}
	}
	if in.Licences == nil {
		in.Licences = []Licence{}
	}
	if len(inds) > 20 || len(in.RegionIDs) > 50 || len(in.Licences) > 10 {
		v.Add("licences", "err.field.too_many")
	}
	for i := range in.Licences {
		l := &in.Licences[i]
		l.Number = strings.ToUpper(strings.TrimSpace(FoldWidth(l.Number)))
		if !slices.Contains(LicenceKinds, l.Kind) {
			v.Add("licences", "err.field.choice")
		}
		if l.Number == "" || len([]rune(l.Number)) > 40 || !PlainText(l.Number, false) {
			v.Add("licences", "err.provider.licence_number")
		}
		if !l.ValidUntil.Valid() {
			v.Add("licences", "err.field.date")
		}
	}
	in.ContactName = strings.TrimSpace(in.ContactName)
	requiredText(v, "contact_name", in.ContactName, 32)
	in.ContactPhone = NormalizePhone(in.ContactPhone)
	if !ValidPhone(in.ContactPhone) {
		v.Add("contact_phone", "err.field.phone")
	}
	in.ContactEmail = strings.TrimSpace(in.ContactEmail)
	if ch := (&NoticeChannels{Email: in.ContactEmail}); in.ContactEmail != "" && ch.Validate() != nil {
		v.Add("contact_email", "err.field.email")
	}
	return v.Err()
}

// Provider is an environmental service provider's organisation.
type Provider struct {
	ID int64 `json:"id"`
	ProviderInput
	Status      string     `json:"status"`
	VerifiedAt  *time.Time `json:"verified_at"`
	Grade       string     `json:"grade"` // "" until the bureau grades it
	GradeReason string     `json:"grade_reason"`
	Ratings     int        `json:"ratings"`
	Rating      float64    `json:"rating"` // mean of the ratings, 0 without
	DealsDone   int        `json:"deals_done"`
	Cases       int        `json:"cases"` // published technology cases naming it
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// Can is what the asking account may do with the provider.
	Can ProviderRights `json:"can"`
}

// ProviderRights are the asking account's rights on a provider.
type ProviderRights struct {
	Edit   bool `json:"edit"`   // its own accounts
	Verify bool `json:"verify"` // the bureau, without a conflict of interest
	Grade  bool `json:"grade"`
}

// Serves says whether the provider offers a category now: it lists it and,
// where the category needs a licence, holds one in force on day today.
func (p *Provider) Serves(category string, today Date) bool {
	if !slices.Contains(p.Categories, category) {
		return false
	}
	kind, needs := LicensedCategories[category]
	return !needs || slices.ContainsFunc(p.Licences, func(l Licence) bool { return l.Kind == kind && l.ValidUntil >= today })
}

// ProviderGrade is the bureau's credit grade with its reason.
type ProviderGrade struct {
	Grade  string `json:"grade"`
	Reason string `json:"reason"`
}

// Validate checks a grade: every grade says why.
func (g *ProviderGrade) Validate() error {
	v := Validation{}
	if !slices.Contains(CreditGrades, g.Grade) {
		v.Add("grade", "err.field.choice")
	}
	multiLineText(v, "reason", &g.Reason, 500)
	if g.Reason == "" {
		v.Add("reason", "err.field.required")
	}
	return v.Err()
}

// publicMailDomains are the free mail services: sharing one says nothing
// about whom an account works for.
var publicMailDomains = []string{"qq.com", "163.com", "126.com", "sina.com", "sohu.com", "aliyun.com", "139.com", "189.cn", "foxmail.com",
	"gmail.com", "outlook.com", "hotmail.com", "yeah.net", "example.com"}

// MailDomain is the part after @ of an address that names an
// organisation, "" for a free mail service or no address.
func MailDomain(email string) string {
	_, d, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok || d == "" || slices.Contains(publicMailDomains, d) {
		return ""
	}
	return d
}
