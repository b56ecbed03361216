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

// ICalendar writes bookings as an RFC 5545 calendar: a cancelled booking
// or class as STATUS:CANCELLED, and SEQUENCE rising with every change so
// that calendars take the newer copy.
func ICalendar(bs []*model.Booking, now time.Time, origin string) []byte {
	c := newICal("环保管理员课程", "course supermarket")
	for _, bk := range bs {
		k := bk.Class
		c.line("BEGIN:VEVENT")
		c.line(fmt.Sprintf("UID:booking-%d@envhome", bk.ID))
		c.line("DTSTAMP:" + icalUTC(now))
		// Seconds of the last change: a revision number that only rises.
		c.line(fmt.Sprintf("SEQUENCE:%d", max(bk.UpdatedAt.Unix(), k.UpdatedAt.Unix())-1_700_000_000))
		c.line("DTSTART:" + icalUTC(k.StartsAt))
		c.line("DTEND:" + icalUTC(k.EndsAt))
		summary := k.CourseTitle
		if bk.Status == model.BookingWaitlisted {
			summary = "（候补）" + summary
		}
		c.text("SUMMARY", summary)
		c.text("LOCATION", strings.TrimSpace(k.HomeName+" "+k.RoomName))
		c.text("DESCRIPTION", bk.ManagerName+" · "+bk.EnterpriseName)
		c.line(fmt.Sprintf("URL:%s/bookings/%d", origin, bk.ID))
		if k.Status == model.ClassCancelled || bk.Status == model.BookingCancelled {
			c.line("STATUS:CANCELLED")
		} else {
			c.line("STATUS:CONFIRMED")
		}
		c.line("END:VEVENT")
	}
	return c.end()
}

// ical writes an RFC 5545 calendar: CRLF lines folded at 75 octets (never
// inside a character), text escaped (a line break in a name cannot start
// a property), times in UTC.
type ical struct{ b strings.Builder }

func newICal(name, product string) *ical {
	c := &ical{}
	c.line("BEGIN:VCALENDAR")
	c.line("VERSION:2.0")
	c.line("PRODID:-//envhome//" + product + "//ZH")
	c.line("CALSCALE:GREGORIAN")
	c.line("METHOD:PUBLISH")
	c.text("X-WR-CALNAME", name)
	return c
}

func (c *ical) line(s string) {
	for len(s) > 75 {
		cut := 75
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		c.b.WriteString(s[:cut] + "\r\n")
		s = " " + s[cut:]
	}
	c.b.WriteString(s + "\r\n")
}

// text writes a property whose value is text, escaped.
func (c *ical) text(prop, s string) {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	c.line(prop + ":" + strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`).Replace(s))
}

func (c *ical) end() []byte {
	c.line("END:VCALENDAR")
	return []byte(c.b.String())
}

func icalUTC(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// allDay writes an all-day event on a date, with a reminder the morning
// before.
func (c *ical) allDay(uid string, now time.Time, on model.Date, summary, desc, url string) {
	d := strings.ReplaceAll(string(on), "-", "")
	c.line("BEGIN:VEVENT")
	c.line("UID:" + uid + "@envhome")
	c.line("DTSTAMP:" + icalUTC(now))
	c.line("DTSTART;VALUE=DATE:" + d)
	c.line("DTEND;VALUE=DATE:" + strings.ReplaceAll(string(on.AddDays(1)), "-", ""))
	c.text("SUMMARY", summary)
	if desc != "" {
		c.text("DESCRIPTION", desc)
	}
	c.line("URL:" + url)
	c.line("TRANSP:TRANSPARENT")
	c.line("BEGIN:VALARM")
	c.line("ACTION:DISPLAY")
	c.text("DESCRIPTION", summary)
	c.line("TRIGGER:-PT15H")
	c.line("END:VALARM")
	c.line("END:VEVENT")
}
