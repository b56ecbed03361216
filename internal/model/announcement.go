package model

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// Announcement kinds: a study notice presents a set of articles (its
// citations) and carries the quiz on them.
var AnnouncementKinds = []string{"policy", "rule_change", "warning", "event", "study"}

// Audience says whom an announcement reaches: accounts of the roles (all
// but the bureau's when empty), and of enterprises in the towns, with an
// industry code under one of the prefixes, on one of the key-unit lists
// and of one of the permit classes; an empty list does not narrow. The
// enterprise conditions leave out accounts that are not an enterprise's.
type Audience struct {
	Roles            []Role   `json:"roles"`
	RegionIDs        []int64  `json:"region_ids"`
	IndustryPrefixes []string `json:"industry_prefixes"`
	KeyLists         []string `json:"key_lists"`
	PermitClasses    []string `json:"permit_classes"`
}

// EnterpriseOnly says whether the audience names enterprise conditions.
func (a Audience) EnterpriseOnly() bool {
	return len(a.IndustryPrefixes) > 0 || len(a.KeyLists) > 0 || len(a.PermitClasses) > 0
}

var industryPrefix = regexp.MustCompile(`^[A-T][0-9]{0,4}$`)

// Validate checks an audience after normalising its prefixes.
func (a *Audience) Validate(v Validation) {
	for _, r := range a.Roles {
		if !slices.Contains([]Role{RoleEnterprise, RoleAssociation, RoleLecturer, RoleProvider}, r) {
			v.Add("audience.roles", "err.field.choice")
		}
	}
	for i, p := range a.IndustryPrefixes {
		a.IndustryPrefixes[i] = strings.ToUpper(strings.TrimSpace(FoldWidth(p)))
		if !industryPrefix.MatchString(a.IndustryPrefixes[i]) {
			v.Add("audience.industry_prefixes", "err.field.industry_code")
		}
	}
	for _, l := range a.KeyLists {
		if !slices.Contains(KeyLists, l) {
			v.Add("audience.key_lists", "err.field.choice")
		}
	}
	for _, c := range a.PermitClasses {
		if !slices.Contains(PermitClasses, c) {
			v.Add("audience.permit_classes", "err.field.choice")
		}
	}
	if len(a.RegionIDs) > 50 || len(a.IndustryPrefixes) > 20 {
		v.Add("audience", "err.field.too_many")
	}
}

// AnnouncementInput is what an announcement is published from.
type AnnouncementInput struct {
	Kind     string       `json:"kind"`
	Title    string       `json:"title"`
	Body     string       `json:"body"` // plain text, shown as text
	Audience Audience     `json:"audience"`
	Cites    []ArticleRef `json:"article_ids"`
}

// Validate checks an input.
func (in *AnnouncementInput) Validate() error {
	v := Validation{}
	in.Title = strings.TrimSpace(in.Title)
	requiredText(v, "title", in.Title, 100)
	multiLineText(v, "body", &in.Body, 10000)
	if in.Body == "" {
		v.Add("body", "err.field.required")
	}
	if in.Kind == "" {
		in.Kind = "policy"
	}
	if !slices.Contains(AnnouncementKinds, in.Kind) {
		v.Add("kind", "err.field.choice")
	}
	in.Audience.Validate(v)
	if err := ValidRefs(in.Cites); err != "" {
		v.Add("article_ids", err)
	}
	return v.Err()
}

// Announcement is a published notice with its reach.
type Announcement struct {
	ID          int64        `json:"id"`
	Kind        string       `json:"kind"`
	Title       string       `json:"title"`
	Body        string       `json:"body"`
	Audience    Audience     `json:"audience"`
	Cites       []ArticleRef `json:"article_ids"`
	Publisher   string       `json:"publisher"`
	RegionID    *int64       `json:"region_id"` // an association's town
	PublishedAt time.Time    `json:"published_at"`
	Recipients  int          `json:"recipients"`
	Read        int          `json:"read"`
	// ReadAt is when the asking account opened it (nil: not yet).
	ReadAt *time.Time `json:"read_at"`
}

// Reach is how many an audience matches before publishing.
type Reach struct {
	Accounts    int `json:"accounts"`
	Enterprises int `json:"enterprises"`
}

// Receipt is one reader of an announcement: an enterprise's accounts
// together, or an account that is not an enterprise's.
type Receipt struct {
	EnterpriseID   *int64     `json:"enterprise_id"`
	Name           string     `json:"name"`
	RegionName     string     `json:"region_name"`
	Accounts       int        `json:"accounts"`
	Read           int        `json:"read"`
	FirstReadAt    *time.Time `json:"first_read_at"`
	LastRemindedAt *time.Time `json:"last_reminded_at"`
}

// MayPublish says whether the actor publishes announcements: the bureau
// (any audience) and an association (its town's).
func (a Actor) MayPublish() bool {
	return a.User != nil && (a.User.Role == RoleAdmin || (a.User.Role == RoleAssociation && a.User.RegionID != nil))
}
