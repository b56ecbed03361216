package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// TrainingSettings returns the bureau's course-supermarket settings, with
// defaults for anything never set.
func (s *Store) TrainingSettings(ctx context.Context) (model.TrainingSettings, error) {
	return readTrainingSettings(ctx, s.query)
}

// readTrainingSettings reads the settings through query: the read pool, or
// a transaction's Query when the caller holds a connection already (a
// second one from the pool could wait forever under load).
func readTrainingSettings(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error)) (model.TrainingSettings, error) {
	t := model.DefaultTrainingSettings()
	rows, err := query(ctx, `SELECT key, value FROM settings WHERE key LIKE 'training.%'`)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return t, err
		}
		switch k {
		case "training.required_hours":
			t.RequiredHours, _ = strconv.ParseFloat(v, 64)
		case "training.waitlist_mode":
			t.WaitlistMode = v
		case "training.offer_hours":
			t.OfferHours, _ = strconv.Atoi(v)
		case "training.late_minutes":
			t.LateMinutes, _ = strconv.Atoi(v)
		case "training.quiz_credit":
			t.QuizCredit, _ = strconv.ParseBool(v)
		}
	}
	return t, rows.Err()
}

// SetTrainingSettings stores the settings (the bureau only).
func (s *Store) SetTrainingSettings(ctx context.Context, a model.Actor, t model.TrainingSettings) error {
	if err := model.CourseEditable(a); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	old, err := s.TrainingSettings(ctx)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		// Every manager's standing against the requirement changes with it.
		if t.RequiredHours != old.RequiredHours {
			if err := tx.touchAll(ctx, "managers"); err != nil {
				return err
			}
		}
		vals := map[string]string{
			"training.required_hours": strconv.FormatFloat(t.RequiredHours, 'f', -1, 64),
			"training.waitlist_mode":  t.WaitlistMode,
			"training.offer_hours":    strconv.Itoa(t.OfferHours),
			"training.late_minutes":   strconv.Itoa(t.LateMinutes),
			"training.quiz_credit":    strconv.FormatBool(t.QuizCredit),
		}
		if err := putSettings(ctx, tx, vals); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "settings.training", "settings", nil, model.Changes{
			"required_hours": {Old: old.RequiredHours, New: t.RequiredHours},
			"waitlist_mode":  {Old: old.WaitlistMode, New: t.WaitlistMode},
			"offer_hours":    {Old: old.OfferHours, New: t.OfferHours},
			"late_minutes":   {Old: old.LateMinutes, New: t.LateMinutes},
			"quiz_credit":    {Old: old.QuizCredit, New: t.QuizCredit},
		})
	})
}

const lecturerColumns = `l.id, l.user_id, l.name, l.affiliation_kind, l.affiliation, l.title, l.tags, l.bio, l.photo, l.created_at, l.updated_at`

func scanLecturer(r rowScanner) (*model.Lecturer, string, error) {
	l := &model.Lecturer{}
	var tags, photo string
	err := r.Scan(&l.ID, &l.UserID, &l.Name, &l.AffiliationKind, &l.Affiliation, &l.Title, &tags, &l.Bio, &photo,
		timeCol{&l.CreatedAt}, timeCol{&l.UpdatedAt})
	l.Tags = model.SplitList(tags)
	if l.Tags == nil {
		l.Tags = []string{}
	}
	l.HasPhoto = photo != ""
	return l, photo, err
}

// Lecturers lists every lecturer (public: the catalogue names them).
func (s *Store) Lecturers(ctx context.Context) ([]*model.Lecturer, error) {
	rows, err := s.query(ctx, `SELECT `+lecturerColumns+` FROM lecturers l ORDER BY l.name, l.id`)
	ls, err := scanAll(rows, err, func(r *sql.Rows) (*model.Lecturer, error) { l, _, err := scanLecturer(r); return l, err })
	if ls == nil {
		ls = []*model.Lecturer{}
	}
	return ls, err
}

// Lecturer returns one lecturer and the file name of its photo.
func (s *Store) Lecturer(ctx context.Context, id int64) (*model.Lecturer, string, error) {
	l, photo, err := scanLecturer(s.queryRow(ctx, `SELECT `+lecturerColumns+` FROM lecturers l WHERE l.id = ?`, id))
	if err != nil {
		return nil, "", notFound(err)
	}
	return l, photo, nil
}

// SaveLecturer creates (id 0) or changes a lecturer; the bureau only. A
// linked account must be a lecturer account.
func (s *Store) SaveLecturer(ctx context.Context, a model.Actor, l *model.Lecturer) (*model.Lecturer, error) {
	if err := model.CourseEditable(a); err != nil {
		return nil, err
	}
	l.Normalize()
	if err := l.Validate(); err != nil {
		return nil, err
	}
	var out *model.Lecturer
	err := s.write(ctx, func(tx *Tx) error {
		if l.UserID != nil {
			var role string
			if err := tx.QueryRow(ctx, `SELECT role FROM users WHERE id = ?`, *l.UserID).Scan(&role); err != nil || role != string(model.RoleLecturer) {
				return fieldError(model.ErrInvalid, "user_id", "err.field.lecturer_account")
			}
		}
		now := ms(s.Now())
		tags := strings.Join(l.Tags, ",")
		id := l.ID
		action := "lecturer.update"
		if id == 0 {
			action = "lecturer.create"
			if err := tx.QueryRow(ctx, `INSERT INTO lecturers (user_id, name, affiliation_kind, affiliation, title, tags, bio, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, l.UserID, l.Name, l.AffiliationKind, l.Affiliation, l.Title, tags, l.Bio, now, now).Scan(&id); err != nil {
				if isUniqueViolation(err) {
					return fieldError(model.ErrConflict, "user_id", "err.lecturer_account_taken")
				}
				return err
			}
		} else {
			res, err := tx.Exec(ctx, `UPDATE lecturers SET user_id = ?, name = ?, affiliation_kind = ?, affiliation = ?, title = ?, tags = ?, bio = ?, updated_at = ? WHERE id = ?`,
				l.UserID, l.Name, l.AffiliationKind, l.Affiliation, l.Title, tags, l.Bio, now, id)
			if err != nil {
				if isUniqueViolation(err) {
					return fieldError(model.ErrConflict, "user_id", "err.lecturer_account_taken")
				}
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return model.NotFound()
			}
		}
		if err := s.audit(ctx, tx, a, action, "lecturer", &id, model.Changes{"name": {New: l.Name}, "affiliation": {New: l.Affiliation}}); err != nil {
			return err
		}
		var err error
		out, _, err = scanLecturer(tx.QueryRow(ctx, `SELECT `+lecturerColumns+` FROM lecturers l WHERE l.id = ?`, id))
		return err
	})
	return out, err
}

// SetLecturerPhoto makes a stored file a lecturer's photo; the photo it
// replaces is deleted unless something else uses it.
func (s *Store) SetLecturerPhoto(ctx context.Context, a model.Actor, id int64, hash string) error {
	if err := model.CourseEditable(a); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		var old string
		if err := tx.QueryRow(ctx, `SELECT photo FROM lecturers WHERE id = ?`, id).Scan(&old); err != nil {
			return notFound(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE lecturers SET photo = ?, updated_at = ? WHERE id = ?`, hash, ms(s.Now()), id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "lecturer.photo", "lecturer", &id, nil); err != nil {
			return err
		}
		return s.releaseFile(ctx, tx, old)
	})
}

const courseColumns = `c.id, c.title, c.category, c.description, c.credit_hours, c.industries, c.status, c.topic_id, c.created_at, c.updated_at`

func scanCourse(r rowScanner) (*model.Course, error) {
	c := &model.Course{}
	var ind string
	err := r.Scan(&c.ID, &c.Title, &c.Category, &c.Description, &c.CreditHours, &ind, &c.Status, &c.TopicID,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	c.Industries = model.SplitList(ind)
	if c.Industries == nil {
		c.Industries = []string{}
	}
	c.LecturerIDs = []int64{}
	return c, err
}

// courseVisible is the condition under which an actor sees a course: staff
// see drafts too.
func courseVisible(a model.Actor) string {
	if a.IsAdmin() || (a.User != nil && a.User.Role == model.RoleAssociation) {
		return `1=1`
	}
	return `c.status <> 'draft'`
}

// SaveCourse creates (id 0) or changes a course; the bureau only.
func (s *Store) SaveCourse(ctx context.Context, a model.Actor, c *model.Course) (*model.Course, error) {
	if err := model.CourseEditable(a); err != nil {
		return nil, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		id, err = s.saveCourseTx(ctx, tx, a, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Course(ctx, a, id)
}

func (s *Store) saveCourseTx(ctx context.Context, tx *Tx, a model.Actor, c *model.Course) (int64, error) {
	now := ms(s.Now())
	// Folded for matching only: the title is kept as written (full-width
	// brackets are Chinese typography).
	search := strings.ToLower(model.FoldWidth(c.Title + " " + c.Description))
	id := c.ID
	action := "course.update"
	if id == 0 {
		action = "course.create"
		if err := tx.QueryRow(ctx, `INSERT INTO courses (title, category, description, credit_hours, industries, status, topic_id, search_text, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Title, c.Category, c.Description, c.CreditHours, strings.Join(c.Industries, ","), c.Status, c.TopicID, search, now, now).Scan(&id); err != nil {
			return 0, err
		}
	} else {
		res, err := tx.Exec(ctx, `UPDATE courses SET title = ?, category = ?, description = ?, credit_hours = ?, industries = ?, status = ?, search_text = ?, updated_at = ? WHERE id = ?`,
			c.Title, c.Category, c.Description, c.CreditHours, strings.Join(c.Industries, ","), c.Status, search, now, id)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return 0, model.NotFound()
		}
		if _, err := tx.Exec(ctx, `DELETE FROM course_lecturers WHERE course_id = ?`, id); err != nil {
			return 0, err
		}
	}
	if err := s.dialect.syncIndex(ctx, tx, courseSearch, []int64{id}); err != nil {
		return 0, err
	}
	if err := checkRefs(ctx, tx, "cites", c.Cites); err != nil {
		return 0, err
	}
	if err := setCitations(ctx, tx, model.CitedByCourse, id, map[string][]model.ArticleRef{"": c.Cites}); err != nil {
		return 0, err
	}
	for _, lid := range c.LecturerIDs {
		if _, err := tx.Exec(ctx, `INSERT INTO course_lecturers (course_id, lecturer_id) VALUES (?, ?)`, id, lid); err != nil {
			if isForeignKeyViolation(err) {
				return 0, fieldError(model.ErrInvalid, "lecturer_ids", "err.field.lecturer_unknown")
			}
			return 0, err
		}
	}
	return id, s.audit(ctx, tx, a, action, "course", &id, model.Changes{"title": {New: c.Title}, "category": {New: c.Category},
		"credit_hours": {New: c.CreditHours}, "status": {New: c.Status}})
}

// Course returns a course with its lecturers, materials and upcoming
// classes.
func (s *Store) Course(ctx context.Context, a model.Actor, id int64) (*model.Course, error) {
	c, err := scanCourse(s.queryRow(ctx, `SELECT `+courseColumns+` FROM courses c WHERE c.id = ? AND `+courseVisible(a), id))
	if err != nil {
		return nil, notFound(err)
	}
	cs := []*model.Course{c}
	if err := s.fillCourses(ctx, cs); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT id, course_id, name, size, content_type, created_at, file FROM course_materials WHERE course_id = ? ORDER BY id`, id)
	mats, err := scanAll(rows, err, func(r *sql.Rows) (model.Material, error) {
		var m model.Material
		err := r.Scan(&m.ID, &m.CourseID, &m.Name, &m.Size, &m.ContentType, timeCol{&m.CreatedAt}, &m.File)
		return m, err
	})
	c.Materials = mats
	if err != nil {
		return nil, err
	}
	c.Cites, err = s.courseCites(ctx, id)
	return c, err
}

// fillCourses adds lecturers and upcoming classes to courses, in two
// queries whatever their number.
func (s *Store) fillCourses(ctx context.Context, cs []*model.Course) error {
	if len(cs) == 0 {
		return nil
	}
	byID := map[int64]*model.Course{}
	ids := make([]any, len(cs))
	for i, c := range cs {
		byID[c.ID] = c
		ids[i] = c.ID
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	rows, err := s.r.QueryContext(ctx, s.dialect.Rebind(`SELECT cl.course_id, `+lecturerColumns+` FROM course_lecturers cl JOIN lecturers l ON l.id = cl.lecturer_id
		WHERE cl.course_id IN (`+in+`) ORDER BY l.name`), ids...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var cid int64
		l := &model.Lecturer{}
		var tags, photo string
		if err := rows.Scan(&cid, &l.ID, &l.UserID, &l.Name, &l.AffiliationKind, &l.Affiliation, &l.Title, &tags, &l.Bio, &photo,
			timeCol{&l.CreatedAt}, timeCol{&l.UpdatedAt}); err != nil {
			rows.Close()
			return err
		}
		l.Tags, l.HasPhoto = model.SplitList(tags), photo != ""
		if l.Tags == nil {
			l.Tags = []string{}
		}
		byID[cid].Lecturers = append(byID[cid].Lecturers, *l)
		byID[cid].LecturerIDs = append(byID[cid].LecturerIDs, l.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.r.QueryContext(ctx, s.dialect.Rebind(`SELECT `+classColumns+classFrom+` WHERE k.course_id IN (`+in+`) AND k.status = 'scheduled' AND k.starts_at > ?
		ORDER BY k.starts_at, k.id`), append(ids, ms(s.Now()))...)
	classes, err := scanAll(rows, err, func(r *sql.Rows) (*model.Class, error) { return scanClass(r) })
	for _, k := range classes {
		byID[k.CourseID].Upcoming = append(byID[k.CourseID].Upcoming, *k)
	}
	return err
}

// Catalogue lists courses, newest first: the public sees published ones.
func (s *Store) Catalogue(ctx context.Context, a model.Actor, f model.CourseFilter, p model.Page) (model.List[*model.Course], error) {
	from, where, args := `courses c`, `1=1`, []any(nil)
	if f.Query != "" {
		from, where, _, args = s.dialect.match(courseSearch, strings.ToLower(f.Query))
	}
	q := `SELECT ` + courseColumns + ` FROM ` + from + ` WHERE ` + where + ` AND ` + courseVisible(a)
	switch f.Status {
	case "":
		q += ` AND c.status = 'published'`
	case "all":
	default:
		q += ` AND c.status = ?`
		args = append(args, f.Status)
	}
	if f.Category != "" {
		q += ` AND c.category = ?`
		args = append(args, f.Category)
	}
	if f.LecturerID != nil {
		q += ` AND EXISTS (SELECT 1 FROM course_lecturers cl WHERE cl.course_id = c.id AND cl.lecturer_id = ?)`
		args = append(args, *f.LecturerID)
	}
	if f.RegionID != nil || f.From != nil || f.To != nil {
		q += ` AND EXISTS (SELECT 1 FROM classes k JOIN homes h ON h.id = k.home_id WHERE k.course_id = c.id AND k.status <> 'cancelled'`
		if f.RegionID != nil {
			q += ` AND h.region_id = ?`
			args = append(args, *f.RegionID)
		}
		if f.From != nil {
			t, _ := time.ParseInLocation("2006-01-02", string(*f.From), model.ChinaTime)
			q += ` AND k.starts_at >= ?`
			args = append(args, ms(t))
		}
		if f.To != nil {
			t, _ := time.ParseInLocation("2006-01-02", string(*f.To), model.ChinaTime)
			q += ` AND k.starts_at < ?`
			args = append(args, ms(t.AddDate(0, 0, 1)))
		}
		q += `)`
	}
	if p.After > 0 {
		q += ` AND c.id < ?`
		args = append(args, p.After)
	}
	q += ` ORDER BY c.id DESC LIMIT ?`
	args = append(args, p.Limit+1)
	rows, err := s.query(ctx, q, args...)
	cs, err := scanAll(rows, err, func(r *sql.Rows) (*model.Course, error) { return scanCourse(r) })
	if err != nil {
		return model.List[*model.Course]{}, fmt.Errorf("catalogue: %w", err)
	}
	l := model.PageOf(cs, p.Limit, func(c *model.Course) int64 { return c.ID })
	return l, s.fillCourses(ctx, l.Items)
}

// AddMaterial records a file attached to a course (the bureau only).
func (s *Store) AddMaterial(ctx context.Context, a model.Actor, m *model.Material) error {
	if err := model.CourseEditable(a); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO course_materials (course_id, name, file, size, content_type, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			m.CourseID, m.Name, m.File, m.Size, m.ContentType, ms(s.Now())).Scan(&m.ID); err != nil {
			if isForeignKeyViolation(err) {
				return model.NotFound()
			}
			return err
		}
		return s.audit(ctx, tx, a, "course.material", "course", &m.CourseID, model.Changes{"name": {New: m.Name}})
	})
}

// Material returns a course material anyone logged in may download (of a
// draft course: staff only, as the course itself).
func (s *Store) Material(ctx context.Context, a model.Actor, id int64) (*model.Material, error) {
	var m model.Material
	err := s.queryRow(ctx, `SELECT m.id, m.course_id, m.name, m.size, m.content_type, m.created_at, m.file FROM course_materials m
		JOIN courses c ON c.id = m.course_id WHERE m.id = ? AND `+courseVisible(a), id).
		Scan(&m.ID, &m.CourseID, &m.Name, &m.Size, &m.ContentType, timeCol{&m.CreatedAt}, &m.File)
	if err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}
