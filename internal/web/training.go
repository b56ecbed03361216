package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

// ---- Check-in ----

type scanData struct {
	K      *model.Class
	Result *model.CheckIn
	Code   string
}

// scanPage is the runners' phone page: the camera reads personal QR codes
// (jsQR, vendored), or the code is typed.
func (h *Handler) scanPage(w http.ResponseWriter, r *http.Request) {
	k, ok := h.runnerClass(w, r)
	if !ok {
		return
	}
	v := h.newView(r, "page.scan", &scanData{K: k})
	h.render(w, r, http.StatusOK, "scan", v)
}

// runnerClass loads the {id} class for one of its runners.
func (h *Handler) runnerClass(w http.ResponseWriter, r *http.Request) (*model.Class, bool) {
	id, err := httpx.PathID(r, "id")
	var k *model.Class
	if err == nil {
		k, err = h.Store.Class(r.Context(), id)
	}
	if err == nil && !h.Store.CanRunClass(r.Context(), actor(r), k) {
		err = model.NotFound()
	}
	if err != nil {
		h.renderError(w, r, err)
		return nil, false
	}
	return k, true
}

func (h *Handler) scanCode(w http.ResponseWriter, r *http.Request) {
	k, ok := h.runnerClass(w, r)
	if !ok {
		return
	}
	d := &scanData{K: k, Code: r.FormValue("code")}
	v := h.newView(r, "page.scan", d)
	res, err := h.Store.CheckIn(r.Context(), actor(r), k.ID, d.Code)
	if err != nil {
		h.formError(w, r, "scan", v, err)
		return
	}
	d.Result, d.Code = res, ""
	h.render(w, r, http.StatusOK, "scan", v)
}

type displayData struct {
	K       *model.Class
	Code    string
	URL     string
	Expires time.Time
}

// displayPage shows the class's rotating QR code on the classroom screen;
// it reloads itself when the code changes.
func (h *Handler) displayPage(w http.ResponseWriter, r *http.Request) {
	k, ok := h.runnerClass(w, r)
	if !ok {
		return
	}
	code, next, err := h.Store.RotatingCode(r.Context(), actor(r), k)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	d := &displayData{K: k, Code: code, Expires: next, URL: fmt.Sprintf("%s/classes/%d/checkin?t=%s", h.origin(r), k.ID, code)}
	secs := int(time.Until(next).Seconds()) + 1
	if secs < 1 || secs > 60 {
		secs = 5
	}
	w.Header().Set("Refresh", strconv.Itoa(secs))
	h.render(w, r, http.StatusOK, "display", h.newView(r, "page.display", d))
}

func (h *Handler) displayQR(w http.ResponseWriter, r *http.Request) {
	k, ok := h.runnerClass(w, r)
	if !ok {
		return
	}
	code, _, err := h.Store.RotatingCode(r.Context(), actor(r), k)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	httpx.WriteQR(w, fmt.Sprintf("%s/classes/%d/checkin?t=%s", h.origin(r), k.ID, code))
}

type selfCheckInData struct {
	K        *model.Class
	Token    string
	Bookings []*model.Booking
	Result   *model.CheckIn
}

// selfCheckInPage is where a manager's phone lands after scanning the
// class's rotating code: the enterprise's confirmed bookings of the class.
func (h *Handler) selfCheckInPage(w http.ResponseWriter, r *http.Request) {
	v, err := h.selfCheckInView(r)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "self_checkin", v)
}

func (h *Handler) selfCheckInView(r *http.Request) (*view, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	k, err := h.Store.Class(r.Context(), id)
	if err != nil {
		return nil, err
	}
	bs, err := h.Store.ClassBookings(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	d := &selfCheckInData{K: k, Token: r.FormValue("t")}
	ent := actor(r).Scope().EnterpriseID
	for _, b := range bs {
		if b.Status == model.BookingConfirmed && (ent == 0 || b.EnterpriseID == ent) {
			d.Bookings = append(d.Bookings, b)
		}
	}
	return h.newView(r, "page.self_checkin", d), nil
}

func (h *Handler) selfCheckIn(w http.ResponseWriter, r *http.Request) {
	v, err := h.selfCheckInView(r)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	d := v.Data.(*selfCheckInData)
	bid, _ := strconv.ParseInt(r.FormValue("booking_id"), 10, 64)
	res, err := h.Store.SelfCheckIn(r.Context(), actor(r), d.K.ID, bid, d.Token)
	if err != nil {
		h.formError(w, r, "self_checkin", v, err)
		return
	}
	d.Result = res
	h.render(w, r, http.StatusOK, "self_checkin", v)
}

// sheetPage is the printable sign-in sheet of a class.
func (h *Handler) sheetPage(w http.ResponseWriter, r *http.Request) {
	k, ok := h.runnerClass(w, r)
	if !ok {
		return
	}
	bs, err := h.Store.ClassBookings(r.Context(), actor(r), k.ID)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	var confirmed []*model.Booking
	for _, b := range bs {
		if b.Status == model.BookingConfirmed {
			confirmed = append(confirmed, b)
		}
	}
	v := h.newView(r, "page.sheet", map[string]any{"K": k, "Bookings": confirmed})
	h.render(w, r, http.StatusOK, "sheet", v)
}

// ---- Certificates ----

type certificateData struct {
	C         *model.Certificate
	VerifyURL string
	Code      string
}

// certificatePage is the printable certificate; anyone with its code may
// open it, and it shows the certificate and nothing more.
func (h *Handler) certificatePage(w http.ResponseWriter, r *http.Request) {
	c, err := h.Store.CertificateByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	d := &certificateData{C: c, VerifyURL: h.origin(r) + "/verify?code=" + c.Code}
	h.render(w, r, http.StatusOK, "certificate", h.newView(r, "page.certificate", d))
}

func (h *Handler) certificateQR(w http.ResponseWriter, r *http.Request) {
	c, err := h.Store.CertificateByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	httpx.WriteQR(w, h.origin(r)+"/verify?code="+c.Code)
}

// verifyPage checks a certificate code typed or scanned.
func (h *Handler) verifyPage(w http.ResponseWriter, r *http.Request) {
	d := &certificateData{Code: strings.TrimSpace(r.URL.Query().Get("code"))}
	v := h.newView(r, "page.verify", d)
	status := http.StatusOK
	if d.Code != "" {
		c, err := h.Store.CertificateByCode(r.Context(), d.Code)
		switch {
		case err == nil:
			d.C = c
		case model.IsCode(err, model.ErrNotFound):
			v.Error = v.T("verify.not_found")
			status = http.StatusNotFound
		default:
			h.renderError(w, r, err)
			return
		}
	}
	h.render(w, r, status, "verify", v)
}

// ---- Credit hours ----

type creditsData struct {
	Year    int
	Behind  bool
	Region  string
	Regions []model.Region
	List    model.List[model.CreditProgress]
	Staff   bool
}

func (h *Handler) creditsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a := actor(r)
	d := &creditsData{Behind: q.Get("behind") == "1", Region: q.Get("region"), Staff: isStaff(a.User)}
	v := h.newView(r, "page.credits", d)
	year, err := model.ParseYear(q.Get("year"), h.Store.Now())
	d.Year = year
	if err != nil {
		h.formError(w, r, "credits", v, err)
		return
	}
	var region *int64
	if id, err := strconv.ParseInt(d.Region, 10, 64); err == nil && id > 0 {
		region = &id
	}
	p, err := model.ParsePage(q.Get("limit"), q.Get("cursor"))
	if err != nil {
		h.formError(w, r, "credits", v, err)
		return
	}
	if d.List, err = h.Store.CreditProgressList(r.Context(), a, year, d.Behind, region, p); err != nil {
		h.renderError(w, r, err)
		return
	}
	if d.Staff {
		if d.Regions, err = h.Store.Regions(r.Context()); err != nil {
			h.renderError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "credits", v)
}

func (h *Handler) managerCreditsPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	year, err := model.ParseYear(r.URL.Query().Get("year"), h.Store.Now())
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	p, recs, err := h.Store.CreditHistory(r.Context(), actor(r), id, year)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	v := h.newView(r, "page.manager_credits", map[string]any{"P": p, "History": recs})
	v.Title = p.Name + " · " + v.T("page.manager_credits")
	h.render(w, r, http.StatusOK, "manager_credits", v)
}

// ---- Topics ----

func (h *Handler) topicsPage(w http.ResponseWriter, r *http.Request) {
	h.renderTopics(w, r, nil, model.Topic{})
}

func (h *Handler) renderTopics(w http.ResponseWriter, r *http.Request, err error, draft model.Topic) {
	ts, lerr := h.Store.Topics(r.Context(), actor(r), "")
	if lerr != nil {
		h.renderError(w, r, lerr)
		return
	}
	v := h.newView(r, "page.topics", map[string]any{"Topics": ts, "Draft": draft,
		"CanVote": actor(r).Scope().EnterpriseID != 0, "Admin": isRole(r, model.RoleAdmin)})
	if err != nil {
		h.formError(w, r, "topics", v, err)
		return
	}
	h.render(w, r, http.StatusOK, "topics", v)
}

func (h *Handler) proposeTopic(w http.ResponseWriter, r *http.Request) {
	t := model.Topic{Title: r.FormValue("title"), Description: r.FormValue("description")}
	if _, err := h.Store.ProposeTopic(r.Context(), actor(r), t); err != nil {
		h.renderTopics(w, r, err, t)
		return
	}
	redirect(w, r, "/topics", "flash.saved")
}

func (h *Handler) voteTopic(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = h.Store.VoteTopic(r.Context(), actor(r), id)
	}
	if err != nil {
		h.renderTopics(w, r, err, model.Topic{})
		return
	}
	redirect(w, r, "/topics", "flash.voted")
}

// ---- Notifications ----

func (h *Handler) notificationsPage(w http.ResponseWriter, r *http.Request) {
	u := actor(r).User
	p, err := model.ParsePage(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	l, err := h.Store.Notifications(r.Context(), u.ID, p)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	v := h.newView(r, "page.notifications", l)
	for _, n := range l.Items {
		n.Text = h.Notices.Text(v.Lang, n)
	}
	h.render(w, r, http.StatusOK, "notifications", v)
}

func (h *Handler) readNotifications(w http.ResponseWriter, r *http.Request) {
	if err := h.Store.MarkNotificationsRead(r.Context(), actor(r).User.ID, 0); err != nil {
		h.renderError(w, r, err)
		return
	}
	redirect(w, r, "/notifications", "flash.saved")
}

// ---- Settings ----

func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request) {
	t, err := h.Store.TrainingSettings(r.Context())
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "settings", h.newView(r, "page.settings", &t))
}

func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request) {
	vd := model.Validation{}
	t := model.TrainingSettings{WaitlistMode: r.FormValue("waitlist_mode")}
	var err error
	if t.RequiredHours, err = strconv.ParseFloat(strings.TrimSpace(r.FormValue("required_hours")), 64); err != nil {
		vd.Add("required_hours", "err.field.hours")
	}
	t.OfferHours = atoiField(vd, "offer_hours", r.FormValue("offer_hours"))
	t.LateMinutes = atoiField(vd, "late_minutes", r.FormValue("late_minutes"))
	err = vd.Err()
	if err == nil {
		err = h.Store.SetTrainingSettings(r.Context(), actor(r), t)
	}
	if err != nil {
		h.formError(w, r, "settings", h.newView(r, "page.settings", &t), err)
		return
	}
	redirect(w, r, "/settings/training", "flash.saved")
}

// ---- Calendar ----

// calendar serves a manager's classes as an iCalendar feed; its address
// is its secret, as calendar apps send no credentials.
func (h *Handler) calendar(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimSuffix(r.PathValue("token"), ".ics")
	bs, err := h.Store.CalendarBookings(r.Context(), tok)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Write(ICalendar(bs, h.Store.Now(), h.origin(r)))
}

// ICalendar writes bookings as an RFC 5545 calendar (CRLF lines, escaped
// text, UTC times); a cancelled class is sent as CANCELLED.
func ICalendar(bs []*model.Booking, now time.Time, origin string) []byte {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\r\n") }
	esc := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)
	utc := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//envhome//course supermarket//ZH")
	line("CALSCALE:GREGORIAN")
	line("X-WR-CALNAME:" + esc.Replace("环保管理员课程"))
	for _, bk := range bs {
		k := bk.Class
		if bk.Status == model.BookingCancelled {
			continue
		}
		line("BEGIN:VEVENT")
		line(fmt.Sprintf("UID:booking-%d@envhome", bk.ID))
		line("DTSTAMP:" + utc(now))
		line("DTSTART:" + utc(k.StartsAt))
		line("DTEND:" + utc(k.EndsAt))
		summary := k.CourseTitle
		if bk.Status == model.BookingWaitlisted {
			summary = "（候补）" + summary
		}
		line("SUMMARY:" + esc.Replace(summary))
		line("LOCATION:" + esc.Replace(strings.TrimSpace(k.HomeName+" "+k.RoomName)))
		line("DESCRIPTION:" + esc.Replace(bk.ManagerName+" · "+bk.EnterpriseName))
		line(fmt.Sprintf("URL:%s/bookings/%d", origin, bk.ID))
		if k.Status == model.ClassCancelled {
			line("STATUS:CANCELLED")
		} else {
			line("STATUS:CONFIRMED")
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}
