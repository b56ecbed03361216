package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// citeView is a cited article as a form and a page show it.
type citeView struct {
	Value string // "law:key", the form's value
	Label string // 《title》第34条
	Href  string
}

// citeField is a form's citations: the articles chosen (each a checkbox
// to keep or drop) and the laws to add articles from.
type citeField struct {
	Chosen []citeView
	Laws   []*model.Law
	Max    int
}

// citeViews labels cited articles with their laws' short titles.
func (h *Handler) citeViews(ctx context.Context, refs []model.ArticleRef) []citeView {
	titles := map[int64]string{}
	out := make([]citeView, 0, len(refs))
	for _, r := range refs {
		t, ok := titles[r.LawID]
		if !ok {
			if l, err := h.Service.Law(ctx, r.LawID); err == nil {
				t = l.Title
				if l.ShortTitle != "" {
					t = l.ShortTitle
				}
			}
			titles[r.LawID] = t
		}
		out = append(out, citeView{Value: strconv.FormatInt(r.LawID, 10) + ":" + r.Key, Label: "《" + t + "》" + model.ArticleLabel(r.Key),
			Href: "/laws/" + strconv.FormatInt(r.LawID, 10) + "/articles/" + r.Key})
	}
	return out
}

// citeFieldFor is the form field for the refs already chosen.
func (h *Handler) citeFieldFor(ctx context.Context, refs []model.ArticleRef) (citeField, error) {
	laws, err := h.Service.Laws(ctx, store.LawFilter{})
	return citeField{Chosen: h.citeViews(ctx, refs), Laws: laws, Max: model.MaxCites}, err
}

// citesFromForm reads a form's citations: the kept "cite" boxes
// ("law:key"), then each law chosen in cite_law0, cite_law1 with the
// article numbers typed beside it (cite_articles0, …), as people write
// them. Numbers that are not article numbers name the field.
func citesFromForm(r *http.Request, field string) ([]model.ArticleRef, error) {
	var refs []model.ArticleRef
	seen := map[model.ArticleRef]bool{}
	add := func(ref model.ArticleRef) {
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	for _, v := range r.PostForm["cite"] {
		law, key, _ := strings.Cut(v, ":")
		if id, err := strconv.ParseInt(law, 10, 64); err == nil && model.ValidArticleKey(key) {
			add(model.ArticleRef{LawID: id, Key: key})
		}
	}
	for i := 0; i < 2; i++ {
		n := strconv.Itoa(i)
		law, _ := strconv.ParseInt(r.PostFormValue("cite_law"+n), 10, 64)
		text := r.PostFormValue("cite_articles" + n)
		if law == 0 || strings.TrimSpace(text) == "" {
			continue
		}
		keys, ok := model.ParseArticleKeys(text)
		if !ok {
			return refs, model.Validation{field: "err.field.article_numbers"}.Err()
		}
		for _, k := range keys {
			add(model.ArticleRef{LawID: law, Key: k})
		}
	}
	return refs, nil
}
