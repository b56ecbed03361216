package model

import (
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what an account is; it decides what the account may see and do.
type Role string

const (
	RoleAdmin       Role = "admin"       // the bureau
	RoleAssociation Role = "association" // staff of one region's association
	RoleEnterprise  Role = "enterprise"  // one enterprise's account
	RoleLecturer    Role = "lecturer"
	RoleProvider    Role = "provider"
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleAssociation, RoleEnterprise, RoleLecturer, RoleProvider}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Languages the UI speaks; the first is the default.
var Languages = []string{"zh-CN", "en"}

// ValidLanguage reports whether lang is a supported language tag or empty
// (empty means "follow the browser").
func ValidLanguage(lang string) bool {
	if lang == "" {
		return true
	}
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// User is an account.
type User struct {
	ID           int64      `json:"id"`
	Username     string     `json:"username"`
	DisplayName  string     `json:"display_name"`
	Role         Role       `json:"role"`
	RegionID     *int64     `json:"region_id"`
	EnterpriseID *int64     `json:"enterprise_id"`
	ProviderID   *int64     `json:"provider_id"` // a provider account's organisation, once registered
	Language     string     `json:"language"`
	Email        string     `json:"email"`       // for email notices
	WebhookURL   string     `json:"webhook_url"` // a WeCom or DingTalk group robot, for notices
	PasswordHash string     `json:"-"`
	DisabledAt   *time.Time `json:"disabled_at"`
	// MustChangePassword: the password was chosen by someone else (demo
	// data, the bureau); until it is changed the account can do nothing else.
	MustChangePassword bool `json:"must_change_password"`
	// TOTPEnabled: signing in takes a code from an authenticator app too.
	TOTPEnabled bool `json:"two_factor"`
	// TOTPSecret is the authenticator's secret (while enrolling, or in force).
	TOTPSecret string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Disabled reports whether the account may no longer log in.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// NewUser is what it takes to create an account.
type NewUser struct {
	Username     string `json:"username"`
	DisplayName  string `json:"display_name"`
	Password     string `json:"password"`
	Role         Role   `json:"role"`
	RegionID     *int64 `json:"region_id"`
	EnterpriseID *int64 `json:"enterprise_id"`
	Language     string `json:"language"`
	// MustChangePassword is set for accounts made by someone other than
	// their user (the bureau, demo data), never from JSON.
	MustChangePassword bool `json:"-"`
}

// NormalizeUsername is how usernames are compared: trimmed, lower case.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Normalize trims what users type by accident.
func (n *NewUser) Normalize() {
	n.Username = NormalizeUsername(n.Username)
	n.DisplayName = strings.TrimSpace(n.DisplayName)
}

// Validate checks a new account; scope ids must match the role.
func (n *NewUser) Validate() error {
	v := Validation{}
	validateUsername(v, n.Username)
	if utf8.RuneCountInString(n.DisplayName) > 64 {
		v.Add("display_name", "err.field.too_long")
	}
	validatePassword(v, "password", n.Password)
	validateScope(v, n.Role, n.RegionID, n.EnterpriseID)
	if !ValidLanguage(n.Language) {
		v.Add("language", "err.field.language")
	}
	return v.Err()
}

// UserUpdate changes an account; nil fields stay as they are.
type UserUpdate struct {
	DisplayName *string `json:"display_name"`
	Language    *string `json:"language"`
	Disabled    *bool   `json:"disabled"`
	// Password, when set by an admin, resets the password and ends the
	// account's sessions and tokens.
	Password *string `json:"password"`
}

// Validate checks an update.
func (u *UserUpdate) Validate() error {
	v := Validation{}
	if u.DisplayName != nil {
		*u.DisplayName = strings.TrimSpace(*u.DisplayName)
		if utf8.RuneCountInString(*u.DisplayName) > 64 {
			v.Add("display_name", "err.field.too_long")
		}
	}
	if u.Language != nil && !ValidLanguage(*u.Language) {
		v.Add("language", "err.field.language")
	}
	if u.Password != nil {
		validatePassword(v, "password", *u.Password)
	}
	return v.Err()
}

// ValidatePassword checks a new password on its own.
func ValidatePassword(field, pw string) error {
	v := Validation{}
	validatePassword(v, field, pw)
	return v.Err()
}

func validateUsername(v Validation, s string) {
	if s == "" {
		v.Add("username", "err.field.required")
		return
	}
	if len(s) < 3 || len(s) > 64 {
		v.Add("username", "err.field.username")
		return
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			v.Add("username", "err.field.username")
			return
		}
	}
}

func validatePassword(v Validation, field, pw string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		v.Add(field, "err.field.required")
	case n < 10:
		v.Add(field, "err.field.password_short")
	case len(pw) > 256:
		v.Add(field, "err.field.too_long")
	case !utf8.ValidString(pw) || strings.IndexFunc(pw, unicode.IsControl) >= 0:
		v.Add(field, "err.field.password_chars")
	}
}

func validateScope(v Validation, role Role, region, enterprise *int64) {
	if !role.Valid() {
		v.Add("role", "err.field.role")
		return
	}
	switch role {
	case RoleAssociation:
		if region == nil {
			v.Add("region_id", "err.field.required")
		}
		if enterprise != nil {
			v.Add("enterprise_id", "err.field.not_allowed")
		}
	case RoleEnterprise:
		if enterprise == nil {
			v.Add("enterprise_id", "err.field.required")
		}
		if region != nil {
			v.Add("region_id", "err.field.not_allowed")
		}
	default:
		if region != nil {
			v.Add("region_id", "err.field.not_allowed")
		}
		if enterprise != nil {
			v.Add("enterprise_id", "err.field.not_allowed")
		}
	}
}

// UserFilter narrows a list of accounts; nil fields do not filter.
type UserFilter struct {
	Role *Role
	Page
}

// ParseUserFilter reads ?role=, ?limit= and ?cursor=.
func ParseUserFilter(q url.Values) (UserFilter, error) {
	var f UserFilter
	v := Validation{}
	p, err := ParsePage(q.Get("limit"), q.Get("cursor"))
	if err != nil {
		for k, m := range err.(*Error).Fields {
			v.Add(k, m)
		}
	}
	f.Page = p
	if s := q.Get("role"); s != "" {
		role := Role(s)
		if role.Valid() {
			f.Role = &role
		} else {
			v.Add("role", "err.field.role")
		}
	}
	return f, v.Err()
}

// Actor is who causes a write, for the audit log and for permission checks.
type Actor struct {
	User *User  // nil for the system (command line, demo seeding) or a guest
	Addr string // client address
	// Guest marks a web or API request: without a User it is nobody, never
	// the system.
	Guest bool
}

// SystemActor is the actor for writes made from the command line.
func SystemActor() Actor { return Actor{Addr: "local"} }

// ID returns the actor's user id, nil for the system.
func (a Actor) ID() *int64 {
	if a.User == nil {
		return nil
	}
	id := a.User.ID
	return &id
}

// Name returns a label for logs and the audit log.
func (a Actor) Name() string {
	if a.User == nil {
		return "system"
	}
	return a.User.Username
}

// IsAdmin reports whether the actor is the bureau or the system.
func (a Actor) IsAdmin() bool {
	if a.User == nil {
		return !a.Guest
	}
	return a.User.Role == RoleAdmin
}

// Anonymous reports whether a request comes from nobody logged in.
func (a Actor) Anonymous() bool { return a.User == nil && a.Guest }

// Scope is the part of the directory an actor may see: all of it, one
// region, one enterprise, or nothing (lecturers and providers).
type Scope struct {
	All          bool
	RegionID     int64
	EnterpriseID int64
}

// None reports whether the scope holds no enterprise.
func (s Scope) None() bool { return !s.All && s.RegionID == 0 && s.EnterpriseID == 0 }

// Scope returns what a actor may see of enterprises and managers.
func (a Actor) Scope() Scope {
	switch {
	case a.Anonymous():
		return Scope{}
	case a.IsAdmin():
		return Scope{All: true}
	case a.User.Role == RoleAssociation && a.User.RegionID != nil:
		return Scope{RegionID: *a.User.RegionID}
	case a.User.Role == RoleEnterprise && a.User.EnterpriseID != nil:
		return Scope{EnterpriseID: *a.User.EnterpriseID}
	}
	return Scope{}
}

// NoticeChannels are where an account's notices are copied to.
type NoticeChannels struct {
	Email      string `json:"email"`
	WebhookURL string `json:"webhook_url"`
}

// Validate checks the addresses; empty turns a channel off.
func (n *NoticeChannels) Validate() error {
	v := Validation{}
	n.Email = strings.TrimSpace(n.Email)
	n.WebhookURL = strings.TrimSpace(n.WebhookURL)
	if n.Email != "" {
		if at := strings.IndexByte(n.Email, '@'); at < 1 || at == len(n.Email)-1 || len(n.Email) > 120 || strings.ContainsAny(n.Email, " <>\r\n,;") {
			v.Add("email", "err.field.email")
		}
	}
	if n.WebhookURL != "" {
		u, err := url.Parse(n.WebhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(n.WebhookURL) > 500 {
			v.Add("webhook_url", "err.field.webhook_url")
		}
	}
	return v.Err()
}
