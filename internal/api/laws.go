package api

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

// lawFilter reads kind, status and issuer from the query.
func lawFilter(r *http.Request) (store.LawFilter, error) {
	q := r.URL.Query()
	f := store.LawFilter{Kind: q.Get("kind"), Status: q.Get("status"), Issuer: strings.TrimSpace(q.Get("issuer"))}
	v := model.Validation{}
	if f.Kind != "" && !slices.Contains(model.LawKinds, f.Kind) {
		v.Add("kind", "err.field.choice")
	}
	if f.Status != "" && !slices.Contains(model.LawStatuses, f.Status) {
		v.Add("status", "err.field.choice")
	}
	if len([]rune(f.Issuer)) > 60 {
		v.Add("issuer", "err.field.too_long")
	}
	return f, v.Err()
}

func (h *Handler) listLaws(w http.ResponseWriter, r *http.Request) error {
	f, err := lawFilter(r)
	if err != nil {
		return err
	}
	ls, err := h.Service.Laws(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[*model.Law]{Items: ls})
	return nil
}

func (h *Handler) createLaw(w http.ResponseWriter, r *http.Request) error {
	var in model.LawInput
	if err := decode(r, w, &in); err != nil {
		return err
	}
	l, err := h.Service.CreateLaw(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (h *Handler) getLaw(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.Law(r.Context(), id) })
}

// lawVersion is a new version and its parsed articles.
type lawVersion struct {
	*model.LawVersion
	Items []model.Article `json:"items"`
}

// addLawVersion takes {"label","effective_on","source","text"} as JSON, or
// the same fields and a "file" (.txt or .docx) as multipart/form-data.
func (h *Handler) addLawVersion(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var v *model.LawVersion
	var arts []model.Article
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if !actor(r).IsAdmin() {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		name, body, err := httpx.UploadPart(w, r, "file", files.MaxLawUpload)
		if err != nil {
			return err
		}
		in := model.VersionInput{Label: r.FormValue("label"), EffectiveOn: model.Date(r.FormValue("effective_on")), Source: r.FormValue("source"), Text: "-"}
		if err := in.Validate(); err != nil {
			return err
		}
		v, arts, err = h.Service.AddLawVersionFile(r.Context(), actor(r), id, in, name, body)
		if err != nil {
			return err
		}
	} else {
		var in model.VersionInput
		if err := decode(r, w, &in); err != nil {
			return err
		}
		if v, arts, err = h.Service.AddLawVersion(r.Context(), actor(r), id, in); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusCreated, lawVersion{v, arts})
	return nil
}

// versionParam reads an optional version id from the query.
func versionParam(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, (model.Validation{name: "err.field.id"}).Err()
	}
	return n, nil
}

func (h *Handler) getArticle(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	ver, err := versionParam(r, "version")
	if err != nil {
		return err
	}
	a, err := h.Service.Article(r.Context(), id, r.PathValue("number"), ver)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (h *Handler) diffLaw(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	from, err := versionParam(r, "from")
	if err != nil {
		return err
	}
	to, err := versionParam(r, "to")
	if err != nil {
		return err
	}
	ch, err := h.Service.DiffLaw(r.Context(), id, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[model.ArticleChange]{Items: ch})
	return nil
}

func (h *Handler) searchLaws(w http.ResponseWriter, r *http.Request) error {
	f, err := lawFilter(r)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" || len([]rune(q)) > 50 {
		return (model.Validation{"q": "err.field.query"}).Err()
	}
	hits, err := h.Service.SearchLaws(r.Context(), q, f, 50)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[model.LawHit]{Items: hits})
	return nil
}
