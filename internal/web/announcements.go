package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
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
	Cites   citeField
	Kinds   []string
}

func (h *Handler) announcementFormView(r *http.Request, in model.AnnouncementInput) (*view, error) {
	a := actor(r)
	d := &announcementForm{In: in, Admin: a.IsAdmin(), Lists: model.KeyLists, Permits: model.PermitClasses, Kinds: model.AnnouncementKinds}
	var err error
	if d.Admin {
		if d.Regions, err = h.Store.Regions(r.Context()); err != nil {
			return nil, err
		}
	}
	if d.Cites, err = h.citeFieldFor(r.Context(), in.Cites); err != nil {
		return nil, err
	}
	return h.newView(r, "page.announcement_new", d), nil
}

func (h *Handler) newAnnouncementPage(w http.ResponseWriter, r *http.Request) error {
	if !actor(r).MayPublish() {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	// An article page's "cite in a notice" brings its article.
	in := model.AnnouncementInput{Kind: "policy"}
	if k := r.URL.Query().Get("kind"); slices.Contains(model.AnnouncementKinds, k) {
		in.Kind = k
	}
	for _, c := range r.URL.Query()["cite"] {
		law, key, _ := strings.Cut(c, ":")
		if id, err := strconv.ParseInt(law, 10, 64); err == nil && model.ValidArticleKey(key) {
			in.Cites = append(in.Cites, model.ArticleRef{LawID: id, Key: key})
		}
	}
	v, err := h.announcementFormView(r, in)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "announcement_new", v)
}

// announcementInput reads the form; article numbers it cannot read are
// an error naming the field.
func announcementInput(r *http.Request) (model.AnnouncementInput, error) {
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
	var err error
	in.Cites, err = citesFromForm(r, "article_ids")
	return in, err
}

// previewAnnouncement shows whom the form's audience reaches.
func (h *Handler) previewAnnouncement(w http.ResponseWriter, r *http.Request) error {
	in, ferr := announcementInput(r)
	v, err := h.announcementFormView(r, in)
	if err != nil {
		return err
	}
	if ferr != nil {
		return h.formError(w, r, "announcement_new", v, ferr)
	}
	reach, err := h.Service.AnnouncementReach(r.Context(), actor(r), in.Audience)
	if err != nil {
		return h.formError(w, r, "announcement_new", v, err)
	}
	v.Data.(*announcementForm).Reach = &reach
	return h.render(w, r, http.StatusOK, "announcement_new", v)
}

func (h *Handler) publishAnnouncement(w http.ResponseWriter, r *http.Request) error {
	in, err := announcementInput(r)
	var x *model.Announcement
	if err == nil {
		x, err = h.Service.PublishAnnouncement(r.Context(), actor(r), in)
	}
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
	Publisher bool // may follow it up: receipts, reminders, its quiz
	Receipts  []model.Receipt
	Quiz      *model.Quiz
	Closed    bool
	Managers  []*model.Manager // the enterprise's, who may answer
	Attempts  []model.Attempt
	Results   []model.TownResult
	Laws      []*model.Law // to cite, in the quiz form
	Cites     []citeView
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
	v, err := h.announcementView(r, x)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "announcement", v)
}

func (h *Handler) announcementView(r *http.Request, x *model.Announcement) (*view, error) {
	a := actor(r)
	d := &announcementData{A: x, Publisher: a.MayPublish(), Cites: h.citeViews(r.Context(), x.Cites)}
	q, err := h.Service.Quiz(r.Context(), a, x.ID)
	switch {
	case err == nil:
		d.Quiz, d.Closed = q, !h.Store.Now().Before(q.ClosesAt)
	case !model.IsCode(err, model.ErrNotFound):
		return nil, err
	}
	if eid := a.Scope().EnterpriseID; eid != 0 && d.Quiz != nil {
		ms, err := h.Service.Managers(r.Context(), a, eid)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Status == model.ManagerActive {
				d.Managers = append(d.Managers, m)
			}
		}
		if d.Attempts, err = h.Service.QuizAttempts(r.Context(), a, x.ID); err != nil {
			return nil, err
		}
	}
	if d.Publisher && d.Quiz != nil {
		if d.Results, err = h.Service.QuizResults(r.Context(), a, x.ID); err != nil {
			return nil, err
		}
	}
	if d.Publisher && d.Quiz == nil {
		if d.Laws, err = h.Service.Laws(r.Context(), store.LawFilter{}); err != nil {
			return nil, err
		}
	}
	v := h.newView(r, "page.announcement", d)
	v.Title = x.Title
	return v, nil
}

// answerQuiz takes a manager's answers: q0, q1… each the chosen options.
func (h *Handler) answerQuiz(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	mid, _ := strconv.ParseInt(r.PostFormValue("manager_id"), 10, 64)
	var answers [][]int
	for i := 0; i < 20; i++ {
		vals, ok := r.PostForm["q"+strconv.Itoa(i)]
		if !ok {
			break
		}
		var ans []int
		for _, s := range vals {
			if n, err := strconv.Atoi(s); err == nil {
				ans = append(ans, n)
			}
		}
		answers = append(answers, ans)
	}
	if _, err := h.Service.SubmitQuiz(r.Context(), actor(r), id, mid, answers); err != nil {
		return h.announcementError(w, r, id, err)
	}
	redirect(w, r, "/announcements/"+strconv.FormatInt(id, 10)+"#quiz", "flash.quiz_done")
	return nil
}

func (h *Handler) announcementError(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	x, xerr := h.Service.Announcement(r.Context(), actor(r), id)
	if xerr != nil {
		return xerr
	}
	v, verr := h.announcementView(r, x)
	if verr != nil {
		return verr
	}
	return h.formError(w, r, "announcement", v, err)
}

// addQuiz takes up to three questions: text, options one a line with *
// before each right one, the law and article cited.
func (h *Handler) addQuiz(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	in := model.QuizInput{Title: r.PostFormValue("title")}
	in.PassPercent, _ = strconv.Atoi(r.PostFormValue("pass_percent"))
	in.CreditHours, _ = strconv.ParseFloat(r.PostFormValue("credit_hours"), 64)
	if t, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("closes_at"), model.ChinaTime); err == nil {
		in.ClosesAt = t
	}
	for i := 0; i < 3; i++ {
		n := strconv.Itoa(i)
		text := strings.TrimSpace(r.PostFormValue("text" + n))
		if text == "" {
			continue
		}
		q := model.Question{Text: text}
		for _, line := range strings.Split(r.PostFormValue("options"+n), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			if strings.HasPrefix(line, "*") || strings.HasPrefix(line, "＊") {
				q.Answer = append(q.Answer, len(q.Options))
				line = strings.TrimSpace(strings.TrimLeft(line, "*＊"))
			}
			q.Options = append(q.Options, line)
		}
		q.Cite.LawID, _ = strconv.ParseInt(r.PostFormValue("law"+n), 10, 64)
		q.Cite.Key = strings.TrimSpace(r.PostFormValue("article" + n))
		in.Questions = append(in.Questions, q)
	}
	if _, err := h.Service.AddQuiz(r.Context(), actor(r), id, in); err != nil {
		return h.announcementError(w, r, id, err)
	}
	redirect(w, r, "/announcements/"+strconv.FormatInt(id, 10)+"#quiz", "flash.saved")
	return nil
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
