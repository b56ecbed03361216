package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

type announcementsData struct {
	Box       string
	Items     []*model.Announcement
	Publisher bool
}

// announcementsPage is the notice centre: the account's announcements,
// unread first, and for publishers what they sent.
func (h *Handler) announcementsPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	d := &announcementsData{Box: r.URL.Query().Get("box"), Publisher: a.MayPublish()}
	if d.Box != "sent" {
		d.Box = "inbox"
	}
	var err error
	if d.Items, err = h.Service.Announcements(r.Context(), a, d.Box); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "announcements", h.newView(r, "page.announcements", d))
}

type announcementForm struct {
	In      model.AnnouncementInput
	Regions []model.Region
	Admin   bool
	Reach   *model.Reach
	Lists   []string
	Permits []string
}

func (h *Handler) announcementFormView(r *http.Request, in model.AnnouncementInput) (*view, error) {
	a := actor(r)
	d := &announcementForm{In: in, Admin: a.IsAdmin(), Lists: model.KeyLists, Permits: model.PermitClasses}
	if d.Admin {
		var err error
		if d.Regions, err = h.Store.Regions(r.Context()); err != nil {
			return nil, err
		}
	}
	return h.newView(r, "page.announcement_new", d), nil
}

func (h *Handler) newAnnouncementPage(w http.ResponseWriter, r *http.Request) error {
	if !actor(r).MayPublish() {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	v, err := h.announcementFormView(r, model.AnnouncementInput{Kind: "policy"})
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "announcement_new", v)
}

// announcementInput reads the form.
func announcementInput(r *http.Request) model.AnnouncementInput {
	in := model.AnnouncementInput{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Body: r.PostFormValue("body")}
	for _, s := range r.PostForm["roles"] {
		in.Audience.Roles = append(in.Audience.Roles, model.Role(s))
	}
	for _, s := range r.PostForm["region_ids"] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			in.Audience.RegionIDs = append(in.Audience.RegionIDs, n)
		}
	}
	in.Audience.IndustryPrefixes = strings.FieldsFunc(r.PostFormValue("industry_prefixes"), func(r rune) bool { return r == ',' || r == '，' || r == ' ' })
	in.Audience.KeyLists = r.PostForm["key_lists"]
	in.Audience.PermitClasses = r.PostForm["permit_classes"]
	return in
}

// previewAnnouncement shows whom the form's audience reaches.
func (h *Handler) previewAnnouncement(w http.ResponseWriter, r *http.Request) error {
	in := announcementInput(r)
	v, err := h.announcementFormView(r, in)
	if err != nil {
		return err
	}
	reach, err := h.Service.AnnouncementReach(r.Context(), actor(r), in.Audience)
	if err != nil {
		return h.formError(w, r, "announcement_new", v, err)
	}
	v.Data.(*announcementForm).Reach = &reach
	return h.render(w, r, http.StatusOK, "announcement_new", v)
}

func (h *Handler) publishAnnouncement(w http.ResponseWriter, r *http.Request) error {
	in := announcementInput(r)
	x, err := h.Service.PublishAnnouncement(r.Context(), actor(r), in)
	if err != nil {
		v, verr := h.announcementFormView(r, in)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "announcement_new", v, err)
	}
	redirect(w, r, "/announcements/"+strconv.FormatInt(x.ID, 10), "flash.published")
	return nil
}

type announcementData struct {
	A         *model.Announcement
	Publisher bool
	Receipts  []model.Receipt
}

func (h *Handler) announcementPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := h.Service.Announcement(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	v := h.newView(r, "page.announcement", &announcementData{A: x, Publisher: actor(r).MayPublish()})
	v.Title = x.Title
	return h.render(w, r, http.StatusOK, "announcement", v)
}

func (h *Handler) receiptsPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := h.Service.Announcement(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	rs, err := h.Service.Receipts(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	v := h.newView(r, "page.receipts", &announcementData{A: x, Publisher: true, Receipts: rs})
	v.Title = x.Title + " · " + v.T("page.receipts")
	return h.render(w, r, http.StatusOK, "receipts", v)
}

func (h *Handler) remindUnread(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.Service.RemindUnread(r.Context(), actor(r), id); err != nil {
		return err
	}
	redirect(w, r, "/announcements/"+strconv.FormatInt(id, 10)+"/receipts", "flash.reminded")
	return nil
}
