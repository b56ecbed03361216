package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/service"
)

func (h *Handler) createClass(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	f := classForm{HomeID: r.FormValue("home_id"), RoomID: r.FormValue("room_id"), StartsAt: r.FormValue("starts_at"), EndsAt: r.FormValue("ends_at"),
		Capacity: r.FormValue("capacity"), Limit: r.FormValue("per_enterprise_limit"), Opens: r.FormValue("booking_opens_at"),
		Closes: r.FormValue("booking_closes_at"), Deadline: r.FormValue("cancel_deadline")}
	vd := model.Validation{}
	var in model.ClassInput
	in.HomeID, _ = strconv.ParseInt(f.HomeID, 10, 64)
	if f.RoomID != "" {
		id, err := strconv.ParseInt(f.RoomID, 10, 64)
		if err == nil {
			in.RoomID = &id
		}
	}
	if t := parseLocal(vd, "starts_at", f.StartsAt, true); t != nil {
		in.StartsAt = *t
	}
	if t := parseLocal(vd, "ends_at", f.EndsAt, true); t != nil {
		in.EndsAt = *t
	}
	in.Capacity = atoiField(vd, "capacity", f.Capacity)
	if f.Limit != "" {
		in.PerEnterpriseLimit = atoiField(vd, "per_enterprise_limit", f.Limit)
	}
	in.BookingOpensAt = parseLocal(vd, "booking_opens_at", f.Opens, false)
	in.BookingClosesAt = parseLocal(vd, "booking_closes_at", f.Closes, false)
	in.CancelDeadline = parseLocal(vd, "cancel_deadline", f.Deadline, false)
	err := vd.Err()
	var k *model.Class
	if err == nil {
		id, _ := httpx.PathID(r, "id")
		k, err = h.Service.CreateClass(r.Context(), actor(r), id, in)
	}
	if err != nil {
		v, verr := h.courseView(r)
		if verr != nil {
			return verr
		}
		v.Data.(*courseData).NewClass = f
		return h.formError(w, r, "course", v, err)
	}
	redirect(w, r, fmt.Sprintf("/classes/%d", k.ID), "flash.saved")
	return nil
}

type classData struct {
	*service.ClassPage
	K          *model.Class
	Attendance []string
}

func (h *Handler) classView(r *http.Request, id int64) (*view, error) {
	p, err := h.Service.ClassPage(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	v := h.newView(r, "page.class", &classData{ClassPage: p, K: p.Class, Attendance: model.AttendanceStatuses})
	v.Title = p.Class.CourseTitle
	return v, nil
}

func (h *Handler) classPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.classView(r, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "class", v)
}

// classAction runs a form action on a class and shows the class again: the
// result as a flash, or the error above the page.
func (h *Handler) classAction(w http.ResponseWriter, r *http.Request, classID int64, next string, fn func() error) error {
	if err := fn(); err != nil {
		v, verr := h.classView(r, classID)
		if verr != nil {
			return err
		}
		return h.formError(w, r, "class", v, err)
	}
	if next == "" {
		next = fmt.Sprintf("/classes/%d", classID)
	}
	redirect(w, r, next, "flash.saved")
	return nil
}

func (h *Handler) cancelClass(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	return h.classAction(w, r, id, "", func() error {
		_, err := h.Service.CancelClass(r.Context(), actor(r), id, strings.TrimSpace(r.FormValue("reason")))
		return err
	})
}

func (h *Handler) completeClass(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	return h.classAction(w, r, id, "", func() error {
		_, err := h.Service.CompleteClass(r.Context(), actor(r), id)
		return err
	})
}

func (h *Handler) updateClass(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	return h.classAction(w, r, id, "", func() error {
		r.ParseForm()
		vd := model.Validation{}
		var p model.ClassPatch
		if s := r.FormValue("capacity"); s != "" {
			n := atoiField(vd, "capacity", s)
			p.Capacity = &n
		}
		if s := r.FormValue("per_enterprise_limit"); s != "" {
			n := atoiField(vd, "per_enterprise_limit", s)
			p.PerEnterpriseLimit = &n
		}
		for _, s := range r.Form["demote"] {
			if b, err := strconv.ParseInt(s, 10, 64); err == nil {
				p.Demote = append(p.Demote, b)
			}
		}
		p.Reason = strings.TrimSpace(r.FormValue("reason"))
		if err := vd.Err(); err != nil {
			return err
		}
		_, err := h.Service.UpdateClass(r.Context(), actor(r), id, p)
		return err
	})
}

type scanData struct {
	K      *model.Class
	Result *model.CheckIn
	Code   string
	// CheckedIn of Expected confirmed seats.
	CheckedIn, Expected int
}

// countIn fills the scan page's "checked in x of y".
func (h *Handler) countIn(r *http.Request, d *scanData) error {
	bs, err := h.Service.ClassBookings(r.Context(), actor(r), d.K.ID)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.Status == model.BookingConfirmed {
			d.Expected++
			if b.CheckedInAt != nil {
				d.CheckedIn++
			}
		}
	}
	return nil
}

// scanPage is the runners' phone page: the camera reads personal QR codes
// (jsQR, vendored), or the code is typed.
func (h *Handler) scanPage(w http.ResponseWriter, r *http.Request) error {
	k, err := h.runnerClass(r)
	if err != nil {
		return err
	}
	d := &scanData{K: k}
	if err := h.countIn(r, d); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "scan", h.newView(r, "page.scan", d))
}

// runnerClass loads the {id} class for one of its runners.
func (h *Handler) runnerClass(r *http.Request) (*model.Class, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return h.Service.RunnerClass(r.Context(), actor(r), id)
}

func (h *Handler) scanCode(w http.ResponseWriter, r *http.Request) error {
	k, err := h.runnerClass(r)
	if err != nil {
		return err
	}
	d := &scanData{K: k, Code: r.FormValue("code")}
	v := h.newView(r, "page.scan", d)
	res, err := h.Service.CheckIn(r.Context(), actor(r), k.ID, d.Code)
	if cerr := h.countIn(r, d); cerr != nil {
		return cerr
	}
	if err != nil {
		return h.formError(w, r, "scan", v, err)
	}
	d.Result, d.Code = res, ""
	return h.render(w, r, http.StatusOK, "scan", v)
}

type displayData struct {
	K       *model.Class
	Code    string
	URL     string
	Expires time.Time
}

// displayPage shows the class's rotating QR code on the classroom screen;
// it reloads itself when the code changes.
func (h *Handler) displayPage(w http.ResponseWriter, r *http.Request) error {
	k, err := h.runnerClass(r)
	if err != nil {
		return err
	}
	code, next, err := h.Service.RotatingCode(r.Context(), actor(r), k.ID)
	if err != nil {
		return err
	}
	d := &displayData{K: k, Code: code, Expires: next, URL: fmt.Sprintf("%s/classes/%d/checkin?t=%s", h.BaseURL, k.ID, code)}
	secs := int(time.Until(next).Seconds()) + 1
	if secs < 1 || secs > 60 {
		secs = 5
	}
	w.Header().Set("Refresh", strconv.Itoa(secs))
	return h.render(w, r, http.StatusOK, "display", h.newView(r, "page.display", d))
}

func (h *Handler) displayQR(w http.ResponseWriter, r *http.Request) error {
	k, err := h.runnerClass(r)
	if err != nil {
		return err
	}
	code, _, err := h.Service.RotatingCode(r.Context(), actor(r), k.ID)
	if err != nil {
		return err
	}
	httpx.WriteQR(w, fmt.Sprintf("%s/classes/%d/checkin?t=%s", h.BaseURL, k.ID, code))
	return nil
}

type selfCheckInData struct {
	K        *model.Class
	Token    string
	Bookings []*model.Booking
	Result   *model.CheckIn
}

// selfCheckInPage is where a manager's phone lands after scanning the
// class's rotating code: the enterprise's confirmed bookings of the class.
func (h *Handler) selfCheckInPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.selfCheckInView(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "self_checkin", v)
}

func (h *Handler) selfCheckInView(r *http.Request) (*view, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	k, err := h.Service.Class(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	bs, err := h.Service.ClassBookings(r.Context(), actor(r), id)
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

func (h *Handler) selfCheckIn(w http.ResponseWriter, r *http.Request) error {
	v, err := h.selfCheckInView(r)
	if err != nil {
		return err
	}
	d := v.Data.(*selfCheckInData)
	bid, _ := strconv.ParseInt(r.FormValue("booking_id"), 10, 64)
	res, err := h.Service.SelfCheckIn(r.Context(), actor(r), d.K.ID, bid, d.Token)
	if err != nil {
		return h.formError(w, r, "self_checkin", v, err)
	}
	// Read again, so the page shows the person as checked in.
	if v, err = h.selfCheckInView(r); err != nil {
		return err
	}
	v.Data.(*selfCheckInData).Result = res
	return h.render(w, r, http.StatusOK, "self_checkin", v)
}

// sheetPage is the printable sign-in sheet of a class.
func (h *Handler) sheetPage(w http.ResponseWriter, r *http.Request) error {
	k, err := h.runnerClass(r)
	if err != nil {
		return err
	}
	bs, err := h.Service.ClassBookings(r.Context(), actor(r), k.ID)
	if err != nil {
		return err
	}
	var confirmed []*model.Booking
	for _, b := range bs {
		if b.Status == model.BookingConfirmed {
			confirmed = append(confirmed, b)
		}
	}
	v := h.newView(r, "page.sheet", map[string]any{"K": k, "Bookings": confirmed})
	return h.render(w, r, http.StatusOK, "sheet", v)
}
