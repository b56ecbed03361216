package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

type certificateData struct {
	C         *model.Certificate
	VerifyURL string
	Code      string
}

// certificatePage is the printable certificate; anyone with its code may
// open it, and it shows the certificate and nothing more.
func (h *Handler) certificatePage(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Store.CertificateByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	d := &certificateData{C: c, VerifyURL: h.BaseURL + "/verify?code=" + c.Code}
	return h.render(w, r, http.StatusOK, "certificate", h.newView(r, "page.certificate", d))
}

func (h *Handler) certificateQR(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Store.CertificateByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	httpx.WriteQR(w, h.BaseURL+"/verify?code="+c.Code)
	return nil
}

// verifyPage checks a certificate code typed or scanned.
func (h *Handler) verifyPage(w http.ResponseWriter, r *http.Request) error {
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
			return err
		}
	}
	return h.render(w, r, status, "verify", v)
}

type creditsData struct {
	Year    int
	Behind  bool
	Region  string
	Regions []model.Region
	List    model.List[model.CreditProgress]
	Staff   bool
	Count   int // up to store.CountCap+1
}

func (h *Handler) creditsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	a := actor(r)
	d := &creditsData{Behind: q.Get("behind") == "1", Region: q.Get("region"), Staff: isStaff(a.User)}
	v := h.newView(r, "page.credits", d)
	year, err := model.ParseYear(q.Get("year"), h.Store.Now())
	d.Year = year
	if err != nil {
		return h.formError(w, r, "credits", v, err)
	}
	var region *int64
	if id, err := strconv.ParseInt(d.Region, 10, 64); err == nil && id > 0 {
		region = &id
	}
	p, err := model.ParsePage(q.Get("limit"), q.Get("cursor"))
	if err != nil {
		return h.formError(w, r, "credits", v, err)
	}
	if d.List, err = h.Store.CreditProgressList(r.Context(), a, year, d.Behind, region, p); err != nil {
		return err
	}
	if d.Count, err = h.Store.CountCreditProgress(r.Context(), a, year, d.Behind, region); err != nil {
		return err
	}
	if d.Staff {
		if d.Regions, err = h.Store.Regions(r.Context()); err != nil {
			return err
		}
	}
	return h.render(w, r, http.StatusOK, "credits", v)
}

func (h *Handler) managerCreditsPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	year, err := model.ParseYear(r.URL.Query().Get("year"), h.Store.Now())
	if err != nil {
		return err
	}
	p, recs, err := h.Store.CreditHistory(r.Context(), actor(r), id, year)
	if err != nil {
		return err
	}
	v := h.newView(r, "page.manager_credits", map[string]any{"P": p, "History": recs})
	v.Title = p.Name + " · " + v.T("page.manager_credits")
	return h.render(w, r, http.StatusOK, "manager_credits", v)
}

// calendar serves a manager's classes as an iCalendar feed; its address
// is its secret, as calendar apps send no credentials.
func (h *Handler) calendar(w http.ResponseWriter, r *http.Request) error {
	tok := strings.TrimSuffix(r.PathValue("token"), ".ics")
	bs, err := h.Store.CalendarBookings(r.Context(), tok)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Write(ICalendar(bs, h.Store.Now(), h.BaseURL))
	return nil
}

// ICalendar writes bookings as an RFC 5545 calendar: CRLF lines folded at
// 75 octets (never inside a character), text escaped (a line break in a
// name cannot start a property), UTC times, a cancelled booking or class
// as STATUS:CANCELLED, and SEQUENCE rising with every change so that
// calendars take the newer copy.
func ICalendar(bs []*model.Booking, now time.Time, origin string) []byte {
	var b strings.Builder
	line := func(s string) {
		for len(s) > 75 {
			cut := 75
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			b.WriteString(s[:cut] + "\r\n")
			s = " " + s[cut:]
		}
		b.WriteString(s + "\r\n")
	}
	esc := func(s string) string {
		s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
		s = strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\n' || r == 0x7f {
				return -1
			}
			return r
		}, s)
		return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`).Replace(s)
	}
	utc := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//envhome//course supermarket//ZH")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + esc("环保管理员课程"))
	for _, bk := range bs {
		k := bk.Class
		line("BEGIN:VEVENT")
		line(fmt.Sprintf("UID:booking-%d@envhome", bk.ID))
		line("DTSTAMP:" + utc(now))
		// Seconds of the last change: a revision number that only rises.
		line(fmt.Sprintf("SEQUENCE:%d", max(bk.UpdatedAt.Unix(), k.UpdatedAt.Unix())-1_700_000_000))
		line("DTSTART:" + utc(k.StartsAt))
		line("DTEND:" + utc(k.EndsAt))
		summary := k.CourseTitle
		if bk.Status == model.BookingWaitlisted {
			summary = "（候补）" + summary
		}
		line("SUMMARY:" + esc(summary))
		line("LOCATION:" + esc(strings.TrimSpace(k.HomeName+" "+k.RoomName)))
		line("DESCRIPTION:" + esc(bk.ManagerName+" · "+bk.EnterpriseName))
		line(fmt.Sprintf("URL:%s/bookings/%d", origin, bk.ID))
		if k.Status == model.ClassCancelled || bk.Status == model.BookingCancelled {
			line("STATUS:CANCELLED")
		} else {
			line("STATUS:CONFIRMED")
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}
