package api

import (
	"net/http"
	"strings"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

// Route is httpx.Route under a local name, so that the table below can list
// its fields by position.
type Route httpx.Route

// Routes lists every API route with its permission; the OpenAPI document is
// kept in step with this table by a test.
func (h *Handler) Routes() []Route {
	return []Route{
		{"GET", "/api/v1/openapi.json", httpx.Public, h.openAPI},
		{"POST", "/api/v1/auth/token", httpx.Public, h.createLoginToken},
		{"DELETE", "/api/v1/auth/token", httpx.Authenticated, h.revokeCurrentToken},
		{"GET", "/api/v1/me", httpx.Authenticated, h.me},
		{"PATCH", "/api/v1/me", httpx.Authenticated, h.updateMe},
		{"POST", "/api/v1/me/password", httpx.Authenticated, h.changePassword},
		{"PUT", "/api/v1/me/notices", httpx.Authenticated, h.setNoticeChannels},
		{"POST", "/api/v1/me/two-factor", httpx.Authenticated, h.startTwoFactor},
		{"POST", "/api/v1/me/two-factor/confirm", httpx.Authenticated, h.confirmTwoFactor},
		{"POST", "/api/v1/me/two-factor/off", httpx.Authenticated, h.disableTwoFactor},
		{"GET", "/api/v1/tokens", httpx.Authenticated, h.listTokens},
		{"POST", "/api/v1/tokens", httpx.Authenticated, h.createToken},
		{"DELETE", "/api/v1/tokens/{id}", httpx.Authenticated, h.revokeToken},
		{"GET", "/api/v1/users", httpx.Admin, h.listUsers},
		{"POST", "/api/v1/users", httpx.Admin, h.createUser},
		{"GET", "/api/v1/users/{id}", httpx.Admin, h.getUser},
		{"PATCH", "/api/v1/users/{id}", httpx.Admin, h.updateUser},
		{"POST", "/api/v1/users/{id}/two-factor/reset", httpx.Admin, h.resetTwoFactor},
		{"POST", "/api/v1/users/{id}/password-reset", httpx.Staff, h.resetPassword},
		{"GET", "/api/v1/enterprises/{id}/accounts", httpx.Staff, h.enterpriseAccounts},
		{"GET", "/api/v1/audit", httpx.Admin, h.listAudit},
		{"GET", "/api/v1/audit/export.xlsx", httpx.Admin, h.exportAudit},
		{"GET", "/api/v1/regions", httpx.Authenticated, h.listRegions},
		{"POST", "/api/v1/regions", httpx.Admin, h.createRegion},
		{"GET", "/api/v1/regions/{id}", httpx.Authenticated, h.getRegion},
		{"GET", "/api/v1/associations", httpx.Authenticated, h.listAssociations},
		{"POST", "/api/v1/associations", httpx.Admin, h.createAssociation},
		{"GET", "/api/v1/associations/{id}", httpx.Authenticated, h.getAssociation},
		{"GET", "/api/v1/homes", httpx.Authenticated, h.listHomes},
		{"POST", "/api/v1/homes", httpx.Staff, h.createHome},
		{"GET", "/api/v1/homes/{id}", httpx.Authenticated, h.getHome},
		{"PUT", "/api/v1/homes/{id}", httpx.Staff, h.updateHome},
		{"PUT", "/api/v1/homes/{id}/photo", httpx.Staff, h.putPhoto(h.Service.SetHomePhoto)},
		{"GET", "/api/v1/homes/{id}/photo", httpx.Public, httpx.ServeByID(h.Service.HomePhoto, "public, max-age=86400")},
		{"GET", "/api/v1/enterprises", httpx.Authenticated, h.listEnterprises},
		{"POST", "/api/v1/enterprises", httpx.Staff, h.createEnterprise},
		{"GET", "/api/v1/enterprises/{id}", httpx.Authenticated, h.getEnterprise},
		{"PATCH", "/api/v1/enterprises/{id}", httpx.Authenticated, h.updateEnterprise},
		{"GET", "/api/v1/enterprises/{id}/managers", httpx.Authenticated, h.listManagers},
		{"POST", "/api/v1/enterprises/{id}/managers", httpx.Authenticated, h.createManager},
		{"GET", "/api/v1/managers/{id}", httpx.Authenticated, h.getManager},
		{"PATCH", "/api/v1/managers/{id}", httpx.Authenticated, h.updateManager},
		{"GET", "/api/v1/managers/{id}/history", httpx.Authenticated, h.managerHistory},
		{"GET", "/api/v1/manager-links", httpx.Staff, h.listLinkRequests},
		{"GET", "/api/v1/workbench", httpx.Authenticated, h.workbench},
		{"GET", "/api/v1/checklists", httpx.Authenticated, h.listChecklists},
		{"POST", "/api/v1/checklists", httpx.Authenticated, h.createChecklist},
		{"GET", "/api/v1/checklists/{id}", httpx.Authenticated, h.getChecklist},
		{"PUT", "/api/v1/checklists/{id}", httpx.Authenticated, h.updateChecklist},
		{"POST", "/api/v1/checklists/{id}/publish", httpx.Authenticated, h.publishChecklist},
		{"GET", "/api/v1/enterprises/{id}/inspections", httpx.Authenticated, h.listInspections},
		{"POST", "/api/v1/enterprises/{id}/inspections", httpx.Authenticated, h.startInspection},
		{"GET", "/api/v1/inspections/{id}", httpx.Authenticated, h.getInspection},
		{"PUT", "/api/v1/inspections/{id}/answers/{code}", httpx.Authenticated, h.saveAnswer},
		{"POST", "/api/v1/inspections/{id}/photos", httpx.Authenticated, h.addInspectionPhoto},
		{"POST", "/api/v1/inspections/{id}/submit", httpx.Authenticated, h.submitInspection},
		{"POST", "/api/v1/inspections/{id}/revise", httpx.Authenticated, h.reviseInspection},
		{"GET", "/api/v1/inspection-photos/{id}", httpx.Authenticated, httpx.DownloadByID(h.Service.InspectionPhoto, "private, max-age=3600")},
		{"GET", "/api/v1/enterprises/{id}/compliance", httpx.Authenticated, h.compliance},
		{"GET", "/api/v1/enterprises/{id}/points", httpx.Authenticated, h.listPoints},
		{"POST", "/api/v1/enterprises/{id}/points", httpx.Authenticated, h.createPoint},
		{"GET", "/api/v1/enterprises/{id}/obligations", httpx.Authenticated, h.listObligations},
		{"GET", "/api/v1/enterprises/{id}/obligation-facts", httpx.Authenticated, h.getObligationFacts},
		{"PUT", "/api/v1/enterprises/{id}/obligation-facts", httpx.Authenticated, h.putObligationFacts},
		{"POST", "/api/v1/obligations/{id}/done", httpx.Authenticated, h.obligationDone},
		{"GET", "/api/v1/enterprises/{id}/schedules", httpx.Authenticated, h.listSchedules},
		{"GET", "/api/v1/enterprises/{id}/calendar", httpx.Authenticated, h.dutyCalendar},
		{"POST", "/api/v1/enterprises/{id}/calendar", httpx.Authenticated, h.newDutyCalendar},
		{"DELETE", "/api/v1/enterprises/{id}/calendar", httpx.Authenticated, h.endDutyCalendar},
		{"PUT", "/api/v1/schedules/{id}", httpx.Staff, h.setSchedule},
		{"GET", "/api/v1/occurrences", httpx.Authenticated, h.listOccurrences},
		{"GET", "/api/v1/spot-plan", httpx.Staff, h.spotPlan},
		{"POST", "/api/v1/spot-plan", httpx.Staff, h.planSpotCheck},
		{"DELETE", "/api/v1/spot-plan/{id}", httpx.Staff, h.unplanSpotCheck},
		{"GET", "/api/v1/laws", httpx.Public, h.listLaws},
		{"POST", "/api/v1/laws", httpx.Admin, h.createLaw},
		{"GET", "/api/v1/laws/{id}", httpx.Public, h.getLaw},
		{"POST", "/api/v1/laws/{id}/versions", httpx.Admin, h.addLawVersion},
		{"GET", "/api/v1/laws/{id}/articles/{number}", httpx.Public, h.getArticle},
		{"GET", "/api/v1/laws/{id}/diff", httpx.Public, h.diffLaw},
		{"GET", "/api/v1/search/laws", httpx.Public, h.searchLaws},
		{"GET", "/api/v1/announcements", httpx.Authenticated, h.listAnnouncements},
		{"POST", "/api/v1/announcements", httpx.Staff, h.publishAnnouncement},
		{"POST", "/api/v1/announcements/preview", httpx.Staff, h.announcementReach},
		{"GET", "/api/v1/announcements/{id}", httpx.Authenticated, h.getAnnouncement},
		{"GET", "/api/v1/announcements/{id}/receipts", httpx.Staff, h.announcementReceipts},
		{"POST", "/api/v1/announcements/{id}/remind", httpx.Staff, h.remindUnread},
		{"POST", "/api/v1/announcements/{id}/quiz", httpx.Staff, h.addQuiz},
		{"GET", "/api/v1/announcements/{id}/quiz", httpx.Authenticated, h.getQuiz},
		{"POST", "/api/v1/announcements/{id}/quiz/answers", httpx.Authenticated, h.answerQuiz},
		{"GET", "/api/v1/announcements/{id}/quiz/attempts", httpx.Authenticated, h.quizAttempts},
		{"GET", "/api/v1/announcements/{id}/quiz/results", httpx.Staff, h.quizResults},
		{"GET", "/api/v1/providers", httpx.Authenticated, h.listProviders},
		{"POST", "/api/v1/providers", httpx.Authenticated, withBody(http.StatusCreated, h.Service.RegisterProvider)},
		{"GET", "/api/v1/providers/{id}", httpx.Authenticated, onID(http.StatusOK, h.Service.Provider)},
		{"PUT", "/api/v1/providers/{id}", httpx.Authenticated, withIDBody(http.StatusOK, h.Service.UpdateProvider)},
		{"POST", "/api/v1/providers/{id}/verify", httpx.Admin, onID(http.StatusOK, h.Service.VerifyProvider)},
		{"POST", "/api/v1/providers/{id}/grade", httpx.Admin, withIDBody(http.StatusOK, h.Service.GradeProvider)},
		{"POST", "/api/v1/providers/{id}/tie", httpx.Authenticated, h.declareTie},
		{"GET", "/api/v1/dashboards/county", httpx.Staff, h.dashboard(model.LevelCounty, false)},
		{"GET", "/api/v1/dashboards/county/export.xlsx", httpx.Staff, h.dashboard(model.LevelCounty, true)},
		{"GET", "/api/v1/dashboards/towns/{id}", httpx.Staff, h.dashboard(model.LevelTown, false)},
		{"GET", "/api/v1/dashboards/towns/{id}/export.xlsx", httpx.Staff, h.dashboard(model.LevelTown, true)},
		{"GET", "/api/v1/dashboards/enterprises/{id}", httpx.Authenticated, h.dashboard(model.LevelEnterprise, false)},
		{"GET", "/api/v1/dashboards/enterprises/{id}/export.xlsx", httpx.Authenticated, h.dashboard(model.LevelEnterprise, true)},
		{"GET", "/api/v1/appraisals", httpx.Authenticated, h.listAppraisals},
		{"POST", "/api/v1/appraisals/compute", httpx.Staff, withBody(http.StatusOK, h.Service.ComputeAppraisals)},
		{"POST", "/api/v1/appraisals/publish", httpx.Admin, withBody(http.StatusOK, h.Service.PublishAppraisals)},
		{"GET", "/api/v1/managers/{id}/appraisals/{year}", httpx.Authenticated, h.getAppraisal},
		{"POST", "/api/v1/managers/{id}/appraisals/{year}/confirm", httpx.Staff, h.confirmAppraisal},
		{"GET", "/api/v1/settings/appraisal", httpx.Staff, h.getAppraisalRules},
		{"PUT", "/api/v1/settings/appraisal", httpx.Admin, withBody(http.StatusOK, h.Service.SetAppraisalRules)},
		{"GET", "/api/v1/factors", httpx.Authenticated, h.listFactors},
		{"POST", "/api/v1/factors", httpx.Admin, withBody(http.StatusCreated, h.Service.AddFactor)},
		{"PUT", "/api/v1/factors/{id}", httpx.Admin, withIDBody(http.StatusOK, h.Service.UpdateFactor)},
		{"GET", "/api/v1/enterprises/{id}/activity/{month}", httpx.Authenticated, h.getActivity},
		{"PUT", "/api/v1/enterprises/{id}/activity/{month}", httpx.Authenticated, h.putActivity},
		{"GET", "/api/v1/enterprises/{id}/emissions", httpx.Authenticated, h.onIDYear(h.Service.Emissions)},
		{"POST", "/api/v1/enterprises/{id}/emissions/{year}/refactor", httpx.Authenticated, h.onIDYear(h.Service.RefactorYear)},
		{"GET", "/api/v1/enterprises/{id}/emissions/{year}/export.xlsx", httpx.Authenticated, h.exportEmissions},
		{"POST", "/api/v1/enterprises/{id}/emissions/import", httpx.Authenticated, h.importEmissions},
		{"GET", "/api/v1/demands", httpx.Authenticated, h.listDemands},
		{"POST", "/api/v1/demands", httpx.Authenticated, withBody(http.StatusCreated, h.Service.PostDemand)},
		{"GET", "/api/v1/demands/{id}", httpx.Authenticated, onID(http.StatusOK, h.Service.Demand)},
		{"PUT", "/api/v1/demands/{id}", httpx.Authenticated, withIDBody(http.StatusOK, h.Service.UpdateDemand)},
		{"POST", "/api/v1/demands/{id}/review", httpx.Staff, withIDBody(http.StatusOK, h.Service.ReviewDemand)},
		{"POST", "/api/v1/demands/{id}/close", httpx.Authenticated, onID(http.StatusOK, h.Service.CloseQuoting)},
		{"POST", "/api/v1/demands/{id}/cancel", httpx.Authenticated, onID(http.StatusOK, h.Service.CancelDemand)},
		{"GET", "/api/v1/demands/{id}/matches", httpx.Authenticated, h.demandMatches},
		{"POST", "/api/v1/demands/{id}/attachments", httpx.Authenticated, uploadOnID(h.Service.AddDemandAttachment)},
		{"GET", "/api/v1/demands/{id}/attachments/{n}", httpx.Authenticated, httpx.DownloadByIDs(h.Service.DemandAttachment, "private, max-age=3600")},
		{"POST", "/api/v1/demands/{id}/quotes", httpx.Authenticated, withIDBody(http.StatusCreated, h.Service.SendQuote)},
		{"GET", "/api/v1/demands/{id}/quotes", httpx.Authenticated, listOnID(h.Service.Quotes)},
		{"GET", "/api/v1/quotes/{id}", httpx.Authenticated, onID(http.StatusOK, h.Service.Quote)},
		{"PUT", "/api/v1/quotes/{id}", httpx.Authenticated, withIDBody(http.StatusOK, h.Service.ReviseQuote)},
		{"POST", "/api/v1/quotes/{id}/accept", httpx.Authenticated, onID(http.StatusCreated, h.Service.AcceptQuote)},
		{"GET", "/api/v1/deals", httpx.Authenticated, h.listDeals},
		{"GET", "/api/v1/deals/{id}", httpx.Authenticated, onID(http.StatusOK, h.Service.Deal)},
		{"PATCH", "/api/v1/deals/{id}", httpx.Authenticated, withIDBody(http.StatusOK, h.Service.PatchDeal)},
		{"POST", "/api/v1/deals/{id}/ratings", httpx.Authenticated, withIDBody(http.StatusOK, h.Service.RateDeal)},
		{"POST", "/api/v1/deals/{id}/evidence", httpx.Authenticated, uploadOnID(h.Service.AddDealEvidence)},
		{"GET", "/api/v1/deals/{id}/evidence/{n}", httpx.Authenticated, httpx.DownloadByIDs(h.Service.DealEvidence, "private, max-age=3600")},
		{"GET", "/api/v1/savings", httpx.Staff, h.savings},
		{"GET", "/api/v1/cases", httpx.Authenticated, h.listCases},
		{"POST", "/api/v1/cases", httpx.Authenticated, withBody(http.StatusCreated, h.Service.SubmitCase)},
		{"GET", "/api/v1/cases/leads", httpx.Staff, h.caseLeads},
		{"GET", "/api/v1/cases/{id}", httpx.Authenticated, onID(http.StatusOK, h.Service.Case)},
		{"PUT", "/api/v1/cases/{id}", httpx.Authenticated, withIDBody(http.StatusOK, h.Service.UpdateCase)},
		{"POST", "/api/v1/cases/{id}/review", httpx.Admin, withIDBody(http.StatusOK, h.Service.ReviewCase)},
		{"POST", "/api/v1/cases/{id}/attachments", httpx.Authenticated, uploadOnID(h.Service.AddCaseAttachment)},
		{"GET", "/api/v1/cases/{id}/attachments/{n}", httpx.Authenticated, httpx.DownloadByIDs(h.Service.CaseAttachment, "private, max-age=3600")},
		{"POST", "/api/v1/cases/{id}/interest", httpx.Authenticated, h.markCaseInterest},
		{"GET", "/api/v1/cases/{id}/readers", httpx.Staff, listOnID(h.Service.CaseReaders)},
		{"GET", "/api/v1/tasks", httpx.Authenticated, h.listTasks},
		{"GET", "/api/v1/honesty-flags", httpx.Staff, h.listHonestyFlags},
		{"GET", "/api/v1/tasks/{id}", httpx.Authenticated, h.getTask},
		{"POST", "/api/v1/tasks/{id}/owner", httpx.Authenticated, h.setTaskOwner},
		{"POST", "/api/v1/tasks/{id}/evidence", httpx.Authenticated, h.addTaskEvidence},
		{"GET", "/api/v1/tasks/{id}/evidence/{n}", httpx.Authenticated, httpx.DownloadByIDs(h.Service.TaskEvidence, "private, max-age=3600")},
		{"POST", "/api/v1/tasks/{id}/submit", httpx.Authenticated, h.submitTask},
		{"POST", "/api/v1/tasks/{id}/verify", httpx.Authenticated, h.verifyTask},
		{"GET", "/api/v1/stats", httpx.Staff, h.stats},
		{"POST", "/api/v1/managers/{id}/link", httpx.Staff, h.decideLink},
		{"GET", "/api/v1/enterprises/export.xlsx", httpx.Authenticated, h.exportEnterprises},
		{"GET", "/api/v1/imports/template.xlsx", httpx.Staff, h.importTemplate},
		{"POST", "/api/v1/imports", httpx.Staff, h.createImport},
		{"GET", "/api/v1/imports/{id}", httpx.Staff, h.getImport},
		{"GET", "/api/v1/imports/{id}/report.xlsx", httpx.Staff, h.importReport},
		{"POST", "/api/v1/imports/{id}/confirm", httpx.Staff, h.confirmImport},
		{"GET", "/api/v1/settings/training", httpx.Authenticated, h.getTrainingSettings},
		{"PUT", "/api/v1/settings/training", httpx.Admin, h.putTrainingSettings},
		{"GET", "/api/v1/settings/inspection", httpx.Authenticated, h.getInspectionSettings},
		{"PUT", "/api/v1/settings/inspection", httpx.Admin, h.putInspectionSettings},
		{"GET", "/api/v1/settings/security", httpx.Admin, h.getSecuritySettings},
		{"PUT", "/api/v1/settings/security", httpx.Admin, h.putSecuritySettings},
		{"GET", "/api/v1/lecturers", httpx.Public, h.listLecturers},
		{"POST", "/api/v1/lecturers", httpx.Admin, h.createLecturer},
		{"GET", "/api/v1/lecturers/{id}", httpx.Public, h.getLecturer},
		{"PUT", "/api/v1/lecturers/{id}", httpx.Admin, h.updateLecturer},
		{"PUT", "/api/v1/lecturers/{id}/photo", httpx.Admin, h.putPhoto(h.Service.SetLecturerPhoto)},
		{"GET", "/api/v1/lecturers/{id}/photo", httpx.Public, httpx.ServeByID(h.Service.LecturerPhoto, "public, max-age=3600")},
		{"GET", "/api/v1/courses", httpx.Optional, h.listCourses},
		{"POST", "/api/v1/courses", httpx.Admin, h.createCourse},
		{"GET", "/api/v1/courses/{id}", httpx.Optional, h.getCourse},
		{"PUT", "/api/v1/courses/{id}", httpx.Admin, h.updateCourse},
		{"POST", "/api/v1/courses/{id}/materials", httpx.Admin, h.addMaterial},
		{"GET", "/api/v1/materials/{id}", httpx.Authenticated, httpx.DownloadByID(h.Service.Material, "private, max-age=3600")},
		{"POST", "/api/v1/courses/{id}/classes", httpx.Staff, h.createClass},
		{"GET", "/api/v1/classes", httpx.Optional, h.listClasses},
		{"GET", "/api/v1/classes/{id}", httpx.Optional, h.getClass},
		{"PATCH", "/api/v1/classes/{id}", httpx.Staff, h.updateClass},
		{"POST", "/api/v1/classes/{id}/cancel", httpx.Staff, h.cancelClass},
		{"POST", "/api/v1/classes/{id}/complete", httpx.Authenticated, h.completeClass},
		{"GET", "/api/v1/classes/{id}/feedback", httpx.Authenticated, h.classFeedback},
		{"POST", "/api/v1/classes/{id}/bookings", httpx.Authenticated, h.createBooking},
		{"GET", "/api/v1/classes/{id}/bookings", httpx.Authenticated, h.classBookings},
		{"POST", "/api/v1/classes/{id}/checkins", httpx.Authenticated, h.checkIn},
		{"GET", "/api/v1/classes/{id}/rotating-code", httpx.Authenticated, h.rotatingCode},
		{"POST", "/api/v1/classes/{id}/self-checkins", httpx.Authenticated, h.selfCheckIn},
		{"GET", "/api/v1/bookings", httpx.Authenticated, h.listBookings},
		{"GET", "/api/v1/bookings/{id}", httpx.Authenticated, h.getBooking},
		{"DELETE", "/api/v1/bookings/{id}", httpx.Authenticated, h.cancelBooking},
		{"POST", "/api/v1/bookings/{id}/accept", httpx.Authenticated, h.acceptOffer},
		{"POST", "/api/v1/bookings/{id}/position", httpx.Admin, h.moveInWaitlist},
		{"PUT", "/api/v1/bookings/{id}/attendance", httpx.Authenticated, h.setAttendance},
		{"POST", "/api/v1/bookings/{id}/feedback", httpx.Authenticated, h.giveFeedback},
		{"GET", "/api/v1/bookings/{id}/certificate", httpx.Authenticated, h.bookingCertificate},
		{"GET", "/api/v1/bookings/{id}/qr.png", httpx.Authenticated, httpx.QRByID(h.Service.BookingCode)},
		{"GET", "/api/v1/credits", httpx.Authenticated, h.listCredits},
		{"GET", "/api/v1/managers/{id}/credits", httpx.Authenticated, h.managerCredits},
		{"GET", "/api/v1/managers/{id}/calendar", httpx.Authenticated, h.managerCalendar},
		{"POST", "/api/v1/managers/{id}/calendar", httpx.Authenticated, h.newManagerCalendar},
		{"DELETE", "/api/v1/managers/{id}/calendar", httpx.Authenticated, h.endManagerCalendar},
		{"GET", "/api/v1/certificates/{code}", httpx.Public, h.verifyCertificate},
		{"GET", "/api/v1/topics", httpx.Authenticated, h.listTopics},
		{"POST", "/api/v1/topics", httpx.Authenticated, h.proposeTopic},
		{"GET", "/api/v1/topics/{id}", httpx.Authenticated, h.getTopic},
		{"POST", "/api/v1/topics/{id}/votes", httpx.Authenticated, h.voteTopic},
		{"POST", "/api/v1/topics/{id}/course", httpx.Admin, h.adoptTopic},
		{"GET", "/api/v1/notifications", httpx.Authenticated, h.listNotifications},
		{"POST", "/api/v1/notifications/read", httpx.Authenticated, h.readAllNotifications},
		{"POST", "/api/v1/notifications/{id}/read", httpx.Authenticated, h.readNotification},
	}
}

// Register adds every route to mux behind its permission check, and answers
// unknown API paths in the API's error shape.
func (h *Handler) Register(mux *http.ServeMux) {
	var patterns []string
	for _, rt := range h.Routes() {
		mux.Handle(rt.Method+" "+rt.Path, h.guard(rt.Perm, h.adapt(rt.Handle)))
		patterns = append(patterns, rt.Method+" "+rt.Path)
	}
	methods := httpx.NewMethods(patterns)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if allow := methods.Allowed(r); allow != nil {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			h.fail(w, r, model.Errorf(model.ErrMethodNotAllowed, "err.method_not_allowed"))
			return
		}
		h.fail(w, r, model.NotFound())
	})
}

// guard authenticates the bearer token and enforces the permission.
func (h *Handler) guard(p httpx.Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := httpx.CheckBytes(r); err != nil {
			h.fail(w, r, err)
			return
		}
		if p == httpx.Public {
			next.ServeHTTP(w, r)
			return
		}
		secret, ok := bearer(r)
		if !ok && p == httpx.Optional {
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
		if u.MustChangePassword && !passwordChangeAllows(r) {
			h.fail(w, r.WithContext(ctx), model.Errorf(model.ErrForbidden, "err.password_change_required"))
			return
		}
		if !p.Allows(u) {
			h.fail(w, r.WithContext(ctx), model.Errorf(model.ErrForbidden, "err.forbidden"))
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// passwordChangeAllows lists what an account that must change its password
// may do first: read itself, change the password, end the token.
func passwordChangeAllows(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/v1/me/password" ||
		r.Method == http.MethodGet && r.URL.Path == "/api/v1/me" ||
		r.Method == http.MethodDelete && r.URL.Path == "/api/v1/auth/token"
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

// adapt runs a handler and answers its error in the API's error shape.
func (h *Handler) adapt(fn httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.fail(w, r, err)
		}
	})
}
