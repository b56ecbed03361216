package api

import (
	"net/http"
	"strings"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

// Permission is what a route demands of its caller.
type Permission int

const (
	Public        Permission = iota // anyone, no token
	Optional                        // anyone; a token, if sent, says who asks (staff see drafts)
	Authenticated                   // any valid token; data is filtered by who asks
	Staff                           // the bureau and the associations; data is filtered by region
	Admin                           // the bureau only
)

// Route is one API endpoint.
type Route struct {
	Method, Path string
	Perm         Permission
	Handle       func(http.ResponseWriter, *http.Request)
}

// Routes lists every API route with its permission; the OpenAPI document is
// kept in step with this table by a test.
func (h *Handler) Routes() []Route {
	return []Route{
		{"GET", "/api/v1/openapi.json", Public, h.openAPI},
		{"POST", "/api/v1/auth/token", Public, h.createLoginToken},
		{"DELETE", "/api/v1/auth/token", Authenticated, h.revokeCurrentToken},
		{"GET", "/api/v1/me", Authenticated, h.me},
		{"PATCH", "/api/v1/me", Authenticated, h.updateMe},
		{"POST", "/api/v1/me/password", Authenticated, h.changePassword},
		{"PUT", "/api/v1/me/notices", Authenticated, h.setNoticeChannels},
		{"GET", "/api/v1/tokens", Authenticated, h.listTokens},
		{"POST", "/api/v1/tokens", Authenticated, h.createToken},
		{"DELETE", "/api/v1/tokens/{id}", Authenticated, h.revokeToken},
		{"GET", "/api/v1/users", Admin, h.listUsers},
		{"POST", "/api/v1/users", Admin, h.createUser},
		{"GET", "/api/v1/users/{id}", Admin, h.getUser},
		{"PATCH", "/api/v1/users/{id}", Admin, h.updateUser},
		{"GET", "/api/v1/audit", Admin, h.listAudit},
		{"GET", "/api/v1/regions", Authenticated, h.listRegions},
		{"POST", "/api/v1/regions", Admin, h.createRegion},
		{"GET", "/api/v1/associations", Authenticated, h.listAssociations},
		{"POST", "/api/v1/associations", Admin, h.createAssociation},
		{"GET", "/api/v1/homes", Authenticated, h.listHomes},
		{"POST", "/api/v1/homes", Staff, h.createHome},
		{"PUT", "/api/v1/homes/{id}", Staff, h.updateHome},
		{"PUT", "/api/v1/homes/{id}/photo", Staff, h.putHomePhoto},
		{"GET", "/api/v1/homes/{id}/photo", Public, h.getHomePhoto},
		{"GET", "/api/v1/enterprises", Authenticated, h.listEnterprises},
		{"POST", "/api/v1/enterprises", Staff, h.createEnterprise},
		{"GET", "/api/v1/enterprises/{id}", Authenticated, h.getEnterprise},
		{"PATCH", "/api/v1/enterprises/{id}", Authenticated, h.updateEnterprise},
		{"GET", "/api/v1/enterprises/{id}/managers", Authenticated, h.listManagers},
		{"POST", "/api/v1/enterprises/{id}/managers", Authenticated, h.createManager},
		{"GET", "/api/v1/managers/{id}", Authenticated, h.getManager},
		{"PATCH", "/api/v1/managers/{id}", Authenticated, h.updateManager},
		{"GET", "/api/v1/managers/{id}/history", Authenticated, h.managerHistory},
		{"GET", "/api/v1/enterprises/export.xlsx", Authenticated, h.exportEnterprises},
		{"GET", "/api/v1/imports/template.xlsx", Staff, h.importTemplate},
		{"POST", "/api/v1/imports", Staff, h.createImport},
		{"GET", "/api/v1/imports/{id}", Staff, h.getImport},
		{"GET", "/api/v1/imports/{id}/report.xlsx", Staff, h.importReport},
		{"GET", "/api/v1/settings/training", Authenticated, h.getTrainingSettings},
		{"PUT", "/api/v1/settings/training", Admin, h.putTrainingSettings},
		{"GET", "/api/v1/lecturers", Public, h.listLecturers},
		{"POST", "/api/v1/lecturers", Admin, h.createLecturer},
		{"GET", "/api/v1/lecturers/{id}", Public, h.getLecturer},
		{"PUT", "/api/v1/lecturers/{id}", Admin, h.updateLecturer},
		{"PUT", "/api/v1/lecturers/{id}/photo", Admin, h.putLecturerPhoto},
		{"GET", "/api/v1/lecturers/{id}/photo", Public, h.getLecturerPhoto},
		{"GET", "/api/v1/courses", Optional, h.listCourses},
		{"POST", "/api/v1/courses", Admin, h.createCourse},
		{"GET", "/api/v1/courses/{id}", Optional, h.getCourse},
		{"PUT", "/api/v1/courses/{id}", Admin, h.updateCourse},
		{"POST", "/api/v1/courses/{id}/materials", Admin, h.addMaterial},
		{"GET", "/api/v1/materials/{id}", Authenticated, h.getMaterial},
		{"POST", "/api/v1/courses/{id}/classes", Staff, h.createClass},
		{"GET", "/api/v1/classes", Optional, h.listClasses},
		{"GET", "/api/v1/classes/{id}", Public, h.getClass},
		{"PATCH", "/api/v1/classes/{id}", Staff, h.updateClass},
		{"POST", "/api/v1/classes/{id}/cancel", Staff, h.cancelClass},
		{"POST", "/api/v1/classes/{id}/complete", Authenticated, h.completeClass},
		{"GET", "/api/v1/classes/{id}/feedback", Authenticated, h.classFeedback},
		{"POST", "/api/v1/classes/{id}/bookings", Authenticated, h.createBooking},
		{"GET", "/api/v1/classes/{id}/bookings", Authenticated, h.classBookings},
		{"POST", "/api/v1/classes/{id}/checkins", Authenticated, h.checkIn},
		{"GET", "/api/v1/classes/{id}/rotating-code", Authenticated, h.rotatingCode},
		{"POST", "/api/v1/classes/{id}/self-checkins", Authenticated, h.selfCheckIn},
		{"GET", "/api/v1/bookings", Authenticated, h.listBookings},
		{"GET", "/api/v1/bookings/{id}", Authenticated, h.getBooking},
		{"DELETE", "/api/v1/bookings/{id}", Authenticated, h.cancelBooking},
		{"POST", "/api/v1/bookings/{id}/accept", Authenticated, h.acceptOffer},
		{"POST", "/api/v1/bookings/{id}/position", Admin, h.moveInWaitlist},
		{"PUT", "/api/v1/bookings/{id}/attendance", Authenticated, h.setAttendance},
		{"POST", "/api/v1/bookings/{id}/feedback", Authenticated, h.giveFeedback},
		{"GET", "/api/v1/bookings/{id}/certificate", Authenticated, h.bookingCertificate},
		{"GET", "/api/v1/bookings/{id}/qr.png", Authenticated, h.bookingQR},
		{"GET", "/api/v1/credits", Authenticated, h.listCredits},
		{"GET", "/api/v1/managers/{id}/credits", Authenticated, h.managerCredits},
		{"GET", "/api/v1/managers/{id}/calendar", Authenticated, h.managerCalendar},
		{"GET", "/api/v1/certificates/{code}", Public, h.verifyCertificate},
		{"GET", "/api/v1/topics", Authenticated, h.listTopics},
		{"POST", "/api/v1/topics", Authenticated, h.proposeTopic},
		{"POST", "/api/v1/topics/{id}/votes", Authenticated, h.voteTopic},
		{"POST", "/api/v1/topics/{id}/course", Admin, h.adoptTopic},
		{"GET", "/api/v1/notifications", Authenticated, h.listNotifications},
		{"POST", "/api/v1/notifications/read", Authenticated, h.readAllNotifications},
		{"POST", "/api/v1/notifications/{id}/read", Authenticated, h.readNotification},
	}
}

// Register adds every route to mux behind its permission check, and answers
// unknown API paths in the API's error shape.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.Routes() {
		mux.Handle(rt.Method+" "+rt.Path, h.guard(rt.Perm, http.HandlerFunc(rt.Handle)))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, model.NotFound())
	})
}

// guard authenticates the bearer token and enforces the permission.
func (h *Handler) guard(p Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p == Public {
			next.ServeHTTP(w, r)
			return
		}
		secret, ok := bearer(r)
		if !ok && p == Optional {
			next.ServeHTTP(w, r)
			return
		}
		if !ok {
			h.fail(w, r, model.Errorf(model.ErrUnauthenticated, "err.token_missing"))
			return
		}
		u, t, err := h.Store.TokenUser(r.Context(), secret)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		a := httpx.ActorFrom(r.Context())
		a.User = u
		ctx := httpx.WithActor(r.Context(), a)
		ctx = withToken(ctx, t)
		if (p == Admin && u.Role != model.RoleAdmin) || (p == Staff && u.Role != model.RoleAdmin && u.Role != model.RoleAssociation) {
			h.fail(w, r.WithContext(ctx), model.Errorf(model.ErrForbidden, "err.forbidden"))
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != "" && len(tok) <= 128
}
