package model

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Checklist scopes: who publishes it and whom it binds.
const (
	ChecklistCounty     = "county"     // the bureau's, for every enterprise it applies to
	ChecklistTown       = "town"       // an association's, for its town's enterprises
	ChecklistEnterprise = "enterprise" // an enterprise's own extra items
)

// Checklist statuses. A published version never changes: editing it makes
// a new draft version of the same family, and inspections keep the version
// they were done against.
const (
	ChecklistDraft     = "draft"
	ChecklistPublished = "published"
	ChecklistRetired   = "retired" // a newer version was published
)

// Inspection methods and item severities.
var (
	CheckMethods     = []string{"look", "records", "measure", "photo"}
	CheckSeverities  = []string{"minor", "major", "critical"}
	checkCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,3}(\.[0-9]{1,3})?$`)
)

// ChecklistItem is one point to check.
type ChecklistItem struct {
	Code          string `json:"code"`     // unique in the checklist, e.g. D4
	Point         string `json:"point"`    // what to check
	Standard      string `json:"standard"` // what "ok" means
	Basis         string `json:"basis"`    // the legal basis, as text
	Method        string `json:"method"`   // look | records | measure | photo
	Severity      string `json:"severity"` // minor | major | critical
	Weight        int    `json:"weight"`   // points, 1–10
	PhotoRequired bool   `json:"photo_required"`
	// Cites are the law library's articles the item checks.
	Cites []ArticleRef `json:"cites,omitempty"`
}

// ChecklistSection groups items.
type ChecklistSection struct {
	Title string          `json:"title"`
	Items []ChecklistItem `json:"items"`
}

// ChecklistApplies says which enterprises a checklist binds; an empty list
// does not narrow. An enterprise must match every non-empty list.
type ChecklistApplies struct {
	PermitClasses    []string `json:"permit_classes"`
	IndustryPrefixes []string `json:"industry_prefixes"`
	KeyLists         []string `json:"key_lists"` // on any of these
}

// Checklist is one version of a checklist.
type Checklist struct {
	ID           int64              `json:"id"`
	FamilyID     int64              `json:"family_id"` // the first version's id, shared by all versions
	Version      int                `json:"version"`
	Scope        string             `json:"scope"`
	RegionID     *int64             `json:"region_id"`
	EnterpriseID *int64             `json:"enterprise_id"`
	Title        string             `json:"title"`
	Sections     []ChecklistSection `json:"sections"`
	AppliesTo    ChecklistApplies   `json:"applies_to"`
	Status       string             `json:"status"`
	PublishedAt  *time.Time         `json:"published_at"`
	CreatedAt    time.Time          `json:"created_at"`
	UpdatedAt    time.Time          `json:"updated_at"`
	Can          *ChecklistRights   `json:"can,omitempty"`
}

// ChecklistInput is what a checklist is made or changed from.
type ChecklistInput struct {
	Title     string             `json:"title"`
	Sections  []ChecklistSection `json:"sections"`
	AppliesTo ChecklistApplies   `json:"applies_to"`
	// EnterpriseID: an enterprise's own checklist (its account may omit it).
	EnterpriseID *int64 `json:"enterprise_id"`
}

// Items lists every item in order.
func (c *Checklist) Items() []ChecklistItem {
	var out []ChecklistItem
	for _, s := range c.Sections {
		out = append(out, s.Items...)
	}
	return out
}

// Item finds an item by code.
func (c *Checklist) Item(code string) (ChecklistItem, bool) {
	for _, s := range c.Sections {
		for _, it := range s.Items {
			if it.Code == code {
				return it, true
			}
		}
	}
	return ChecklistItem{}, false
}

// MaxScore is the sum of the items' weights.
func (c *Checklist) MaxScore() int {
	n := 0
	for _, it := range c.Items() {
		n += it.Weight
	}
	return n
}

// Binds reports whether the checklist applies to the enterprise.
func (c *Checklist) Binds(e *Enterprise) bool {
	a := c.AppliesTo
	if c.Scope == ChecklistEnterprise && (c.EnterpriseID == nil || *c.EnterpriseID != e.ID) {
		return false
	}
	if c.Scope == ChecklistTown && (c.RegionID == nil || *c.RegionID != e.RegionID) {
		return false
	}
	if len(a.PermitClasses) > 0 && !slices.Contains(a.PermitClasses, e.PermitClass) {
		return false
	}
	if len(a.IndustryPrefixes) > 0 && !slices.ContainsFunc(a.IndustryPrefixes, func(p string) bool { return strings.HasPrefix(e.IndustryCode, p) }) {
		return false
	}
	if len(a.KeyLists) > 0 && !slices.ContainsFunc(a.KeyLists, func(l string) bool { return slices.Contains(e.KeyLists, l) }) {
		return false
	}
	return true
}

// Normalize tidies an input.
func (in *ChecklistInput) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	for i := range in.Sections {
		s := &in.Sections[i]
		s.Title = strings.TrimSpace(s.Title)
		for j := range s.Items {
			it := &s.Items[j]
			it.Code = strings.ToUpper(strings.TrimSpace(FoldWidth(it.Code)))
			it.Point = strings.TrimSpace(it.Point)
			it.Standard = strings.TrimSpace(it.Standard)
			it.Basis = strings.TrimSpace(it.Basis)
			if it.Method == "" {
				it.Method = "look"
			}
			if it.Severity == "" {
				it.Severity = "minor"
			}
			if it.Weight == 0 {
				it.Weight = 1
			}
		}
	}
	for i, p := range in.AppliesTo.IndustryPrefixes {
		in.AppliesTo.IndustryPrefixes[i] = strings.ToUpper(strings.TrimSpace(FoldWidth(p)))
	}
}

// Validate checks an input after Normalize. Field names of items say
// where: sections.1.items.3.code.
func (in *ChecklistInput) Validate() error {
	v := Validation{}
	requiredText(v, "title", in.Title, 100)
	if len(in.Sections) == 0 {
		v.Add("sections", "err.field.required")
	}
	if len(in.Sections) > 30 {
		v.Add("sections", "err.field.too_many")
	}
	codes := map[string]bool{}
	items := 0
	for i, s := range in.Sections {
		at := "sections." + strconv.Itoa(i)
		requiredText(v, at+".title", s.Title, 60)
		if len(s.Items) == 0 {
			v.Add(at+".items", "err.field.required")
		}
		for j, it := range s.Items {
			items++
			f := at + ".items." + strconv.Itoa(j) + "."
			switch {
			case !checkCodePattern.MatchString(it.Code):
				v.Add(f+"code", "err.field.check_code")
			case codes[it.Code]:
				v.Add(f+"code", "err.field.check_code_taken")
			}
			codes[it.Code] = true
			requiredText(v, f+"point", it.Point, 200)
			optionalText(v, f+"standard", &in.Sections[i].Items[j].Standard, 500)
			optionalText(v, f+"basis", &in.Sections[i].Items[j].Basis, 200)
			if !slices.Contains(CheckMethods, it.Method) {
				v.Add(f+"method", "err.field.choice")
			}
			if err := ValidRefs(it.Cites); err != "" {
				v.Add(f+"cites", err)
			}
			if !slices.Contains(CheckSeverities, it.Severity) {
				v.Add(f+"severity", "err.field.choice")
			}
			if it.Weight < 1 || it.Weight > 10 {
				v.Add(f+"weight", "err.field.weight")
			}
		}
	}
	if items > 300 {
		v.Add("sections", "err.field.too_many")
	}
	for _, p := range in.AppliesTo.PermitClasses {
		if !slices.Contains(PermitClasses, p) {
			v.Add("applies_to.permit_classes", "err.field.choice")
		}
	}
	for _, p := range in.AppliesTo.IndustryPrefixes {
		if !regexp.MustCompile(`^[A-T][0-9]{0,4}$`).MatchString(p) {
			v.Add("applies_to.industry_prefixes", "err.field.industry_code")
		}
	}
	for _, l := range in.AppliesTo.KeyLists {
		if !slices.Contains(KeyLists, l) {
			v.Add("applies_to.key_lists", "err.field.choice")
		}
	}
	return v.Err()
}

// ChecklistRights are what the actor may do next with a checklist.
type ChecklistRights struct {
	Edit    bool `json:"edit"`    // change the draft, or start a new version of a published one
	Publish bool `json:"publish"` // freeze this draft as the version in force
}

// ChecklistOwner reports whether the actor authors checklists of the
// scope: the bureau the county's, an association its town's, an
// enterprise its own.
func (a Actor) ChecklistOwner(c *Checklist) bool {
	if a.User == nil {
		return a.IsAdmin() // the system (demo data, commands)
	}
	switch c.Scope {
	case ChecklistCounty:
		return a.IsAdmin()
	case ChecklistTown:
		return a.User.Role == RoleAssociation && c.RegionID != nil && a.CanManageRegion(*c.RegionID)
	case ChecklistEnterprise:
		return c.EnterpriseID != nil && a.Scope().EnterpriseID == *c.EnterpriseID
	}
	return false
}

// Rights computes a checklist's rights for an actor who can see it.
func (c *Checklist) Rights(a Actor) *ChecklistRights {
	own := a.ChecklistOwner(c)
	return &ChecklistRights{Edit: own && c.Status != ChecklistRetired, Publish: own && c.Status == ChecklistDraft}
}
