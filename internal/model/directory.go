package model

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Region kinds.
const (
	RegionCounty = "county"
	RegionTown   = "town"
	RegionStreet = "street"
)

// Region is the county or one of its towns and streets.
type Region struct {
	ID       int64  `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	ParentID *int64 `json:"parent_id"`
	Kind     string `json:"kind"`
}

var regionCode = regexp.MustCompile(`^[0-9]{6}([0-9]{3}){0,2}$`)

// Validate checks a new region; the kind follows from the name when empty.
func (r *Region) Validate() error {
	v := Validation{}
	r.Code, r.Name = strings.TrimSpace(r.Code), strings.TrimSpace(r.Name)
	if !regionCode.MatchString(r.Code) {
		v.Add("code", "err.field.region_code")
	}
	requiredText(v, "name", r.Name, 32)
	if r.Kind == "" {
		switch {
		case r.ParentID == nil:
			r.Kind = RegionCounty
		case strings.HasSuffix(r.Name, "街道"):
			r.Kind = RegionStreet
		default:
			r.Kind = RegionTown
		}
	}
	if r.Kind != RegionCounty && r.Kind != RegionTown && r.Kind != RegionStreet {
		v.Add("kind", "err.field.choice")
	}
	return v.Err()
}

// Association is a town's environmental protection association.
type Association struct {
	ID           int64  `json:"id"`
	RegionID     int64  `json:"region_id"`
	Name         string `json:"name"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
	Address      string `json:"address"`
}

// Validate checks an association.
func (a *Association) Validate() error {
	v := Validation{}
	a.Name = strings.TrimSpace(a.Name)
	requiredText(v, "name", a.Name, 64)
	if a.RegionID <= 0 {
		v.Add("region_id", "err.field.required")
	}
	optionalText(v, "contact_name", &a.ContactName, 32)
	optionalPhone(v, "contact_phone", &a.ContactPhone)
	optionalText(v, "address", &a.Address, 128)
	return v.Err()
}

// Room is a classroom of a Home.
type Room struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Seats int    `json:"seats"`
}

// Home is a "Home for Environmental Managers", a venue for classes.
type Home struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	RegionID     int64  `json:"region_id"`
	Address      string `json:"address"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
	OpeningHours string `json:"opening_hours"`
	Rooms        []Room `json:"rooms"`
	// Photo is the stored photo's file name; PhotoURL where to fetch it.
	Photo    string `json:"-"`
	PhotoURL string `json:"photo_url,omitempty"`
}

// Validate checks a Home and its rooms.
func (h *Home) Validate() error {
	v := Validation{}
	h.Name = strings.TrimSpace(h.Name)
	requiredText(v, "name", h.Name, 64)
	if h.RegionID <= 0 {
		v.Add("region_id", "err.field.required")
	}
	optionalText(v, "address", &h.Address, 128)
	optionalText(v, "contact_name", &h.ContactName, 32)
	optionalPhone(v, "contact_phone", &h.ContactPhone)
	optionalText(v, "opening_hours", &h.OpeningHours, 64)
	seen := map[string]bool{}
	for i := range h.Rooms {
		r := &h.Rooms[i]
		r.Name = strings.TrimSpace(r.Name)
		if r.Name == "" || utf8.RuneCountInString(r.Name) > 32 || seen[r.Name] {
			v.Add("rooms", "err.field.rooms")
		}
		seen[r.Name] = true
		if r.Seats < 1 || r.Seats > 1000 {
			v.Add("rooms", "err.field.rooms")
		}
	}
	return v.Err()
}

// Enterprise kinds, permit classes, key-unit lists and statuses.
const (
	KindCompany = "company"
	KindShop    = "shop"

	PermitKey          = "key"
	PermitSimplified   = "simplified"
	PermitRegistration = "registration"

	StatusActive = "active"
	StatusClosed = "closed"
)

// EnterpriseKinds, PermitClasses and KeyLists list the allowed values in
// display order.
var (
	EnterpriseKinds = []string{KindCompany, KindShop}
	PermitClasses   = []string{PermitKey, PermitSimplified, PermitRegistration}
	KeyLists        = []string{"water", "groundwater", "air", "noise", "soil", "risk"}
	// Pollutants are an enterprise's main pollutants and what a technology
	// case (or a demand) treats: one word each, so matching is exact.
	Pollutants = []string{"cod", "ammonia", "phosphorus", "nitrogen", "heavy_metals", "so2", "nox", "particulates", "vocs",
		"odour", "hazardous_waste", "solid_waste", "noise"}
	EnterpriseStatues = []string{StatusActive, StatusClosed}
)

// Enterprise is a regulated company or shop.
type Enterprise struct {
	ID            int64     `json:"id"`
	USCC          string    `json:"uscc"`
	Name          string    `json:"name"`
	Kind          string    `json:"kind"`
	RegionID      int64     `json:"region_id"`
	Address       string    `json:"address"`
	IndustryCode  string    `json:"industry_code"`
	LegalRep      string    `json:"legal_representative"`
	ContactName   string    `json:"contact_name"`
	ContactPhone  string    `json:"contact_phone"`
	PermitNo      string    `json:"permit_no"`
	PermitClass   string    `json:"permit_class"`
	PermitValidTo Date      `json:"permit_valid_until"`
	KeyLists      []string  `json:"key_lists"`
	Pollutants    []string  `json:"pollutants"`
	AssociationID *int64    `json:"association_id"`
	Status        string    `json:"status"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	RegionName    string    `json:"region_name,omitempty"`
	ManagerCount  int       `json:"manager_count"`
	SearchText    string    `json:"-"`
	// Color is the compliance colour as last computed ("" never).
	Color string `json:"color,omitempty"`
	// Can is what the asking actor may do next with the enterprise.
	Can *EnterpriseRights `json:"can,omitempty"`
}

var industryCode = regexp.MustCompile(`^[A-T]([0-9]{2}){1,2}$|^[A-T][0-9]{3}$`)

// Normalize tidies what comes from forms and spreadsheets: trimmed text,
// upper-case codes, full-width characters folded.
func (e *Enterprise) Normalize() {
	e.USCC = NormalizeUSCC(e.USCC)
	e.Name = strings.TrimSpace(e.Name) // as written: full-width brackets are the name's own
	e.IndustryCode = strings.ToUpper(strings.TrimSpace(FoldWidth(e.IndustryCode)))
	e.PermitNo = strings.ToUpper(strings.TrimSpace(FoldWidth(e.PermitNo)))
	e.ContactPhone = NormalizePhone(e.ContactPhone)
	if e.Kind == "" {
		e.Kind = KindCompany
	}
	if e.Status == "" {
		e.Status = StatusActive
	}
	e.KeyLists = Choices(e.KeyLists, KeyLists)
	e.Pollutants = Choices(e.Pollutants, Pollutants)
}

// Choices tidies a multi-valued field: trimmed, once each, in the order of
// the allowed values (unknown ones last, for validation to name).
func Choices(in, allowed []string) []string {
	out := []string{}
	for _, l := range in {
		l = strings.TrimSpace(l)
		if l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	rank := func(x string) int {
		if i := slices.Index(allowed, x); i >= 0 {
			return i
		}
		return len(allowed)
	}
	slices.SortStableFunc(out, func(a, b string) int { return rank(a) - rank(b) })
	return out
}

// Validate checks an enterprise after Normalize.
func (e *Enterprise) Validate() error {
	v := Validation{}
	if e.USCC == "" {
		v.Add("uscc", "err.field.required")
	} else if !ValidUSCC(e.USCC) {
		v.Add("uscc", "err.field.uscc")
	}
	requiredText(v, "name", e.Name, 100)
	if !slices.Contains(EnterpriseKinds, e.Kind) {
		v.Add("kind", "err.field.choice")
	}
	if e.RegionID <= 0 {
		v.Add("region_id", "err.field.required")
	}
	multiLineText(v, "address", &e.Address, 128) // a cell may hold the address over two lines
	if e.IndustryCode != "" && !industryCode.MatchString(e.IndustryCode) {
		v.Add("industry_code", "err.field.industry_code")
	}
	optionalText(v, "legal_representative", &e.LegalRep, 32)
	optionalText(v, "contact_name", &e.ContactName, 32)
	if e.ContactPhone != "" && !ValidPhone(e.ContactPhone) {
		v.Add("contact_phone", "err.field.phone")
	}
	optionalText(v, "permit_no", &e.PermitNo, 40)
	if e.PermitClass != "" && !slices.Contains(PermitClasses, e.PermitClass) {
		v.Add("permit_class", "err.field.choice")
	}
	if e.PermitValidTo != "" && !e.PermitValidTo.Valid() {
		v.Add("permit_valid_until", "err.field.date")
	}
	for _, l := range e.KeyLists {
		if !slices.Contains(KeyLists, l) {
			v.Add("key_lists", "err.field.choice")
		}
	}
	for _, l := range e.Pollutants {
		if !slices.Contains(Pollutants, l) {
			v.Add("pollutants", "err.field.choice")
		}
	}
	if !slices.Contains(EnterpriseStatues, e.Status) {
		v.Add("status", "err.field.choice")
	}
	return v.Err()
}

// EnterprisePatch changes an enterprise; nil fields stay. The credit code
// never changes: a new code is a new enterprise.
type EnterprisePatch struct {
	Name          *string   `json:"name"`
	Kind          *string   `json:"kind"`
	RegionID      *int64    `json:"region_id"`
	Address       *string   `json:"address"`
	IndustryCode  *string   `json:"industry_code"`
	LegalRep      *string   `json:"legal_representative"`
	ContactName   *string   `json:"contact_name"`
	ContactPhone  *string   `json:"contact_phone"`
	PermitNo      *string   `json:"permit_no"`
	PermitClass   *string   `json:"permit_class"`
	PermitValidTo *Date     `json:"permit_valid_until"`
	KeyLists      *[]string `json:"key_lists"`
	Pollutants    *[]string `json:"pollutants"`
	AssociationID *int64    `json:"association_id"`
	Status        *string   `json:"status"`
}

// Apply copies the set fields onto e.
func (p *EnterprisePatch) Apply(e *Enterprise) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&e.Name, p.Name)
	set(&e.Kind, p.Kind)
	set(&e.Address, p.Address)
	set(&e.IndustryCode, p.IndustryCode)
	set(&e.LegalRep, p.LegalRep)
	set(&e.ContactName, p.ContactName)
	set(&e.ContactPhone, p.ContactPhone)
	set(&e.PermitNo, p.PermitNo)
	set(&e.PermitClass, p.PermitClass)
	set(&e.Status, p.Status)
	if p.RegionID != nil {
		e.RegionID = *p.RegionID
	}
	if p.PermitValidTo != nil {
		e.PermitValidTo = *p.PermitValidTo
	}
	if p.KeyLists != nil {
		e.KeyLists = *p.KeyLists
	}
	if p.Pollutants != nil {
		e.Pollutants = *p.Pollutants
	}
	if p.AssociationID != nil {
		e.AssociationID = p.AssociationID
		if *p.AssociationID == 0 {
			e.AssociationID = nil
		}
	}
}

// EnterpriseFilter narrows the enterprise list; empty fields do not filter.
type EnterpriseFilter struct {
	Query         string // name, credit code or manager name; Chinese substrings work
	USCC          string
	RegionID      int64
	Kind          string
	Industry      string // code prefix, e.g. C39
	KeyList       string
	PermitClass   string
	ManagerStatus string
	// NoManager keeps enterprises with no manager on record.
	NoManager bool
	Color     string // compliance colour
	Page
}

// ParseEnterpriseFilter reads the list's query parameters.
func ParseEnterpriseFilter(q interface{ Get(string) string }) (EnterpriseFilter, error) {
	v := Validation{}
	p, err := ParsePage(q.Get("limit"), q.Get("cursor"))
	if err != nil {
		for k, m := range err.(*Error).Fields {
			v.Add(k, m)
		}
	}
	f := EnterpriseFilter{Page: p}
	f.Query = strings.TrimSpace(FoldWidth(q.Get("q")))
	if utf8.RuneCountInString(f.Query) > 50 {
		v.Add("q", "err.field.too_long")
	}
	if s := strings.TrimSpace(q.Get("uscc")); s != "" {
		f.USCC = NormalizeUSCC(s)
	}
	if s := q.Get("region_id"); s != "" {
		if id := parseID(v, "region_id", s); id != nil {
			f.RegionID = *id
		}
	}
	f.Kind = choice(v, "kind", q.Get("kind"), EnterpriseKinds)
	f.KeyList = choice(v, "key_list", q.Get("key_list"), KeyLists)
	f.PermitClass = choice(v, "permit_class", q.Get("permit_class"), PermitClasses)
	f.ManagerStatus = choice(v, "manager_status", q.Get("manager_status"), ManagerStatuses)
	f.NoManager = choice(v, "manager", q.Get("manager"), []string{"none"}) == "none"
	f.Color = choice(v, "color", q.Get("color"), []string{Green, Yellow, Red})
	if s := strings.ToUpper(strings.TrimSpace(q.Get("industry"))); s != "" {
		if !regexp.MustCompile(`^[A-T][0-9]{0,4}$`).MatchString(s) {
			v.Add("industry", "err.field.industry_code")
		}
		f.Industry = s
	}
	return f, v.Err()
}

func choice(v Validation, field, s string, allowed []string) string {
	s = strings.TrimSpace(s)
	if s != "" && !slices.Contains(allowed, s) {
		v.Add(field, "err.field.choice")
		return ""
	}
	return s
}

// Manager roles and statuses.
const (
	ManagerAdministrator = "administrator"
	ManagerChiefOfficer  = "chief_officer"

	ManagerActive    = "active"
	ManagerSuspended = "suspended"
	ManagerRevoked   = "revoked"
)

var (
	ManagerRoles    = []string{ManagerAdministrator, ManagerChiefOfficer}
	ManagerStatuses = []string{ManagerActive, ManagerSuspended, ManagerRevoked}
)

// Manager is an environmental manager's appointment at one enterprise. One
// person (known by mobile number) can serve several enterprises.
type Manager struct {
	ID             int64     `json:"id"`
	EnterpriseID   int64     `json:"enterprise_id"`
	PersonID       int64     `json:"person_id"`
	Name           string    `json:"name"`
	Mobile         string    `json:"mobile"`
	IDCard         string    `json:"id_card,omitempty"` // masked when shown
	Role           string    `json:"role"`
	AppointedOn    Date      `json:"appointed_on"`
	AppointmentDoc string    `json:"appointment_doc"`
	CertNo         string    `json:"cert_no"`
	CertIssuedOn   Date      `json:"cert_issued_on"`
	CertExpiresOn  Date      `json:"cert_expires_on"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	EnterpriseName string    `json:"enterprise_name,omitempty"`
	RegionID       int64     `json:"-"`
	ClaimPersonID  int64     `json:"-"` // the person a pending claim names
	// Link is set while the manager's claim to be a person who serves
	// enterprises outside the adder's scope awaits a decision, or after it
	// was rejected; shown only to those who decide it (and the rejection to
	// everyone who sees the manager), so the adder cannot learn from it
	// whether a mobile is registered elsewhere.
	Link *ManagerLink `json:"link,omitempty"`
	// Can is what the asking actor may do next with the manager.
	Can *ManagerRights `json:"can,omitempty"`
}

// Link statuses of a manager's claim to be an existing person.
const (
	LinkPending  = "pending"
	LinkRejected = "rejected"
)

// Who decides a pending link: the association of the enterprise's town
// when an enterprise made the claim, the bureau when an association did.
const (
	LinkNeedsAssociation = "association"
	LinkNeedsBureau      = "bureau"
)

// ManagerLink is the state of a manager's claim to be an existing person.
type ManagerLink struct {
	Status      string     `json:"status"`
	Needs       string     `json:"needs"`
	Reason      string     `json:"reason"`
	RequestedBy string     `json:"requested_by"`
	DecidedAt   *time.Time `json:"decided_at"`
}

// CanDecideLink reports whether the actor decides the manager's pending
// claim: the bureau always, an association for its own town's enterprises
// when an enterprise made the claim.
func (a Actor) CanDecideLink(m *Manager) bool {
	if m.Link == nil || m.Link.Status != LinkPending {
		return false
	}
	if a.IsAdmin() {
		return true
	}
	return m.Link.Needs == LinkNeedsAssociation && a.User != nil && a.User.Role == RoleAssociation && a.CanManageRegion(m.RegionID)
}

// LinkRequest is a pending claim as its decider sees it: whether the
// claimed name and ID number match the registered person's, never the
// registered values themselves.
type LinkRequest struct {
	Manager *Manager `json:"manager"`
	// NameMatches: the claimed name is the registered one.
	NameMatches bool `json:"name_matches"`
	// IDCardMatches: both ID numbers are known and equal (true), differ
	// (false), or one is missing (null).
	IDCardMatches *bool `json:"id_card_matches"`
	// Enterprises the registered person serves.
	Enterprises int       `json:"enterprises"`
	RequestedAt time.Time `json:"requested_at"`
}

// LinkDecision confirms or rejects a pending claim; a rejection needs a
// reason, which the adder reads.
type LinkDecision struct {
	Confirm bool   `json:"confirm"`
	Reason  string `json:"reason"`
}

// Validate checks a decision.
func (d *LinkDecision) Validate() error {
	v := Validation{}
	d.Reason = strings.TrimSpace(d.Reason)
	if !d.Confirm && utf8.RuneCountInString(d.Reason) < 2 {
		v.Add("reason", "err.field.reason")
	}
	optionalText(v, "reason", &d.Reason, 200)
	return v.Err()
}

// Normalize tidies a manager from a form or spreadsheet.
func (m *Manager) Normalize() {
	m.Name = strings.TrimSpace(FoldWidth(m.Name))
	m.Mobile = NormalizePhone(m.Mobile)
	m.IDCard = strings.ToUpper(strings.TrimSpace(FoldWidth(m.IDCard)))
	m.CertNo = strings.TrimSpace(FoldWidth(m.CertNo))
	if m.Role == "" {
		m.Role = ManagerAdministrator
	}
	if m.Status == "" {
		m.Status = ManagerActive
	}
}

// Validate checks a manager after Normalize.
func (m *Manager) Validate() error {
	v := Validation{}
	requiredText(v, "name", m.Name, 32)
	if m.Mobile == "" {
		v.Add("mobile", "err.field.required")
	} else if !ValidMobile(m.Mobile) {
		v.Add("mobile", "err.field.mobile")
	}
	if m.IDCard != "" && !ValidIDCard(m.IDCard) {
		v.Add("id_card", "err.field.id_card")
	}
	if !slices.Contains(ManagerRoles, m.Role) {
		v.Add("role", "err.field.choice")
	}
	if !slices.Contains(ManagerStatuses, m.Status) {
		v.Add("status", "err.field.choice")
	}
	for f, d := range map[string]Date{"appointed_on": m.AppointedOn, "cert_issued_on": m.CertIssuedOn, "cert_expires_on": m.CertExpiresOn} {
		if d != "" && !d.Valid() {
			v.Add(f, "err.field.date")
		}
	}
	if m.CertIssuedOn != "" && m.CertExpiresOn != "" && m.CertExpiresOn < m.CertIssuedOn {
		v.Add("cert_expires_on", "err.field.date_order")
	}
	optionalText(v, "appointment_doc", &m.AppointmentDoc, 64)
	optionalText(v, "cert_no", &m.CertNo, 40)
	return v.Err()
}

// ManagerPatch changes a manager; a status change needs a reason.
type ManagerPatch struct {
	Name           *string `json:"name"`
	Mobile         *string `json:"mobile"`
	IDCard         *string `json:"id_card"`
	Role           *string `json:"role"`
	AppointedOn    *Date   `json:"appointed_on"`
	AppointmentDoc *string `json:"appointment_doc"`
	CertNo         *string `json:"cert_no"`
	CertIssuedOn   *Date   `json:"cert_issued_on"`
	CertExpiresOn  *Date   `json:"cert_expires_on"`
	Status         *string `json:"status"`
	EnterpriseID   *int64  `json:"enterprise_id"` // move to another enterprise
	Reason         string  `json:"reason"`
}

// Apply copies the set fields onto m.
func (p *ManagerPatch) Apply(m *Manager) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	setDate := func(dst *Date, src *Date) {
		if src != nil {
			*dst = *src
		}
	}
	set(&m.Name, p.Name)
	set(&m.Mobile, p.Mobile)
	set(&m.IDCard, p.IDCard)
	set(&m.Role, p.Role)
	set(&m.AppointmentDoc, p.AppointmentDoc)
	set(&m.CertNo, p.CertNo)
	set(&m.Status, p.Status)
	setDate(&m.AppointedOn, p.AppointedOn)
	setDate(&m.CertIssuedOn, p.CertIssuedOn)
	setDate(&m.CertExpiresOn, p.CertExpiresOn)
	if p.EnterpriseID != nil {
		m.EnterpriseID = *p.EnterpriseID
	}
}

// ManagerChange is one entry of a manager's history.
type ManagerChange struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorName string    `json:"actor_name"`
	Field     string    `json:"field"`
	Old       string    `json:"old"`
	New       string    `json:"new"`
	Reason    string    `json:"reason"`
}

func requiredText(v Validation, field, s string, max int) {
	if s == "" {
		v.Add(field, "err.field.required")
	} else if utf8.RuneCountInString(s) > max {
		v.Add(field, "err.field.too_long")
	} else if !PlainText(s, false) {
		v.Add(field, "err.field.control")
	}
}

// optionalText checks a one-line field that may be empty.
func optionalText(v Validation, field string, s *string, max int) {
	*s = strings.TrimSpace(*s)
	if utf8.RuneCountInString(*s) > max {
		v.Add(field, "err.field.too_long")
	} else if !PlainText(*s, false) {
		v.Add(field, "err.field.control")
	}
}

// multiLineText checks a field of several lines (a description, a
// comment): line breaks are kept, as LF whatever the client sent.
func multiLineText(v Validation, field string, s *string, max int) {
	*s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(*s, "\r\n", "\n"), "\r", "\n"))
	if utf8.RuneCountInString(*s) > max {
		v.Add(field, "err.field.too_long")
	} else if !PlainText(*s, true) {
		v.Add(field, "err.field.control")
	}
}

// PlainText reports whether s is valid UTF-8 without control characters
// (C0, DEL, C1, and the line and paragraph separators), allowing line
// breaks and tabs only in multi-line text.
func PlainText(s string, multiLine bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			if !multiLine {
				return false
			}
		case r < 0x20, r >= 0x7f && r < 0xa0, r == 0x2028, r == 0x2029:
			return false
		}
	}
	return true
}

func optionalPhone(v Validation, field string, s *string) {
	*s = NormalizePhone(*s)
	if *s != "" && !ValidPhone(*s) {
		v.Add(field, "err.field.phone")
	}
}
