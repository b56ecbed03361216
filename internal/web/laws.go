package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

type lawsData struct {
	Q      string
	Filter store.LawFilter
	Laws   []*model.Law
	Hits   []model.LawHit
	Kinds  []string
	Status []string
	Admin  bool
	In     model.LawInput // the new document form, kept on an error
}

// lawsPage is the library: every document, or the hits of a search.
func (h *Handler) lawsPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.lawsView(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "laws", v)
}

func (h *Handler) lawsView(r *http.Request) (*view, error) {
	q := r.URL.Query()
	d := &lawsData{Q: strings.TrimSpace(q.Get("q")), Filter: store.LawFilter{Kind: q.Get("kind"), Status: q.Get("status")},
		Kinds: model.LawKinds, Status: []string{model.LawInForce, model.LawNotYetInForce, model.LawRepealed}, Admin: actor(r).IsAdmin()}
	if (d.Filter.Kind != "" && !slices.Contains(model.LawKinds, d.Filter.Kind)) || (d.Filter.Status != "" && !slices.Contains(model.LawStatuses, d.Filter.Status)) ||
		len([]rune(d.Q)) > 50 {
		return nil, model.Errorf(model.ErrInvalid, "err.invalid")
	}
	var err error
	if d.Q != "" {
		d.Hits, err = h.Service.SearchLaws(r.Context(), d.Q, d.Filter, 50)
	} else {
		d.Laws, err = h.Service.Laws(r.Context(), d.Filter)
	}
	if err != nil {
		return nil, err
	}
	return h.newView(r, "page.laws", d), nil
}

func (h *Handler) createLaw(w http.ResponseWriter, r *http.Request) error {
	in := model.LawInput{Title: r.PostFormValue("title"), ShortTitle: r.PostFormValue("short_title"), Kind: r.PostFormValue("kind"),
		Issuer: r.PostFormValue("issuer"), DocNumber: r.PostFormValue("doc_number"), AdoptedOn: model.Date(r.PostFormValue("adopted_on")),
		PromulgatedOn: model.Date(r.PostFormValue("promulgated_on")), EffectiveOn: model.Date(r.PostFormValue("effective_on")),
		RepealedOn: model.Date(r.PostFormValue("repealed_on")), Note: r.PostFormValue("note")}
	l, err := h.Service.CreateLaw(r.Context(), actor(r), in)
	if err != nil {
		v, verr := h.lawsView(r)
		if verr != nil {
			return verr
		}
		v.Data.(*lawsData).In = in
		return h.formError(w, r, "laws", v, err)
	}
	redirect(w, r, "/laws/"+strconv.FormatInt(l.ID, 10), "flash.saved")
	return nil
}

type lawData struct {
	L        *model.Law
	Version  *model.LawVersion // shown
	Articles []model.Article
	Admin    bool
	Warnings []string // of a version just added
}

func (h *Handler) lawView(r *http.Request, id int64) (*view, error) {
	l, err := h.Service.Law(r.Context(), id)
	if err != nil {
		return nil, err
	}
	d := &lawData{L: l, Version: store.CurrentVersion(l), Admin: actor(r).IsAdmin()}
	if s := r.URL.Query().Get("version"); s != "" {
		vid, _ := strconv.ParseInt(s, 10, 64)
		d.Version = nil
		for i := range l.Versions {
			if l.Versions[i].ID == vid {
				d.Version = &l.Versions[i]
			}
		}
		if d.Version == nil {
			return nil, model.NotFound()
		}
	}
	if d.Version != nil {
		if d.Articles, err = h.Service.Articles(r.Context(), id, d.Version.ID); err != nil {
			return nil, err
		}
	}
	v := h.newView(r, "page.law", d)
	v.Title = l.Title
	return v, nil
}

// addLawVersion takes a version's label, date and source with its text
// uploaded (.txt or .docx; the fields come before the file).
func (h *Handler) addLawVersion(w http.ResponseWriter, r *http.Request) error {
	return h.lawVersionForm(w, r, func(id int64) (*model.LawVersion, error) {
		name, body, err := httpx.UploadPart(w, r, "file", files.MaxLawUpload)
		if err != nil {
			return nil, err
		}
		in := model.VersionInput{Label: r.FormValue("label"), EffectiveOn: model.Date(r.FormValue("effective_on")), Source: r.FormValue("source"), Text: "-"}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		v, _, err := h.Service.AddLawVersionFile(r.Context(), actor(r), id, in, name, body)
		return v, err
	})
}

// addLawVersionText takes a version with its text pasted.
func (h *Handler) addLawVersionText(w http.ResponseWriter, r *http.Request) error {
	return h.lawVersionForm(w, r, func(id int64) (*model.LawVersion, error) {
		in := model.VersionInput{Label: r.PostFormValue("label"), EffectiveOn: model.Date(r.PostFormValue("effective_on")),
			Source: r.PostFormValue("source"), Text: r.PostFormValue("text")}
		v, _, err := h.Service.AddLawVersion(r.Context(), actor(r), id, in)
		return v, err
	})
}

func (h *Handler) lawVersionForm(w http.ResponseWriter, r *http.Request, add func(id int64) (*model.LawVersion, error)) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := add(id)
	if err != nil {
		lv, verr := h.lawView(r, id)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "law", lv, err)
	}
	redirect(w, r, "/laws/"+strconv.FormatInt(id, 10)+"?version="+strconv.FormatInt(v.ID, 10), "flash.version_added")
	return nil
}

func (h *Handler) lawPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.lawView(r, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "law", v)
}

type articleData struct {
	L        *model.Law
	A        model.Article
	Version  *model.LawVersion
	Versions []model.LawVersion // those that hold this article
	// Publisher may cite the article in a notice (and set a quiz on it).
	Publisher bool
}

// articlePage is an article's stable address, readable on a phone, with
// the versions that hold it.
func (h *Handler) articlePage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	l, err := h.Service.Law(r.Context(), id)
	if err != nil {
		return err
	}
	var vid int64
	if s := r.URL.Query().Get("version"); s != "" {
		if vid, err = strconv.ParseInt(s, 10, 64); err != nil || vid <= 0 {
			return model.NotFound()
		}
	}
	a, err := h.Service.Article(r.Context(), id, r.PathValue("key"), vid)
	if err != nil {
		return err
	}
	d := &articleData{L: l, A: a, Publisher: actor(r).MayPublish()}
	for i, v := range l.Versions {
		if v.ID == a.VersionID {
			d.Version = &l.Versions[i]
		}
		if _, err := h.Service.Article(r.Context(), id, a.Key, v.ID); err == nil {
			d.Versions = append(d.Versions, v)
		}
	}
	v := h.newView(r, "page.article", d)
	v.Title = l.Title + " " + a.Label
	return h.render(w, r, http.StatusOK, "article", v)
}

type diffData struct {
	L        *model.Law
	From, To *model.LawVersion
	Changes  []model.ArticleChange
}

// diffPage compares two versions: ?from=&to= (by default the two newest).
func (h *Handler) diffPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	l, err := h.Service.Law(r.Context(), id)
	if err != nil {
		return err
	}
	if len(l.Versions) < 2 {
		return model.NotFound()
	}
	pick := func(name string, def int) *model.LawVersion {
		s := r.URL.Query().Get(name)
		if s == "" {
			return &l.Versions[def]
		}
		n, _ := strconv.ParseInt(s, 10, 64)
		for i := range l.Versions {
			if l.Versions[i].ID == n {
				return &l.Versions[i]
			}
		}
		return nil
	}
	d := &diffData{L: l, From: pick("from", 1), To: pick("to", 0)}
	if d.From == nil || d.To == nil {
		return model.NotFound()
	}
	if d.Changes, err = h.Service.DiffLaw(r.Context(), id, d.From.ID, d.To.ID); err != nil {
		return err
	}
	v := h.newView(r, "page.law_diff", d)
	v.Title = l.Title + " · " + v.T("page.law_diff")
	return h.render(w, r, http.StatusOK, "law_diff", v)
}
