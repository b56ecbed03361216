package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

// Route is httpx.Route under a local name, so that the table below can list
// its fields by position.
type Route httpx.Route

// Routes lists every web route with its permission.
func (h *Handler) Routes() []Route {
	return []Route{
		{"GET", "/static/{file...}", httpx.Public, h.static},
		{"GET", "/manifest.webmanifest", httpx.Public, h.manifest},
		{"GET", "/sw.js", httpx.Public, h.serviceWorker},
		{"GET", "/offline", httpx.Public, h.offlinePage},
		{"GET", "/login", httpx.Public, h.loginPage},
		{"POST", "/login", httpx.Public, h.login},
		{"GET", "/forgot", httpx.Public, h.forgotPage},
		{"POST", "/forgot", httpx.Public, h.forgot},
		{"GET", "/reset", httpx.Public, h.resetPage},
		{"POST", "/reset", httpx.Public, h.reset},
		{"POST", "/logout", httpx.Public, h.logout},
		{"POST", "/language", httpx.Public, h.setLanguage},
		{"GET", "/{$}", httpx.Authenticated, h.home},
		{"GET", "/account", httpx.Authenticated, h.accountPage},
		{"POST", "/account/profile", httpx.Authenticated, h.updateProfile},
		{"POST", "/account/password", httpx.Authenticated, h.changePassword},
		{"POST", "/account/notices", httpx.Authenticated, h.setNoticeChannels},
		{"POST", "/account/2fa", httpx.Authenticated, h.startTwoFactor},
		{"GET", "/account/2fa/qr.png", httpx.Authenticated, h.twoFactorQR},
		{"POST", "/account/2fa/confirm", httpx.Authenticated, h.confirmTwoFactor},
		{"POST", "/account/2fa/off", httpx.Authenticated, h.disableTwoFactor},
		{"POST", "/account/tokens", httpx.Authenticated, h.createToken},
		{"POST", "/account/tokens/{id}/revoke", httpx.Authenticated, h.revokeToken},
		{"GET", "/admin/users", httpx.Admin, h.usersPage},
		{"GET", "/admin/users/new", httpx.Admin, h.newUserPage},
		{"POST", "/admin/users", httpx.Admin, h.createUser},
		{"GET", "/admin/users/{id}", httpx.Admin, h.userPage},
		{"POST", "/admin/users/{id}", httpx.Admin, h.updateUser},
		{"POST", "/admin/security", httpx.Admin, h.setSecurity},
		{"GET", "/admin/audit", httpx.Admin, h.auditPage},
		{"GET", "/admin/audit/export.xlsx", httpx.Admin, h.exportAudit},
		{"GET", "/directory/enterprises", httpx.Authenticated, h.enterprisesPage},
		{"GET", "/directory/enterprises/new", httpx.Staff, h.newEnterprisePage},
		{"GET", "/directory/enterprises/export.xlsx", httpx.Authenticated, h.exportEnterprises},
		{"GET", "/directory/import", httpx.Staff, h.importPage},
		{"GET", "/directory/import/template.xlsx", httpx.Staff, h.importTemplate},
		{"POST", "/directory/import", httpx.Staff, h.startImport},
		{"GET", "/directory/import/{id}", httpx.Staff, h.importJobPage},
		{"GET", "/directory/import/{id}/report.xlsx", httpx.Staff, h.importReport},
		{"POST", "/directory/import/{id}/confirm", httpx.Staff, h.confirmImport},
		{"POST", "/directory/enterprises", httpx.Staff, h.createEnterprise},
		{"GET", "/directory/enterprises/{id}", httpx.Authenticated, h.enterprisePage},
		{"GET", "/directory/enterprises/{id}/edit", httpx.Authenticated, h.editEnterprisePage},
		{"POST", "/directory/enterprises/{id}", httpx.Authenticated, h.updateEnterprise},
		{"POST", "/directory/enterprises/{id}/managers", httpx.Authenticated, h.createManager},
		{"POST", "/directory/enterprises/{id}/accounts/{uid}/reset", httpx.Staff, h.resetAccount},
		{"GET", "/directory/managers/{id}", httpx.Authenticated, h.viewPage("manager", h.managerView)},
		{"POST", "/directory/managers/{id}", httpx.Authenticated, h.updateManager},
		{"GET", "/directory/links", httpx.Staff, h.linksPage},
		{"POST", "/directory/managers/{id}/link", httpx.Staff, h.decideLink},
		{"GET", "/directory/regions", httpx.Authenticated, h.regionsPage},
		{"POST", "/directory/regions", httpx.Admin, h.createRegion},
		{"POST", "/directory/associations", httpx.Admin, h.createAssociation},
		{"POST", "/directory/homes", httpx.Staff, h.createHome},
		{"GET", "/directory/homes/{id}", httpx.Staff, h.homePage},
		{"POST", "/directory/homes/{id}", httpx.Staff, h.updateHome},
		{"POST", "/directory/homes/{id}/photo", httpx.Staff, h.uploadHomePhoto},
		{"GET", "/courses", httpx.Public, h.coursesPage},
		{"GET", "/courses/new", httpx.Admin, h.newCoursePage},
		{"POST", "/courses", httpx.Admin, h.saveCourse},
		{"GET", "/courses/{id}", httpx.Public, h.coursePage},
		{"GET", "/courses/{id}/edit", httpx.Admin, h.editCoursePage},
		{"POST", "/courses/{id}", httpx.Admin, h.saveCourse},
		{"POST", "/courses/{id}/materials", httpx.Admin, h.uploadMaterial},
		{"POST", "/courses/{id}/classes", httpx.Staff, h.createClass},
		{"GET", "/materials/{id}", httpx.Authenticated, httpx.DownloadByID(h.Service.Material, "private, max-age=3600")},
		{"GET", "/lecturers", httpx.Public, h.lecturersPage},
		{"GET", "/lecturers/new", httpx.Admin, h.lecturerFormPage},
		{"POST", "/lecturers", httpx.Admin, h.saveLecturer},
		{"GET", "/lecturers/{id}/edit", httpx.Admin, h.lecturerFormPage},
		{"POST", "/lecturers/{id}", httpx.Admin, h.saveLecturer},
		{"POST", "/lecturers/{id}/photo", httpx.Admin, h.uploadLecturerPhoto},
		{"GET", "/lecturers/{id}/photo", httpx.Public, httpx.ServeByID(h.Service.LecturerPhoto, "public, max-age=3600")},
		{"GET", "/classes/{id}", httpx.Public, h.classPage},
		{"POST", "/classes/{id}/bookings", httpx.Authenticated, h.bookClass},
		{"POST", "/classes/{id}/cancel", httpx.Staff, h.cancelClass},
		{"POST", "/classes/{id}/complete", httpx.Authenticated, h.completeClass},
		{"POST", "/classes/{id}/edit", httpx.Staff, h.updateClass},
		{"GET", "/classes/{id}/scan", httpx.Authenticated, h.scanPage},
		{"POST", "/classes/{id}/scan", httpx.Authenticated, h.scanCode},
		{"GET", "/classes/{id}/display", httpx.Authenticated, h.displayPage},
		{"GET", "/classes/{id}/display.png", httpx.Authenticated, h.displayQR},
		{"GET", "/classes/{id}/checkin", httpx.Authenticated, h.selfCheckInPage},
		{"POST", "/classes/{id}/checkin", httpx.Authenticated, h.selfCheckIn},
		{"GET", "/classes/{id}/sheet", httpx.Authenticated, h.sheetPage},
		{"GET", "/bookings/{id}", httpx.Authenticated, h.bookingPage},
		{"GET", "/bookings/{id}/qr.png", httpx.Authenticated, httpx.QRByID(h.Service.BookingCode)},
		{"POST", "/bookings/{id}/cancel", httpx.Authenticated, h.cancelBooking},
		{"POST", "/bookings/{id}/accept", httpx.Authenticated, h.acceptOffer},
		{"POST", "/bookings/{id}/attendance", httpx.Authenticated, h.setAttendance},
		{"POST", "/bookings/{id}/position", httpx.Admin, h.moveInWaitlist},
		{"POST", "/bookings/{id}/feedback", httpx.Authenticated, h.giveFeedback},
		{"POST", "/bookings/{id}/calendar", httpx.Authenticated, h.newCalendar},
		{"POST", "/bookings/{id}/calendar/end", httpx.Authenticated, h.endCalendar},
		{"GET", "/training", httpx.Authenticated, h.myTrainingPage},
		{"GET", "/credits", httpx.Authenticated, h.creditsPage},
		{"GET", "/credits/managers/{id}", httpx.Authenticated, h.managerCreditsPage},
		{"GET", "/certificates/{code}", httpx.Public, h.certificatePage},
		{"GET", "/certificates/{code}/qr.png", httpx.Public, h.certificateQR},
		{"GET", "/verify", httpx.Public, h.verifyPage},
		{"GET", "/topics", httpx.Authenticated, h.topicsPage},
		{"POST", "/topics", httpx.Authenticated, h.proposeTopic},
		{"POST", "/topics/{id}/votes", httpx.Authenticated, h.voteTopic},
		{"GET", "/notifications", httpx.Authenticated, h.notificationsPage},
		{"GET", "/more", httpx.Authenticated, h.morePage},
		{"GET", "/stats", httpx.Staff, h.statsPage},
		{"GET", "/checklists", httpx.Authenticated, h.checklistsPage},
		{"GET", "/checklists/{id}", httpx.Authenticated, h.checklistPage},
		{"POST", "/checklists/{id}/publish", httpx.Authenticated, h.publishChecklist},
		{"POST", "/directory/enterprises/{id}/inspections", httpx.Authenticated, h.startInspection},
		{"POST", "/directory/enterprises/{id}/obligation-facts", httpx.Authenticated, h.setObligationFacts},
		{"POST", "/directory/enterprises/{id}/points", httpx.Authenticated, h.createPoint},
		{"GET", "/points/{id}", httpx.Authenticated, h.scanPoint},
		{"GET", "/points/{id}/label", httpx.Authenticated, h.pointLabel},
		{"GET", "/points/{id}/qr.png", httpx.Authenticated, h.pointQR},
		{"POST", "/obligations/{id}/done", httpx.Authenticated, h.obligationDone},
		{"POST", "/directory/enterprises/{id}/duty-feed", httpx.Authenticated, h.newDutyFeed},
		{"POST", "/directory/enterprises/{id}/duty-feed/end", httpx.Authenticated, h.endDutyFeed},
		{"GET", "/duties/{token}", httpx.Public, h.dutyFeed},
		{"POST", "/schedules/{id}", httpx.Staff, h.setSchedule},
		{"GET", "/occurrences", httpx.Authenticated, h.occurrencesPage},
		{"GET", "/spot-plan", httpx.Staff, h.spotPlanPage},
		{"POST", "/spot-plan", httpx.Staff, h.planSpotCheck},
		{"POST", "/spot-plan/{id}/delete", httpx.Staff, h.unplanSpotCheck},
		{"GET", "/inspections/{id}", httpx.Authenticated, h.viewPage("inspection", h.inspectionView)},
		{"POST", "/inspections/{id}/answers/{code}", httpx.Authenticated, h.saveAnswer},
		{"POST", "/inspections/{id}/submit", httpx.Authenticated, h.submitInspection},
		{"POST", "/inspections/{id}/revise", httpx.Authenticated, h.reviseInspection},
		{"GET", "/inspection-photos/{id}", httpx.Authenticated, httpx.DownloadByID(h.Service.InspectionPhoto, "private, max-age=3600")},
		{"GET", "/announcements", httpx.Authenticated, h.announcementsPage},
		{"GET", "/announcements/new", httpx.Staff, h.newAnnouncementPage},
		{"POST", "/announcements/preview", httpx.Staff, h.previewAnnouncement},
		{"POST", "/announcements", httpx.Staff, h.publishAnnouncement},
		{"GET", "/announcements/{id}", httpx.Authenticated, h.announcementPage},
		{"GET", "/announcements/{id}/receipts", httpx.Staff, h.receiptsPage},
		{"POST", "/announcements/{id}/remind", httpx.Staff, h.remindUnread},
		{"POST", "/announcements/{id}/quiz", httpx.Staff, h.addQuiz},
		{"POST", "/announcements/{id}/quiz/answers", httpx.Authenticated, h.answerQuiz},
		{"GET", "/dashboards", httpx.Authenticated, h.myDashboard},
		{"GET", "/dashboards/export.xlsx", httpx.Staff, h.exportDashboard(model.LevelCounty)},
		{"GET", "/dashboards/towns/{id}", httpx.Staff, h.dashboardPage(model.LevelTown)},
		{"GET", "/dashboards/towns/{id}/export.xlsx", httpx.Staff, h.exportDashboard(model.LevelTown)},
		{"GET", "/dashboards/enterprises/{id}", httpx.Authenticated, h.dashboardPage(model.LevelEnterprise)},
		{"GET", "/dashboards/enterprises/{id}/export.xlsx", httpx.Authenticated, h.exportDashboard(model.LevelEnterprise)},
		{"GET", "/appraisals", httpx.Authenticated, h.appraisalsPage},
		{"POST", "/appraisals/compute", httpx.Staff, h.computeAppraisals},
		{"POST", "/appraisals/publish", httpx.Admin, h.publishAppraisals},
		{"POST", "/appraisals/rules", httpx.Admin, h.saveAppraisalRules},
		{"GET", "/appraisals/{id}/{year}", httpx.Authenticated, h.appraisalPage},
		{"POST", "/appraisals/{id}/{year}/confirm", httpx.Staff, h.confirmAppraisal},
		{"GET", "/factors", httpx.Authenticated, h.factorsPage},
		{"POST", "/factors", httpx.Admin, h.saveFactor},
		{"GET", "/carbon", httpx.Authenticated, h.myCarbon},
		{"GET", "/directory/enterprises/{id}/carbon", httpx.Authenticated, h.carbonPage},
		{"POST", "/directory/enterprises/{id}/carbon/refactor", httpx.Authenticated, h.refactorYear},
		{"GET", "/directory/enterprises/{id}/carbon/export.xlsx", httpx.Authenticated, h.exportCarbon},
		{"POST", "/directory/enterprises/{id}/carbon/import", httpx.Authenticated, h.importCarbon},
		{"GET", "/directory/enterprises/{id}/carbon/{month}", httpx.Authenticated, h.activityPage},
		{"POST", "/directory/enterprises/{id}/carbon/{month}", httpx.Authenticated, h.saveActivity},
		{"GET", "/market", httpx.Authenticated, h.marketPage},
		{"GET", "/providers", httpx.Authenticated, h.providersPage},
		{"GET", "/providers/new", httpx.Authenticated, h.newProviderPage},
		{"POST", "/providers", httpx.Authenticated, h.registerProvider},
		{"GET", "/providers/{id}", httpx.Authenticated, h.providerPage},
		{"GET", "/providers/{id}/edit", httpx.Authenticated, h.editProviderPage},
		{"POST", "/providers/{id}/edit", httpx.Authenticated, h.updateProvider},
		{"POST", "/providers/{id}/verify", httpx.Admin, h.verifyProvider},
		{"POST", "/providers/{id}/grade", httpx.Admin, h.gradeProvider},
		{"POST", "/providers/{id}/tie", httpx.Authenticated, h.declareTie},
		{"GET", "/demands/new", httpx.Authenticated, h.newDemandPage},
		{"POST", "/demands", httpx.Authenticated, h.postDemand},
		{"GET", "/demands/{id}", httpx.Authenticated, h.demandPage},
		{"GET", "/demands/{id}/edit", httpx.Authenticated, h.editDemandPage},
		{"POST", "/demands/{id}/edit", httpx.Authenticated, h.updateDemand},
		{"POST", "/demands/{id}/review", httpx.Staff, h.reviewDemand},
		{"POST", "/demands/{id}/close", httpx.Authenticated, h.closeQuoting},
		{"POST", "/demands/{id}/cancel", httpx.Authenticated, h.cancelDemand},
		{"POST", "/demands/{id}/quotes", httpx.Authenticated, h.sendQuote},
		{"POST", "/demands/{id}/attachments", httpx.Authenticated, h.addDemandAttachment},
		{"GET", "/demands/{id}/attachments/{n}", httpx.Authenticated, httpx.DownloadByIDs(h.Service.DemandAttachment, "private, max-age=3600")},
		{"POST", "/quotes/{id}/accept", httpx.Authenticated, h.acceptQuote},
		{"GET", "/deals/{id}", httpx.Authenticated, h.dealPage},
		{"POST", "/deals/{id}", httpx.Authenticated, h.patchDeal},
		{"POST", "/deals/{id}/ratings", httpx.Authenticated, h.rateDeal},
		{"POST", "/deals/{id}/evidence", httpx.Authenticated, h.addDealEvidence},
		{"GET", "/deals/{id}/evidence/{n}", httpx.Authenticated, httpx.DownloadByIDs(h.Service.DealEvidence, "private, max-age=3600")},
		{"GET", "/cases", httpx.Authenticated, h.casesPage},
		{"GET", "/cases/new", httpx.Authenticated, h.newCasePage},
		{"POST", "/cases", httpx.Authenticated, h.submitCase},
		{"GET", "/cases/leads", httpx.Staff, h.caseLeadsPage},
		{"GET", "/cases/{id}", httpx.Authenticated, h.casePage},
		{"GET", "/cases/{id}/edit", httpx.Authenticated, h.editCasePage},
		{"POST", "/cases/{id}/edit", httpx.Authenticated, h.updateCase},
		{"POST", "/cases/{id}/review", httpx.Admin, h.reviewCase},
		{"POST", "/cases/{id}/attachments", httpx.Authenticated, h.addCaseAttachment},
		{"GET", "/cases/{id}/attachments/{n}", httpx.Authenticated, httpx.DownloadByIDs(h.Service.CaseAttachment, "private, max-age=3600")},
		{"POST", "/cases/{id}/interest", httpx.Authenticated, h.markCaseInterest},
		{"GET", "/cases/{id}/readers", httpx.Staff, h.caseReadersPage},
		{"GET", "/laws", httpx.Public, h.lawsPage},
		{"POST", "/laws", httpx.Admin, h.createLaw},
		{"GET", "/laws/{id}", httpx.Public, h.lawPage},
		{"POST", "/laws/{id}/versions", httpx.Admin, h.addLawVersion},
		{"POST", "/laws/{id}/versions/text", httpx.Admin, h.addLawVersionText},
		{"GET", "/laws/{id}/articles/{key}", httpx.Public, h.articlePage},
		{"GET", "/laws/{id}/diff", httpx.Public, h.diffPage},
		{"GET", "/tasks", httpx.Authenticated, h.tasksPage},
		{"GET", "/honesty", httpx.Staff, h.honestyPage},
		{"GET", "/tasks/{id}", httpx.Authenticated, h.viewPage("task", h.taskView)},
		{"POST", "/tasks/{id}/owner", httpx.Authenticated, h.setTaskOwner},
		{"POST", "/tasks/{id}/evidence", httpx.Authenticated, h.addTaskEvidence},
		{"GET", "/tasks/{id}/evidence/{n}", httpx.Authenticated, httpx.DownloadByIDs(h.Service.TaskEvidence, "private, max-age=3600")},
		{"POST", "/tasks/{id}/submit", httpx.Authenticated, h.submitTask},
		{"POST", "/tasks/{id}/verify", httpx.Authenticated, h.verifyTask},
		{"POST", "/notifications/read", httpx.Authenticated, h.readNotifications},
		{"GET", "/settings/training", httpx.Admin, h.settingsPage},
		{"POST", "/settings/training", httpx.Admin, h.saveSettings},
		{"POST", "/settings/inspection", httpx.Admin, h.saveInspectionSettings},
		{"GET", "/calendar/{token}", httpx.Public, h.calendar},
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
		mux.Handle(rt.Method+" "+rt.Path, csrf.Handler(h.guard(rt.Perm, h.adapt(rt.Handle))))
	}
	mux.Handle("/", h.guard(httpx.Public, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, model.NotFound())
	})))
}

// guard loads the session, if any, and enforces the permission: a guest is
// sent to the login page, a logged-in account without the role gets 403.
func (h *Handler) guard(p httpx.Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := httpx.CheckBytes(r); err != nil {
			h.renderError(w, r, err)
			return
		}
		a := httpx.ActorFrom(r.Context())
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			u, _, err := h.Store.SessionUser(r.Context(), c.Value, h.Auth.SessionIdle(r.Context()))
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
		case p == httpx.Public:
		case a.User == nil:
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			} else {
				h.renderError(w, r, model.Errorf(model.ErrUnauthenticated, "err.session_expired"))
			}
			return
		case a.User.MustChangePassword && !passwordChangeAllows(r):
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/account?ok=flash.must_change_password#password", http.StatusSeeOther)
			} else {
				h.renderError(w, r, model.Errorf(model.ErrForbidden, "err.password_change_required"))
			}
			return
		case !twoFactorSetupAllows(r) && h.Auth.TwoFactorMissing(r.Context(), a.User):
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/account?ok=flash.two_factor_required#two-factor", http.StatusSeeOther)
			} else {
				h.renderError(w, r, model.Errorf(model.ErrForbidden, "err.two_factor_required"))
			}
			return
		case !p.Allows(a.User):
			h.renderError(w, r, model.Errorf(model.ErrForbidden, "err.forbidden"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// adapt runs a handler and shows its error as the friendly error page.
func (h *Handler) adapt(fn httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.renderError(w, r, err)
		}
	})
}

// twoFactorSetupAllows lists what a staff account the bureau requires
// two-factor sign-in of may do before it sets it up: what an account must
// do before changing its password, and the setup.
func twoFactorSetupAllows(r *http.Request) bool {
	return passwordChangeAllows(r) || strings.HasPrefix(r.URL.Path, "/account/2fa")
}

// passwordChangeAllows lists what an account whose password someone else
// chose may do before it changes it: see its account page, change the
// password, switch language, log out.
func passwordChangeAllows(r *http.Request) bool {
	switch r.URL.Path {
	case "/account", "/account/password", "/logout", "/language":
		return true
	}
	return strings.HasPrefix(r.URL.Path, "/static/")
}
