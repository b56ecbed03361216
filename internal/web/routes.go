package web

import (
	"net/http"
	"net/url"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

// Permission is what a page demands of its visitor.
type Permission int

const (
	Public        Permission = iota // anyone
	Authenticated                   // any logged-in account; data is filtered by who asks
	Staff                           // the bureau and the associations; data is filtered by region
	Admin                           // the bureau only
)

// Route is one page or form endpoint.
type Route struct {
	Method, Path string
	Perm         Permission
	Handle       func(http.ResponseWriter, *http.Request)
}

// Routes lists every web route with its permission.
func (h *Handler) Routes() []Route {
	return []Route{
		{"GET", "/static/{file...}", Public, h.static},
		{"GET", "/login", Public, h.loginPage},
		{"POST", "/login", Public, h.login},
		{"POST", "/logout", Public, h.logout},
		{"POST", "/language", Public, h.setLanguage},
		{"GET", "/{$}", Authenticated, h.home},
		{"GET", "/account", Authenticated, h.accountPage},
		{"POST", "/account/profile", Authenticated, h.updateProfile},
		{"POST", "/account/password", Authenticated, h.changePassword},
		{"POST", "/account/notices", Authenticated, h.setNoticeChannels},
		{"POST", "/account/tokens", Authenticated, h.createToken},
		{"POST", "/account/tokens/{id}/revoke", Authenticated, h.revokeToken},
		{"GET", "/admin/users", Admin, h.usersPage},
		{"GET", "/admin/users/new", Admin, h.newUserPage},
		{"POST", "/admin/users", Admin, h.createUser},
		{"GET", "/admin/users/{id}", Admin, h.userPage},
		{"POST", "/admin/users/{id}", Admin, h.updateUser},
		{"GET", "/admin/audit", Admin, h.auditPage},
		{"GET", "/directory/enterprises", Authenticated, h.enterprisesPage},
		{"GET", "/directory/enterprises/new", Staff, h.newEnterprisePage},
		{"GET", "/directory/enterprises/export.xlsx", Authenticated, h.exportEnterprises},
		{"GET", "/directory/import", Staff, h.importPage},
		{"GET", "/directory/import/template.xlsx", Staff, h.importTemplate},
		{"POST", "/directory/import", Staff, h.startImport},
		{"GET", "/directory/import/{id}", Staff, h.importJobPage},
		{"GET", "/directory/import/{id}/report.xlsx", Staff, h.importReport},
		{"POST", "/directory/enterprises", Staff, h.createEnterprise},
		{"GET", "/directory/enterprises/{id}", Authenticated, h.enterprisePage},
		{"GET", "/directory/enterprises/{id}/edit", Authenticated, h.editEnterprisePage},
		{"POST", "/directory/enterprises/{id}", Authenticated, h.updateEnterprise},
		{"POST", "/directory/enterprises/{id}/managers", Authenticated, h.createManager},
		{"GET", "/directory/managers/{id}", Authenticated, h.managerPage},
		{"POST", "/directory/managers/{id}", Authenticated, h.updateManager},
		{"GET", "/directory/regions", Authenticated, h.regionsPage},
		{"POST", "/directory/regions", Admin, h.createRegion},
		{"POST", "/directory/associations", Admin, h.createAssociation},
		{"POST", "/directory/homes", Staff, h.createHome},
		{"GET", "/directory/homes/{id}", Staff, h.homePage},
		{"POST", "/directory/homes/{id}", Staff, h.updateHome},
		{"POST", "/directory/homes/{id}/photo", Staff, h.uploadHomePhoto},
		{"GET", "/courses", Public, h.coursesPage},
		{"GET", "/courses/new", Admin, h.newCoursePage},
		{"POST", "/courses", Admin, h.saveCourse},
		{"GET", "/courses/{id}", Public, h.coursePage},
		{"GET", "/courses/{id}/edit", Admin, h.editCoursePage},
		{"POST", "/courses/{id}", Admin, h.saveCourse},
		{"POST", "/courses/{id}/materials", Admin, h.uploadMaterial},
		{"POST", "/courses/{id}/classes", Staff, h.createClass},
		{"GET", "/materials/{id}", Authenticated, h.downloadMaterial},
		{"GET", "/lecturers", Public, h.lecturersPage},
		{"GET", "/lecturers/new", Admin, h.lecturerFormPage},
		{"POST", "/lecturers", Admin, h.saveLecturer},
		{"GET", "/lecturers/{id}/edit", Admin, h.lecturerFormPage},
		{"POST", "/lecturers/{id}", Admin, h.saveLecturer},
		{"POST", "/lecturers/{id}/photo", Admin, h.uploadLecturerPhoto},
		{"GET", "/lecturers/{id}/photo", Public, h.lecturerPhoto},
		{"GET", "/classes/{id}", Public, h.classPage},
		{"POST", "/classes/{id}/bookings", Authenticated, h.bookClass},
		{"POST", "/classes/{id}/cancel", Staff, h.cancelClass},
		{"POST", "/classes/{id}/complete", Authenticated, h.completeClass},
		{"POST", "/classes/{id}/edit", Staff, h.updateClass},
		{"GET", "/classes/{id}/scan", Authenticated, h.scanPage},
		{"POST", "/classes/{id}/scan", Authenticated, h.scanCode},
		{"GET", "/classes/{id}/display", Authenticated, h.displayPage},
		{"GET", "/classes/{id}/display.png", Authenticated, h.displayQR},
		{"GET", "/classes/{id}/checkin", Authenticated, h.selfCheckInPage},
		{"POST", "/classes/{id}/checkin", Authenticated, h.selfCheckIn},
		{"GET", "/classes/{id}/sheet", Authenticated, h.sheetPage},
		{"GET", "/bookings/{id}", Authenticated, h.bookingPage},
		{"GET", "/bookings/{id}/qr.png", Authenticated, h.bookingQR},
		{"POST", "/bookings/{id}/cancel", Authenticated, h.cancelBooking},
		{"POST", "/bookings/{id}/accept", Authenticated, h.acceptOffer},
		{"POST", "/bookings/{id}/attendance", Authenticated, h.setAttendance},
		{"POST", "/bookings/{id}/position", Admin, h.moveInWaitlist},
		{"POST", "/bookings/{id}/feedback", Authenticated, h.giveFeedback},
		{"GET", "/training", Authenticated, h.myTrainingPage},
		{"GET", "/credits", Authenticated, h.creditsPage},
		{"GET", "/credits/managers/{id}", Authenticated, h.managerCreditsPage},
		{"GET", "/certificates/{code}", Public, h.certificatePage},
		{"GET", "/certificates/{code}/qr.png", Public, h.certificateQR},
		{"GET", "/verify", Public, h.verifyPage},
		{"GET", "/topics", Authenticated, h.topicsPage},
		{"POST", "/topics", Authenticated, h.proposeTopic},
		{"POST", "/topics/{id}/votes", Authenticated, h.voteTopic},
		{"GET", "/notifications", Authenticated, h.notificationsPage},
		{"POST", "/notifications/read", Authenticated, h.readNotifications},
		{"GET", "/settings/training", Admin, h.settingsPage},
		{"POST", "/settings/training", Admin, h.saveSettings},
		{"GET", "/calendar/{token}", Public, h.calendar},
	}
}

// Register adds every route to mux behind its permission check, and the
// friendly 404 page for anything else. Every cookie-authenticated write is
// protected against cross-site requests by http.CrossOriginProtection.
func (h *Handler) Register(mux *http.ServeMux) {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, model.Errorf(model.ErrForbidden, "err.cross_origin"))
	}))
	for _, rt := range h.Routes() {
		mux.Handle(rt.Method+" "+rt.Path, csrf.Handler(h.guard(rt.Perm, http.HandlerFunc(rt.Handle))))
	}
	mux.Handle("/", h.guard(Public, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, model.NotFound())
	})))
}

// guard loads the session, if any, and enforces the permission: a guest is
// sent to the login page, a logged-in account without the role gets 403.
func (h *Handler) guard(p Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := httpx.ActorFrom(r.Context())
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			u, _, err := h.Store.SessionUser(r.Context(), c.Value, h.Auth.Policy.SessionIdle)
			switch {
			case err == nil:
				a.User = u
				r = r.WithContext(httpx.WithActor(r.Context(), a))
			case model.IsCode(err, model.ErrUnauthenticated):
				h.clearCookie(w, r, sessionCookie)
			default:
				h.renderError(w, r, err)
				return
			}
		}
		switch {
		case p == Public:
		case a.User == nil:
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			} else {
				h.renderError(w, r, model.Errorf(model.ErrUnauthenticated, "err.session_expired"))
			}
			return
		case p == Admin && a.User.Role != model.RoleAdmin, p == Staff && !isStaff(a.User):
			h.renderError(w, r, model.Errorf(model.ErrForbidden, "err.forbidden"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
