package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

type usersData struct {
	Users []*model.User
	Role  string
	Roles []model.Role
	Next  string // query string of the next page, empty on the last
	// Security is the bureau's security policy.
	Security model.SecuritySettings
}

func (h *Handler) usersPage(w http.ResponseWriter, r *http.Request) error {
	d, err := h.usersData(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "users", h.newView(r, "page.users", d))
}

func (h *Handler) usersData(r *http.Request) (*usersData, error) {
	q := r.URL.Query()
	f, err := model.ParseUserFilter(q)
	if err != nil {
		return nil, err
	}
	d := &usersData{Role: q.Get("role"), Roles: model.Roles, Security: h.Store.SecuritySettings(r.Context())}
	l, err := h.Store.ListUsers(r.Context(), f)
	if err != nil {
		return nil, err
	}
	d.Users = l.Items
	if l.Next != nil {
		d.Next = url.Values{"role": {d.Role}, "cursor": {*l.Next}}.Encode()
	}
	return d, nil
}

// setSecurity sets the security policy.
func (h *Handler) setSecurity(w http.ResponseWriter, r *http.Request) error {
	v := model.SecuritySettings{
		RequireTwoFactorForStaff: r.PostFormValue("require_two_factor") == "on",
		BlockCommonPasswords:     r.PostFormValue("block_common_passwords") == "on",
		PasswordMinLength:        formCount(r, "password_min_length"),
		SessionIdleMinutes:       formCount(r, "session_idle_minutes"),
	}
	for _, role := range r.PostForm["token_roles"] {
		v.TokenRoles = append(v.TokenRoles, model.Role(role))
	}
	if err := h.Store.SetSecuritySettings(r.Context(), actor(r), v); err != nil {
		d, derr := h.usersData(r)
		if derr != nil {
			return derr
		}
		d.Security = v
		return h.formError(w, r, "users", h.newView(r, "page.users", d), err)
	}
	http.Redirect(w, r, "/admin/users?ok=flash.saved#security", http.StatusSeeOther)
	return nil
}

// formCount reads a whole number from a form field; -1 when it is not one,
// which every range refuses.
func formCount(r *http.Request, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
	if err != nil {
		return -1
	}
	return n
}

type userForm struct {
	User        *model.User
	Username    string
	DisplayName string
	Role        string
	RegionID    string
	USCC        string
	Roles       []model.Role
	Regions     []model.Region
}

func (h *Handler) userFormView(r *http.Request, title string, f *userForm) (*view, error) {
	regions, err := h.Store.Regions(r.Context())
	if err != nil {
		return nil, err
	}
	f.Roles, f.Regions = model.Roles, regions
	return h.newView(r, title, f), nil
}

func (h *Handler) newUserPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.userFormView(r, "page.user_new", &userForm{Role: string(model.RoleEnterprise)})
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "user_new", v)
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) error {
	f := &userForm{
		Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Role: r.PostFormValue("role"), RegionID: r.PostFormValue("region_id"), USCC: strings.TrimSpace(r.PostFormValue("uscc")),
	}
	n := model.NewUser{Username: f.Username, DisplayName: f.DisplayName, Role: model.Role(f.Role), Password: r.PostFormValue("password")}
	fail := func(err error) error {
		v, verr := h.userFormView(r, "page.user_new", f)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "user_new", v, err)
	}
	v := model.Validation{}
	if n.Role == model.RoleAssociation && f.RegionID != "" {
		if id, err := strconv.ParseInt(f.RegionID, 10, 64); err != nil {
			v.Add("region_id", "err.field.no_such_region")
		} else {
			n.RegionID = &id
		}
	}
	if n.Role == model.RoleEnterprise && f.USCC != "" {
		code := model.NormalizeUSCC(f.USCC)
		if !model.ValidUSCC(code) {
			v.Add("uscc", "err.field.uscc")
		} else if id, err := h.Store.EnterpriseIDByUSCC(r.Context(), code); err != nil {
			if !model.IsCode(err, model.ErrNotFound) {
				return err
			}
			v.Add("uscc", "err.field.no_such_enterprise")
		} else {
			n.EnterpriseID = &id
		}
	} else if n.Role == model.RoleEnterprise {
		v.Add("uscc", "err.field.required")
	}
	// Report every field at once: the form's own checks and the model's.
	n.Normalize()
	if err := n.Validate(); err != nil {
		for f, k := range err.(*model.Error).Fields {
			if f == "enterprise_id" { // the form asks for a credit code, not an id
				f = "uscc"
			}
			v.Add(f, k)
		}
	}
	if err := v.Err(); err != nil {
		return fail(err)
	}
	u, err := h.Auth.CreateUser(r.Context(), actor(r), n)
	if err != nil {
		return fail(err)
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10)+"?ok=flash.user_created", http.StatusSeeOther)
	return nil
}

func (h *Handler) userPage(w http.ResponseWriter, r *http.Request) error {
	u, err := h.pathUser(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "user", h.newView(r, "page.user", &userForm{User: u}))
}

func (h *Handler) pathUser(r *http.Request) (*model.User, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return h.Store.User(r.Context(), id)
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.pathUser(r)
	if err != nil {
		return err
	}
	var upd model.UserUpdate
	switch r.PostFormValue("action") {
	case "profile":
		name, lang := r.PostFormValue("display_name"), r.PostFormValue("language")
		upd.DisplayName, upd.Language = &name, &lang
	case "disable", "enable":
		d := r.PostFormValue("action") == "disable"
		upd.Disabled = &d
	case "reset_password":
		pw := r.PostFormValue("password")
		upd.Password = &pw
	case "reset_two_factor":
		if err := h.Auth.ResetTwoFactor(r.Context(), actor(r), u.ID); err != nil {
			return err
		}
		http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10)+"?ok=flash.two_factor_reset", http.StatusSeeOther)
		return nil
	default:
		return model.Errorf(model.ErrMalformed, "err.malformed_form")
	}
	if _, err := h.Auth.UpdateUser(r.Context(), actor(r), u.ID, upd); err != nil {
		return h.formError(w, r, "user", h.newView(r, "page.user", &userForm{User: u}), err)
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10)+"?ok=flash.saved", http.StatusSeeOther)
	return nil
}

type auditData struct {
	Rows    []auditRow
	Query   url.Values
	Next    string
	Export  string // the download's address: this filter from the start
	Actions []string
	Types   []string
	Count   int // up to store.CountCap+1
}

// auditRow is an audit entry as a person reads it: the action in words,
// the object by name with a link, each change with its field's label.
type auditRow struct {
	model.AuditEntry
	ActionText, ObjectText, ObjectURL, ActorURL string
	Fields                                      []fieldChange
	Raw                                         string // changes that are not field by field
}

type fieldChange struct{ Label, Old, New string }

// objectPages are where an audited object is shown, by type.
var objectPages = map[string]string{
	"enterprise": "/directory/enterprises/", "manager": "/directory/managers/", "user": "/admin/users/",
	"class": "/classes/", "course": "/courses/", "booking": "/bookings/", "home": "/directory/homes/", "job": "/directory/import/",
}

// auditActions are the actions the filter offers, by domain.
var auditActions = []string{"auth.", "user.", "token.", "settings.", "enterprise.", "manager.", "region.", "association.", "home.",
	"course.", "lecturer.", "class.", "booking.", "topic.", "export.", "job."}

func (h *Handler) auditRows(r *http.Request, v *view, es []model.AuditEntry) ([]auditRow, error) {
	names, err := h.Store.AuditObjectNames(r.Context(), es)
	if err != nil {
		return nil, err
	}
	label := func(prefix, key string) string {
		if h.I18n.HasKey(prefix + key) {
			return v.T(prefix + key)
		}
		return key
	}
	out := make([]auditRow, 0, len(es))
	for _, e := range es {
		row := auditRow{AuditEntry: e, ActionText: label("act.", e.Action)}
		if e.ActorID != nil {
			row.ActorURL = "/admin/users/" + strconv.FormatInt(*e.ActorID, 10)
		}
		if e.ObjectID != nil {
			id := strconv.FormatInt(*e.ObjectID, 10)
			row.ObjectText = label("otype.", e.ObjectType) + " #" + id
			if n := names[e.ObjectType+":"+id]; n != "" {
				row.ObjectText = label("otype.", e.ObjectType) + "：" + n
			}
			if p := objectPages[e.ObjectType]; p != "" {
				row.ObjectURL = p + id
			}
		} else if e.ObjectType != "" {
			row.ObjectText = label("otype.", e.ObjectType)
		}
		var changes map[string]model.Change
		if len(e.Changes) > 2 {
			if err := json.Unmarshal(e.Changes, &changes); err != nil {
				row.Raw = string(e.Changes)
			}
		}
		keys := make([]string, 0, len(changes))
		for k := range changes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c := changes[k]
			row.Fields = append(row.Fields, fieldChange{Label: label("field.", k), Old: auditValue(c.Old), New: auditValue(c.New)})
		}
		out = append(out, row)
	}
	return out, nil
}

// auditValue writes a recorded value for reading; nothing is "—".
func auditValue(x any) string {
	switch x := x.(type) {
	case nil:
		return "—"
	case string:
		if x == "" {
			return "—"
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "✓"
		}
		return "✗"
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	eq := url.Values{}
	for k, vs := range q {
		if k != "cursor" && k != "limit" {
			eq[k] = vs
		}
	}
	v := h.newView(r, "page.audit", &auditData{Query: q, Export: "/admin/audit/export.xlsx?" + eq.Encode(), Actions: auditActions,
		Types: []string{"enterprise", "manager", "user", "class", "course", "booking", "home", "region", "job", "settings", "token"}})
	f, err := model.ParseAuditFilter(q)
	if err != nil {
		return h.formError(w, r, "audit", v, err)
	}
	l, err := h.Store.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	d := v.Data.(*auditData)
	if d.Rows, err = h.auditRows(r, v, l.Items); err != nil {
		return err
	}
	if d.Count, err = h.Store.CountAudit(r.Context(), f); err != nil {
		return err
	}
	if l.Next != nil {
		nq := url.Values{}
		for k, vs := range q {
			nq[k] = vs
		}
		nq.Set("cursor", *l.Next)
		d.Next = nq.Encode()
	}
	return h.render(w, r, http.StatusOK, "audit", v)
}

// exportAudit downloads the audit log with the list's filter.
func (h *Handler) exportAudit(w http.ResponseWriter, r *http.Request) error {
	return httpx.StreamXLSX(w, "envhome-audit.xlsx", h.Log, func(start func()) error {
		return h.Service.ExportAudit(r.Context(), actor(r), w, r.URL.Query(), start)
	})
}
