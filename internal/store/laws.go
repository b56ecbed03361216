package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/envhome/envhome/internal/model"
)

// lawScanFirst is how many articles PostgreSQL reads in order before it
// takes the trigram index for a search (SearchLaws).
const lawScanFirst = 3000

var (
	lawSearch      = searchIndex{table: "law_articles", alias: "a", fts: "law_search"}
	lawTitleSearch = searchIndex{table: "laws", alias: "l", fts: "law_title_search"}
)

const lawColumns = `l.id, l.title, l.short_title, l.kind, l.issuer, l.doc_number, l.adopted_on, l.promulgated_on, l.effective_on,
	l.repealed_on, l.note, l.created_at, l.updated_at`

func (s *Store) scanLaw(r rowScanner) (*model.Law, error) {
	l := &model.Law{Versions: []model.LawVersion{}}
	err := r.Scan(&l.ID, &l.Title, &l.ShortTitle, &l.Kind, &l.Issuer, &l.DocNumber, &l.AdoptedOn, &l.PromulgatedOn, &l.EffectiveOn,
		&l.RepealedOn, &l.Note, timeCol{&l.CreatedAt}, timeCol{&l.UpdatedAt})
	if err != nil {
		return nil, err
	}
	l.Status = model.LawStatusOn(l, model.Today(s.Now()))
	return l, nil
}

func lawSearchText(in *model.LawInput) string {
	return strings.ToLower(model.FoldWidth(in.Title + " " + in.ShortTitle + " " + in.DocNumber + " " + in.Issuer))
}

// CreateLaw adds a document to the library (the bureau).
func (s *Store) CreateLaw(ctx context.Context, a model.Actor, in model.LawInput) (*model.Law, error) {
	if !a.IsAdmin() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		if err := tx.QueryRow(ctx, `INSERT INTO laws (title, short_title, kind, issuer, doc_number, adopted_on, promulgated_on, effective_on,
			repealed_on, note, search_text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Title, in.ShortTitle, in.Kind, in.Issuer, in.DocNumber, string(in.AdoptedOn), string(in.PromulgatedOn), string(in.EffectiveOn),
			string(in.RepealedOn), in.Note, lawSearchText(&in), now, now).Scan(&id); err != nil {
			return err
		}
		if err := s.dialect.syncIndex(ctx, tx, lawTitleSearch, []int64{id}); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "law.create", "law", &id, model.Changes{"title": {New: in.Title}})
	})
	if err != nil {
		return nil, fmt.Errorf("create law: %w", err)
	}
	return s.Law(ctx, id)
}

// LawFilter narrows the library's list.
type LawFilter struct {
	Kind, Status, Issuer string
}

// Laws lists the library's documents, by kind and then newest in force
// first; the status filter applies to the status computed today.
func (s *Store) Laws(ctx context.Context, f LawFilter) ([]*model.Law, error) {
	q := `SELECT ` + lawColumns + ` FROM laws l WHERE 1=1`
	var args []any
	if f.Kind != "" {
		q += ` AND l.kind = ?`
		args = append(args, f.Kind)
	}
	if f.Issuer != "" {
		q += ` AND l.issuer = ?`
		args = append(args, f.Issuer)
	}
	rows, err := s.query(ctx, q+` ORDER BY l.effective_on DESC, l.id DESC LIMIT 5000`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.Law, error) { return s.scanLaw(r) })
	if err != nil {
		return nil, err
	}
	if f.Status != "" {
		kept := out[:0]
		for _, l := range out {
			if l.Status == f.Status {
				kept = append(kept, l)
			}
		}
		out = kept
	}
	if out == nil {
		out = []*model.Law{}
	}
	return out, nil
}

// Law reads a document with its versions, newest first, each with its
// status: a version is amended once a later one has taken effect.
func (s *Store) Law(ctx context.Context, id int64) (*model.Law, error) {
	l, err := s.scanLaw(s.queryRow(ctx, `SELECT `+lawColumns+` FROM laws l WHERE l.id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	rows, err := s.query(ctx, `SELECT id, law_id, label, effective_on, source, warnings, articles, created_at FROM law_versions
		WHERE law_id = ? ORDER BY effective_on DESC, id DESC`, id)
	l.Versions, err = scanAll(rows, err, func(r *sql.Rows) (model.LawVersion, error) {
		var v model.LawVersion
		var warn string
		if err := r.Scan(&v.ID, &v.LawID, &v.Label, &v.EffectiveOn, &v.Source, &warn, &v.Articles, timeCol{&v.CreatedAt}); err != nil {
			return v, err
		}
		return v, json.Unmarshal([]byte(warn), &v.Warnings)
	})
	if err != nil {
		return nil, err
	}
	if l.Versions == nil {
		l.Versions = []model.LawVersion{}
	}
	today := model.Today(s.Now())
	inForce := false
	for i := range l.Versions {
		v := &l.Versions[i]
		switch {
		case l.Status == model.LawRepealed:
			v.Status = model.LawRepealed
		case v.EffectiveOn > today:
			v.Status = model.LawNotYetInForce
		case inForce:
			v.Status = model.LawAmended
		default:
			v.Status, inForce = model.LawInForce, true
		}
	}
	return l, nil
}

// CurrentVersion is the version in force (or, before any is, the newest).
func CurrentVersion(l *model.Law) *model.LawVersion {
	for i := range l.Versions {
		if l.Versions[i].Status == model.LawInForce || l.Versions[i].Status == model.LawRepealed {
			return &l.Versions[i]
		}
	}
	if len(l.Versions) > 0 {
		return &l.Versions[len(l.Versions)-1]
	}
	return nil
}

// AddLawVersion parses a text into articles and stores it as a version of
// the document (the bureau); the articles of the version in force become
// the ones search reads. Text without articles is kept as one block, with
// a warning; duplicate article numbers are refused.
func (s *Store) AddLawVersion(ctx context.Context, a model.Actor, id int64, in model.VersionInput) (*model.LawVersion, []model.Article, error) {
	if !a.IsAdmin() {
		return nil, nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if _, err := s.Law(ctx, id); err != nil {
		return nil, nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, nil, err
	}
	p, err := model.ParseLaw(in.Text)
	if err != nil {
		return nil, nil, err
	}
	var vid int64
	err = s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM law_versions WHERE law_id = ? AND label = ?`, id, in.Label).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fieldError(model.ErrConflict, "label", "err.law.version_exists")
		}
		warn, _ := json.Marshal(p.Warnings)
		if p.Warnings == nil {
			warn = []byte("[]")
		}
		if err := tx.QueryRow(ctx, `INSERT INTO law_versions (law_id, label, effective_on, source, warnings, articles, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, in.Label, string(in.EffectiveOn), in.Source, string(warn), len(p.Articles),
			ms(s.Now())).Scan(&vid); err != nil {
			return err
		}
		if err := s.insertArticles(ctx, tx, id, vid, p.Articles); err != nil {
			return err
		}
		if err := s.markCurrent(ctx, tx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "law.version", "law", &id, model.Changes{"label": {New: in.Label}, "articles": {New: len(p.Articles)}})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("add law version: %w", err)
	}
	l, err := s.Law(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	arts, err := s.Articles(ctx, id, vid)
	if err != nil {
		return nil, nil, err
	}
	for _, v := range l.Versions {
		if v.ID == vid {
			return &v, arts, nil
		}
	}
	return nil, nil, model.NotFound()
}

// insertArticles writes a version's articles in batches and indexes them.
func (s *Store) insertArticles(ctx context.Context, tx *Tx, lawID, vid int64, arts []model.Article) error {
	const per = 200
	for i := 0; i < len(arts); i += per {
		part := arts[i:min(i+per, len(arts))]
		args := make([]any, 0, len(part)*8)
		for _, x := range part {
			st := strings.ToLower(model.FoldWidth(x.Label + " " + x.Chapter + " " + x.Text))
			args = append(args, lawID, vid, x.Key, x.Label, x.Chapter, x.Text, x.Seq, st)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO law_articles (law_id, version_id, akey, label, chapter, body, seq, search_text) VALUES `+
			placeholders(len(part), 8), args...); err != nil {
			return err
		}
	}
	rows, err := tx.Query(ctx, `SELECT id FROM law_articles WHERE version_id = ?`, vid)
	ids, err := scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return err
	}
	return s.dialect.syncIndex(ctx, tx, lawSearch, ids)
}

// markCurrent flags the articles of the document's version in force today
// (or its newest, before any is).
func (s *Store) markCurrent(ctx context.Context, tx *Tx, lawID int64) error {
	today := string(model.Today(s.Now()))
	var vid int64
	err := tx.QueryRow(ctx, `SELECT id FROM law_versions WHERE law_id = ? AND effective_on <= ? ORDER BY effective_on DESC, id DESC LIMIT 1`, lawID, today).Scan(&vid)
	if err == sql.ErrNoRows {
		err = tx.QueryRow(ctx, `SELECT id FROM law_versions WHERE law_id = ? ORDER BY effective_on, id LIMIT 1`, lawID).Scan(&vid)
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE law_articles SET current = CASE WHEN version_id = ? THEN 1 ELSE 0 END WHERE law_id = ?`, vid, lawID)
	return err
}

// RefreshCurrentLaws moves the current flag to versions that took effect
// since: the sweep's, once a day.
func (s *Store) RefreshCurrentLaws(ctx context.Context) error {
	today := string(model.Today(s.Now()))
	var done string
	if err := s.queryRow(ctx, `SELECT value FROM settings WHERE key = 'laws.current_on'`).Scan(&done); err != nil && err != sql.ErrNoRows {
		return err
	}
	if done == today {
		return nil
	}
	// Versions that took effect since the last run (a missed day included).
	rows, err := s.query(ctx, `SELECT DISTINCT law_id FROM law_versions WHERE effective_on > ? AND effective_on <= ?`, done, today)
	ids, err := scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		for _, id := range ids {
			if err := s.markCurrent(ctx, tx, id); err != nil {
				return err
			}
		}
		return putSettings(ctx, tx, map[string]string{"laws.current_on": today})
	})
}

const articleColumns = `a.id, a.law_id, a.version_id, a.akey, a.label, a.chapter, a.body, a.seq`

func scanArticle(r rowScanner) (model.Article, error) {
	var x model.Article
	err := r.Scan(&x.ID, &x.LawID, &x.VersionID, &x.Key, &x.Label, &x.Chapter, &x.Text, &x.Seq)
	return x, err
}

// Articles lists a version's articles in order.
func (s *Store) Articles(ctx context.Context, lawID, versionID int64) ([]model.Article, error) {
	rows, err := s.query(ctx, `SELECT `+articleColumns+` FROM law_articles a WHERE a.law_id = ? AND a.version_id = ? ORDER BY a.seq`, lawID, versionID)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.Article, error) { return scanArticle(r) })
	if out == nil {
		out = []model.Article{}
	}
	return out, err
}

// Article reads an article by its key in a version (the current one when
// versionID is 0).
func (s *Store) Article(ctx context.Context, lawID int64, key string, versionID int64) (model.Article, error) {
	q := `SELECT ` + articleColumns + ` FROM law_articles a WHERE a.law_id = ? AND a.akey = ?`
	args := []any{lawID, key}
	if versionID != 0 {
		q += ` AND a.version_id = ?`
		args = append(args, versionID)
	} else {
		q += ` AND a.current = 1`
	}
	x, err := scanArticle(s.queryRow(ctx, q, args...))
	return x, notFound(err)
}

// DiffLaw compares two versions of a document by article.
func (s *Store) DiffLaw(ctx context.Context, lawID, from, to int64) ([]model.ArticleChange, error) {
	l, err := s.Law(ctx, lawID)
	if err != nil {
		return nil, err
	}
	have := map[int64]bool{}
	for _, v := range l.Versions {
		have[v.ID] = true
	}
	v := model.Validation{}
	if !have[from] {
		v.Add("from", "err.law.no_version")
	}
	if !have[to] {
		v.Add("to", "err.law.no_version")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	a, err := s.Articles(ctx, lawID, from)
	if err != nil {
		return nil, err
	}
	b, err := s.Articles(ctx, lawID, to)
	if err != nil {
		return nil, err
	}
	return model.CompareArticles(a, b), nil
}

// SearchLaws finds documents by title and the articles of their versions
// in force by text (Chinese substrings; 1–2 characters scan), filtered by
// kind, status and issuer; every hit says its document's status, so a
// repealed one is never shown as if in force.
func (s *Store) SearchLaws(ctx context.Context, q string, f LawFilter, limit int) ([]model.LawHit, error) {
	q = strings.ToLower(model.FoldWidth(strings.TrimSpace(q)))
	if q == "" {
		return []model.LawHit{}, nil
	}
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	filter := func(alias string) (string, []any) {
		var c string
		var args []any
		if f.Kind != "" {
			c += ` AND ` + alias + `.kind = ?`
			args = append(args, f.Kind)
		}
		if f.Issuer != "" {
			c += ` AND ` + alias + `.issuer = ?`
			args = append(args, f.Issuer)
		}
		return c, args
	}
	today := model.Today(s.Now())
	keep := func(l *model.Law) bool { return f.Status == "" || model.LawStatusOn(l, today) == f.Status }
	var out []model.LawHit
	// Titles first.
	from, where, order, args := s.dialect.match(lawTitleSearch, q)
	fc, fargs := filter("l")
	rows, err := s.query(ctx, `SELECT `+lawColumns+` FROM `+from+` WHERE `+where+fc+` ORDER BY `+order+` LIMIT ?`, append(append(args, fargs...), limit)...)
	laws, err := scanAll(rows, err, func(r *sql.Rows) (*model.Law, error) { return s.scanLaw(r) })
	if err != nil {
		return nil, fmt.Errorf("search laws: %w", err)
	}
	for _, l := range laws {
		if keep(l) {
			out = append(out, model.LawHit{LawID: l.ID, Title: l.Title, Snippet: l.Title, Status: l.Status, Kind: l.Kind})
		}
	}
	// Then articles of the versions in force.
	scan := func(query string, qargs []any) (int, error) {
		n := 0
		rows, err := s.query(ctx, query, qargs...)
		return n, eachRow(rows, err, func(r *sql.Rows) error {
			var h model.LawHit
			var body string
			l, err := s.scanLaw(scanHead{r, []any{&h.LawID, &h.Key, &h.Article, &body}})
			if err != nil {
				return err
			}
			n++
			if keep(l) && len(out) < limit*2 {
				h.Title, h.Status, h.Kind, h.Snippet = l.Title, l.Status, l.Kind, model.Snippet(body, q, 80)
				out = append(out, h)
			}
			return nil
		})
	}
	cols := `SELECT a.law_id, a.akey, a.label, a.body, ` + lawColumns
	if s.dialect == Postgres && utf8.RuneCountInString(q) >= 3 && fc == "" && f.Status == "" {
		// A common term fills the page from the first articles; reading
		// them in order costs less than the trigram bitmap of every match.
		// Fewer hits there than the page mean a rarer term: the index then.
		before := len(out)
		n, err := scan(cols+` FROM (SELECT * FROM law_articles WHERE current = 1 ORDER BY id LIMIT `+fmt.Sprint(lawScanFirst)+`) a
			JOIN laws l ON l.id = a.law_id WHERE strpos(a.search_text, ?) > 0 LIMIT ?`, []any{q, limit})
		if err != nil {
			return nil, fmt.Errorf("search articles: %w", err)
		}
		if n == limit {
			return out, nil
		}
		out = out[:before]
	}
	from, where, order, args = s.dialect.match(lawSearch, q)
	if _, err := scan(cols+` FROM `+from+` JOIN laws l ON l.id = a.law_id
		WHERE `+where+` AND a.current = 1`+fc+s.dialect.hitsOrder(order)+` LIMIT ?`, append(append(args, fargs...), limit)); err != nil {
		return nil, fmt.Errorf("search articles: %w", err)
	}
	if out == nil {
		out = []model.LawHit{}
	}
	return out, nil
}

// scanHead scans leading columns into head, the rest into Scan's dest.
type scanHead struct {
	r    rowScanner
	head []any
}

func (h scanHead) Scan(dest ...any) error { return h.r.Scan(append(h.head, dest...)...) }

// checkRefs refuses citations of articles the library does not hold (in
// any version), naming field.
func checkRefs(ctx context.Context, q querier, field string, refs []model.ArticleRef) error {
	for _, r := range refs {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM law_articles WHERE law_id = ? AND akey = ?`, r.LawID, r.Key).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fieldError(model.ErrInvalid, field, "err.field.no_such_article")
		}
	}
	return nil
}

// setCitations replaces what kind/ref cites: its rows are rewritten from
// refs, each with its code (a checklist item's).
func setCitations(ctx context.Context, tx *Tx, kind string, refID int64, refs map[string][]model.ArticleRef) error {
	if _, err := tx.Exec(ctx, `DELETE FROM law_citations WHERE kind = ? AND ref_id = ?`, kind, refID); err != nil {
		return err
	}
	for code, rs := range refs {
		for _, r := range rs {
			if _, err := tx.Exec(ctx, `INSERT INTO law_citations (law_id, akey, kind, ref_id, ref_code) VALUES (?, ?, ?, ?, ?)`,
				r.LawID, r.Key, kind, refID, code); err != nil {
				return err
			}
		}
	}
	return nil
}

// Citations lists what cites an article: the published checklists' items
// (by their published version) and the courses.
func (s *Store) Citations(ctx context.Context, lawID int64, key string) ([]model.Citation, error) {
	rows, err := s.query(ctx, `SELECT x.kind, COALESCE(c.id, co.id, 0), x.ref_code, COALESCE(c.title, co.title, '') FROM law_citations x
		LEFT JOIN checklists c ON x.kind = 'checklist_item' AND c.family_id = x.ref_id AND c.status = 'published'
		LEFT JOIN courses co ON x.kind = 'course' AND co.id = x.ref_id
		WHERE x.law_id = ? AND x.akey = ? ORDER BY x.kind, x.ref_id, x.ref_code`, lawID, key)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.Citation, error) {
		var c model.Citation
		return c, r.Scan(&c.Kind, &c.ID, &c.Ref, &c.Label)
	})
	kept := []model.Citation{}
	for _, c := range out {
		if c.ID != 0 {
			kept = append(kept, c)
		}
	}
	return kept, err
}

// courseCites reads what a course cites.
func (s *Store) courseCites(ctx context.Context, id int64) ([]model.ArticleRef, error) {
	rows, err := s.query(ctx, `SELECT law_id, akey FROM law_citations WHERE kind = 'course' AND ref_id = ? ORDER BY law_id, akey`, id)
	return scanAll(rows, err, func(r *sql.Rows) (model.ArticleRef, error) {
		var a model.ArticleRef
		return a, r.Scan(&a.LawID, &a.Key)
	})
}
