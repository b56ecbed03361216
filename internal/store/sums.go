package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// The towns' figures (region_stats per town and year, region_days per town
// and day) are kept in the writing transactions: a write names, before it
// changes anything, the rows it is about to change (tx.touch: these
// enterprises, this class); when it ends, each summary part those rows
// feed is counted again over the same rows and the difference is added
// to the towns' figures, in the same transaction. The counting queries
// are the ones a full recount runs, restricted to the touched rows, so a
// summary equals a recount by construction; SummaryDrift checks it.

// sumKind names the rows a write touches, by what identifies them.
type sumKind int

const (
	byEnterprise sumKind = iota
	byPerson
	byClass
	byHome
	byAnnouncement
	byDemand
	byDeal
	byManager
)

// sumKey is where a part's counts land: a town and a year (0: every
// counted year, for figures of state), or a town and a day.
type sumKey struct {
	region int64
	year   int
	day    string
}

// sumPart is one grouped count feeding some of a town's figures.
type sumPart struct {
	name string
	cols []string // region_stats (or, with days, region_days) columns
	days bool
	by   map[sumKind]string // the column a touch of that kind restricts
	// count runs the grouped count over the rows matching where (empty:
	// all), for the counted years.
	count func(ctx context.Context, q queryFunc, where string, years []int) (map[sumKey][]float64, error)
}

// queryFunc is the read pool's or a transaction's Query.
type queryFunc func(ctx context.Context, q string, args ...any) (*sql.Rows, error)

// statsColumns are region_stats' figures, in the order a delta lists them.
var statsColumns = []string{"enterprises", "without_manager", "green", "yellow", "red", "unassessed", "honesty_flags",
	"managers", "behind", "hours", "required", "classes", "seats", "attended", "feedback", "feedback_sum",
	"inspections_done", "notices", "notices_read", "demands", "deals_active", "deals_completed", "saving",
	"excellent", "qualified", "improve", "unqualified"}

// daysColumns are region_days' figures.
var daysColumns = []string{"open_tasks", "missed"}

// yearCase is a SQL expression giving the counted year a millisecond
// column falls in (China time), or NULL; the bounds are literals.
func yearCase(col string, years []int) string {
	if len(years) == 0 {
		return "NULL"
	}
	var b strings.Builder
	b.WriteString("CASE")
	for _, y := range years {
		from, to := model.YearBounds(y)
		fmt.Fprintf(&b, " WHEN %s >= %d AND %s < %d THEN %d", col, ms(from), col, ms(to), y)
	}
	b.WriteString(" END")
	return b.String()
}

// intList writes ids as SQL literals (they are numbers: no injection).
func intList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// sqlPart is a part counted by one query: {Y} stands for the year of
// yearCol (a millisecond column; "" for figures of state, whose year is
// 0), {W} for the touched rows' condition. The query selects the town,
// the year (or day) and the values.
func sqlPart(name string, cols []string, by map[sumKind]string, yearCol, q string) sumPart {
	p := sumPart{name: name, cols: cols, by: by}
	p.count = func(ctx context.Context, query queryFunc, where string, years []int) (map[sumKey][]float64, error) {
		y := "0"
		if yearCol != "" {
			if len(years) == 0 {
				return nil, nil
			}
			y = yearCase(yearCol, years)
		}
		text := strings.ReplaceAll(strings.ReplaceAll(q, "{Y}", y), "{W}", where)
		return scanCounts(ctx, query, text, len(cols), false)
	}
	return p
}

// daysPart is a part counted per town and day (a text date column).
func daysPart(name string, cols []string, by map[sumKind]string, q string) sumPart {
	p := sumPart{name: name, cols: cols, by: by, days: true}
	p.count = func(ctx context.Context, query queryFunc, where string, _ []int) (map[sumKey][]float64, error) {
		return scanCounts(ctx, query, strings.ReplaceAll(q, "{W}", where), len(cols), true)
	}
	return p
}

// scanCounts runs a grouped count of (town, year or day, values...).
func scanCounts(ctx context.Context, query queryFunc, q string, n int, days bool) (map[sumKey][]float64, error) {
	rows, err := query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	defer rows.Close()
	out := map[sumKey][]float64{}
	for rows.Next() {
		var k sumKey
		v := make([]float64, n)
		dest := []any{&k.region, nil}
		if days {
			dest[1] = &k.day
		} else {
			dest[1] = &k.year
		}
		for i := range v {
			dest = append(dest, &v[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		add(out, k, v)
	}
	return out, rows.Err()
}

func add(m map[sumKey][]float64, k sumKey, v []float64) {
	cur := m[k]
	if cur == nil {
		cur = make([]float64, len(v))
		m[k] = cur
	}
	for i := range v {
		cur[i] += v[i]
	}
}

// sumParts are every town figure's counts. A new figure joins here and
// in the writes that change its rows.
func (s *Store) sumParts() []sumPart {
	byE := func(col string) map[sumKind]string { return map[sumKind]string{byEnterprise: col} }
	byK := map[sumKind]string{byClass: "k.id", byHome: "h.id"}
	return []sumPart{
		sqlPart("enterprises", []string{"enterprises", "without_manager", "green", "yellow", "red", "unassessed"}, byE("e.id"), "",
			`SELECT e.region_id, {Y}, COUNT(*), SUM(CASE WHEN e.manager_count = 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN c.color = 'green' THEN 1 ELSE 0 END), SUM(CASE WHEN c.color = 'yellow' THEN 1 ELSE 0 END),
			SUM(CASE WHEN c.color = 'red' THEN 1 ELSE 0 END), SUM(CASE WHEN c.color IS NULL THEN 1 ELSE 0 END)
			FROM enterprises e LEFT JOIN compliance c ON c.enterprise_id = e.id WHERE e.status = 'active' {W} GROUP BY e.region_id`),
		sqlPart("honesty", []string{"honesty_flags"}, byE("e.id"), "",
			`SELECT e.region_id, {Y}, COUNT(*) FROM honesty_flags f JOIN enterprises e ON e.id = f.enterprise_id WHERE 1 = 1 {W} GROUP BY e.region_id`),
		s.managersPart(),
		sqlPart("classes", []string{"classes", "seats"}, byK, "k.starts_at",
			`SELECT h.region_id, {Y} AS y, COUNT(*), COALESCE(SUM(k.capacity), 0) FROM classes k JOIN homes h ON h.id = k.home_id
			WHERE k.status <> 'cancelled' AND {Y} IS NOT NULL {W} GROUP BY h.region_id, y`),
		// Seats taken are the classes' own counters (kept by the booking's
		// transaction), summed when read: the registration rush writes
		// nothing more. Attendance is counted here.
		sqlPart("bookings", []string{"attended"}, byK, "k.starts_at",
			`SELECT h.region_id, {Y} AS y, COUNT(*) FROM bookings b JOIN classes k ON k.id = b.class_id JOIN homes h ON h.id = k.home_id
			WHERE b.status = 'confirmed' AND b.attendance IN ('present', 'late') AND k.status <> 'cancelled' AND {Y} IS NOT NULL {W}
			GROUP BY h.region_id, y`),
		sqlPart("feedback", []string{"feedback", "feedback_sum"}, byK, "k.starts_at",
			`SELECT h.region_id, {Y} AS y, COUNT(*), SUM(f.rating) FROM feedback f JOIN classes k ON k.id = f.class_id JOIN homes h ON h.id = k.home_id
			WHERE {Y} IS NOT NULL {W} GROUP BY h.region_id, y`),
		sqlPart("inspections", []string{"inspections_done"}, byE("e.id"), "i.submitted_at",
			`SELECT e.region_id, {Y} AS y, COUNT(*) FROM inspections i JOIN enterprises e ON e.id = i.enterprise_id
			WHERE i.status = 'submitted' AND {Y} IS NOT NULL {W} GROUP BY e.region_id, y`),
		sqlPart("notices", []string{"notices", "notices_read"}, map[sumKind]string{byEnterprise: "r.enterprise_id", byAnnouncement: "a.id"}, "a.published_at",
			`SELECT r.region_id, {Y} AS y, COUNT(*), SUM(CASE WHEN r.reads > 0 THEN 1 ELSE 0 END) FROM announcement_receipts r
			JOIN announcements a ON a.id = r.announcement_id
			WHERE r.enterprise_id IS NOT NULL AND r.region_id IS NOT NULL AND {Y} IS NOT NULL {W} GROUP BY r.region_id, y`),
		sqlPart("demands", []string{"demands"}, map[sumKind]string{byDemand: "d.id"}, "d.created_at",
			`SELECT d.region_id, {Y} AS y, COUNT(*) FROM demands d WHERE {Y} IS NOT NULL {W} GROUP BY d.region_id, y`),
		sqlPart("deals_active", []string{"deals_active"}, map[sumKind]string{byDeal: "d.id"}, "",
			`SELECT d.region_id, {Y}, COUNT(*) FROM deals d WHERE d.status = 'active' {W} GROUP BY d.region_id`),
		sqlPart("deals_completed", []string{"deals_completed", "saving"}, map[sumKind]string{byDeal: "d.id"}, "d.completed_at",
			`SELECT d.region_id, {Y} AS y, COUNT(*), COALESCE(SUM(d.saving), 0) FROM deals d
			WHERE d.status = 'completed' AND {Y} IS NOT NULL {W} GROUP BY d.region_id, y`),
		s.gradesPart(),
		daysPart("tasks", []string{"open_tasks"}, byE("e.id"),
			`SELECT e.region_id, t.due_on, COUNT(*) FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
			WHERE t.status <> 'closed' {W} GROUP BY e.region_id, t.due_on`),
		daysPart("missed", []string{"missed"}, byE("e.id"),
			`SELECT e.region_id, o.due_on, COUNT(*) FROM occurrences o JOIN enterprises e ON e.id = o.enterprise_id
			WHERE o.status = 'missed' {W} GROUP BY e.region_id, o.due_on`),
	}
}

// gradesPart counts the managers' grades (confirmed or published) of the
// counted years.
func (s *Store) gradesPart() sumPart {
	p := sumPart{name: "grades", cols: []string{"excellent", "qualified", "improve", "unqualified"},
		by: map[sumKind]string{byManager: "ap.manager_id"}}
	p.count = func(ctx context.Context, query queryFunc, where string, years []int) (map[sumKey][]float64, error) {
		if len(years) == 0 {
			return nil, nil
		}
		list := make([]int64, len(years))
		for i, y := range years {
			list[i] = int64(y)
		}
		return scanCounts(ctx, query, `SELECT ap.region_id, ap.year,
			SUM(CASE WHEN ap.grade = '`+model.GradeExcellent+`' THEN 1 ELSE 0 END), SUM(CASE WHEN ap.grade = '`+model.GradeQualified+`' THEN 1 ELSE 0 END),
			SUM(CASE WHEN ap.grade = '`+model.GradeImprove+`' THEN 1 ELSE 0 END), SUM(CASE WHEN ap.grade = '`+model.GradeUnqualified+`' THEN 1 ELSE 0 END)
			FROM appraisals ap WHERE ap.status <> 'draft' AND ap.year IN (`+intList(list)+`) `+where+` GROUP BY ap.region_id, ap.year`, 4, false)
	}
	return p
}

// managersPart counts the active managers of active enterprises, those
// behind the year's required hours, and their hours, each manager's
// counting up to the requirement so that one eager manager does not hide
// another who is behind. Hours are the person's, across the enterprises
// they serve: attended completed classes and passed quizzes.
func (s *Store) managersPart() sumPart {
	p := sumPart{name: "managers", cols: []string{"managers", "behind", "hours", "required"},
		by: map[sumKind]string{byEnterprise: "e.id", byPerson: "m.person_id"}}
	p.count = func(ctx context.Context, query queryFunc, where string, years []int) (map[sumKey][]float64, error) {
		if len(years) == 0 {
			return nil, nil
		}
		settings, err := readTrainingSettings(ctx, query)
		if err != nil {
			return nil, err
		}
		req := settings.RequiredHours
		type seat struct{ region, person int64 }
		rows, err := query(ctx, `SELECT e.region_id, m.person_id FROM managers m JOIN enterprises e ON e.id = m.enterprise_id
			WHERE m.status = 'active' AND e.status = 'active' `+where)
		seats, err := scanAll(rows, err, func(r *sql.Rows) (seat, error) {
			var x seat
			return x, r.Scan(&x.region, &x.person)
		})
		if err != nil {
			return nil, err
		}
		persons := map[int64]bool{}
		for _, x := range seats {
			persons[x.person] = true
		}
		// hours[person][year]
		hours := map[int64]map[int]float64{}
		credit := func(person int64, at int64, h float64) {
			y := time.UnixMilli(at).In(model.ChinaTime).Year()
			if hours[person] == nil {
				hours[person] = map[int]float64{}
			}
			hours[person][y] += h
		}
		ids := make([]int64, 0, len(persons))
		for id := range persons {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		from, _ := model.YearBounds(slices.Min(years))
		_, to := model.YearBounds(slices.Max(years))
		// Every person's credits when every manager is counted; the touched
		// people's otherwise, a few hundred at a time.
		chunks := [][]int64{nil}
		if where != "" {
			chunks = chunks[:0]
			for i := 0; i < len(ids); i += 500 {
				chunks = append(chunks, ids[i:min(i+500, len(ids))])
			}
		}
		for _, chunk := range chunks {
			fb, fq := "", ""
			if chunk != nil {
				fb, fq = ` AND b.person_id IN (`+intList(chunk)+`)`, ` AND q.person_id IN (`+intList(chunk)+`)`
			}
			rows, err := query(ctx, `SELECT b.person_id, k.starts_at, k.credit_hours FROM bookings b JOIN classes k ON k.id = b.class_id
				WHERE k.status = 'completed' AND b.status = 'confirmed' AND b.attendance IN ('present', 'late') AND k.starts_at >= ? AND k.starts_at < ?`+fb+`
				UNION ALL
				SELECT q.person_id, q.submitted_at, q.credit_hours FROM quiz_attempts q WHERE q.credit_hours > 0 AND q.submitted_at >= ? AND q.submitted_at < ?`+fq,
				ms(from), ms(to), ms(from), ms(to))
			if err := eachRow(rows, err, func(r *sql.Rows) error {
				var person, at int64
				var h float64
				if err := r.Scan(&person, &at, &h); err != nil {
					return err
				}
				if persons[person] {
					credit(person, at, h)
				}
				return nil
			}); err != nil {
				return nil, err
			}
		}
		out := map[sumKey][]float64{}
		for _, x := range seats {
			for _, y := range years {
				h := hours[x.person][y]
				behind := 0.0
				if h < req {
					behind = 1
				}
				add(out, sumKey{region: x.region, year: y}, []float64{1, behind, min(h, req), req})
			}
		}
		return out, nil
	}
	return p
}

// sumPiece is one touch: the rows of a kind with these ids (or, with
// above, every id above it; with all, every row).
type sumPiece struct {
	kind    sumKind
	ids     []int64
	above   int64
	isAbove bool
	all     bool
}

// cond is the piece's condition on a part, or "" when the part does not
// follow this kind of row.
func (p sumPiece) cond(part *sumPart) (string, bool) {
	if p.all {
		return "1 = 1", true
	}
	col, ok := part.by[p.kind]
	if !ok {
		return "", false
	}
	if p.isAbove {
		return fmt.Sprintf("%s > %d", col, p.above), true
	}
	return idsCond(col, p.ids), true
}

// idsCond is "col IN (…)" for ids, with runs of consecutive ids as
// ranges: the rows an import inserts come in runs, and a list of every
// id would make a statement as long as the file.
func idsCond(col string, ids []int64) string {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	var singles []int64
	var ranges []string
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j+1] == sorted[j]+1 {
			j++
		}
		if j-i >= 3 {
			ranges = append(ranges, fmt.Sprintf("%s BETWEEN %d AND %d", col, sorted[i], sorted[j]))
		} else {
			singles = append(singles, sorted[i:j+1]...)
		}
		i = j + 1
	}
	if len(singles) > 0 {
		ranges = append(ranges, col+" IN ("+intList(singles)+")")
	}
	if len(ranges) == 1 {
		return ranges[0]
	}
	return "(" + strings.Join(ranges, " OR ") + ")"
}

// partState is a part's touches in one write: the conditions so far and
// the counts their rows had before the write changed them.
type partState struct {
	part *sumPart
	// conds are the touches by range (above) or of every row; ids the
	// touches by id, by kind, made into conditions when counted: an
	// import's batches of new rows then make one range, not a list as
	// long as the file.
	conds  []string
	all    bool
	before map[sumKey][]float64
	// named are the rows touched by id for this part alone (sorted).
	named map[sumKind][]int64
}

// sumState is a write's touches.
type sumState struct {
	years []int
	parts map[string]*partState
	// every are the rows touched by id for every part that follows their
	// kind, sorted, kept once rather than in every part: eight bytes a
	// row however many parts there are.
	every map[sumKind][]int64
}

// touched are the rows of kind touched by id for the part, sorted (the
// two lists may share ids).
func (st *sumState) touched(ps *partState, kind sumKind) []int64 {
	return mergeIDs(st.every[kind], ps.named[kind])
}

// mergeIDs is the sorted union of two sorted id lists.
func mergeIDs(a, b []int64) []int64 {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]int64, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

func hasID(sorted []int64, id int64) bool {
	_, ok := slices.BinarySearch(sorted, id)
	return ok
}

// touch names rows this write is about to change: their counts now are
// taken before the change. Only parts listed count (none: every part
// that follows rows of this kind).
func (t *Tx) touch(ctx context.Context, kind sumKind, ids []int64, parts ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return t.touchPiece(ctx, sumPiece{kind: kind, ids: ids}, false, parts)
}

// touchNew names rows this write has just inserted, which counted
// nothing before it.
func (t *Tx) touchNew(ctx context.Context, kind sumKind, ids []int64, parts ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return t.touchPiece(ctx, sumPiece{kind: kind, ids: ids}, true, parts)
}

// touchNewAbove names rows this write has just inserted: every id above
// the greatest before it.
func (t *Tx) touchNewAbove(ctx context.Context, kind sumKind, above int64, parts ...string) error {
	return t.touchPiece(ctx, sumPiece{kind: kind, above: above, isAbove: true}, true, parts)
}

// touchAll names every row of the parts listed (a setting every figure
// of them depends on is changing).
func (t *Tx) touchAll(ctx context.Context, parts ...string) error {
	return t.touchPiece(ctx, sumPiece{all: true}, false, parts)
}

func (t *Tx) touchPiece(ctx context.Context, p sumPiece, fresh bool, names []string) error {
	if t.sums == nil {
		st := &sumState{parts: map[string]*partState{}, every: map[sumKind][]int64{}}
		// Writers share the lock a recount takes alone: a recount then
		// sees every write whole or none of it.
		if err := t.lockStats(ctx, true); err != nil {
			return err
		}
		years, err := countedYears(ctx, t.Query)
		if err != nil {
			return err
		}
		st.years = years
		t.sums = st
	}
	if len(p.ids) > 0 {
		p.ids = slices.Clone(p.ids)
		slices.Sort(p.ids)
		p.ids = slices.Compact(p.ids)
	}
	for _, part := range t.s.parts {
		if len(names) > 0 && !slices.Contains(names, part.name) {
			continue
		}
		cond, ok := p.cond(part)
		if !ok {
			if len(names) > 0 {
				return fmt.Errorf("summary part %s does not follow this kind of row", part.name)
			}
			continue
		}
		ps := t.sums.parts[part.name]
		if ps == nil {
			ps = &partState{part: part, before: map[sumKey][]float64{}, named: map[sumKind][]int64{}}
			t.sums.parts[part.name] = ps
		}
		if ps.all {
			continue
		}
		var ids []int64 // the rows by id not touched before
		if len(p.ids) > 0 {
			// Rows touched before in this write count once.
			every, named := t.sums.every[p.kind], ps.named[p.kind]
			for _, id := range p.ids {
				if !hasID(every, id) && !hasID(named, id) {
					ids = append(ids, id)
				}
			}
			if len(ids) == 0 {
				continue
			}
			q := p
			q.ids = ids
			cond, _ = q.cond(part)
		}
		if !fresh {
			where := " AND (" + cond + ")"
			// Rows touched before count as they were then: a touch of the
			// same kind by id has left them out already.
			others := slices.Clone(ps.conds)
			for kind, col := range part.by {
				if touched := t.sums.touched(ps, kind); kind != p.kind && len(touched) > 0 {
					others = append(others, idsCond(col, touched))
				}
			}
			if len(others) > 0 {
				where += " AND NOT (" + strings.Join(others, " OR ") + ")"
			}
			before, err := part.count(ctx, t.Query, where, t.sums.years)
			if err != nil {
				return err
			}
			for k, v := range before {
				add(ps.before, k, v)
			}
		}
		if p.all {
			ps.all = true
		}
		if len(p.ids) > 0 {
			if len(names) > 0 {
				ps.named[p.kind] = mergeIDs(ps.named[p.kind], ids)
			}
			continue
		}
		ps.conds = append(ps.conds, cond)
	}
	if len(names) == 0 && len(p.ids) > 0 {
		t.sums.every[p.kind] = mergeIDs(t.sums.every[p.kind], p.ids)
	}
	return nil
}

// lockStats takes, on PostgreSQL, the lock between the writes that keep
// the towns' figures (shared) and a recount of them (alone), until the
// transaction ends; SQLite's single writer needs none.
func (t *Tx) lockStats(ctx context.Context, shared bool) error {
	if t.d != Postgres {
		return nil
	}
	fn := "pg_advisory_xact_lock"
	if shared {
		fn += "_shared"
	}
	_, err := t.Exec(ctx, `SELECT `+fn+`(hashtext('region_stats'))`)
	return err
}

// countedYears are the years whose town figures are kept.
func countedYears(ctx context.Context, query queryFunc) ([]int, error) {
	rows, err := query(ctx, `SELECT year FROM counted_years ORDER BY year`)
	return scanAll(rows, err, func(r *sql.Rows) (int, error) {
		var y int
		return y, r.Scan(&y)
	})
}

// flushSums counts the touched rows again and adds the differences to
// the towns' figures. write calls it when a write's fn succeeds.
func (t *Tx) flushSums(ctx context.Context) error {
	st := t.sums
	t.sums = nil
	if st == nil {
		return nil
	}
	stats := map[sumKey][]float64{}
	days := map[sumKey][]float64{}
	names := make([]string, 0, len(st.parts))
	for n := range st.parts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ps := st.parts[n]
		where := ""
		if !ps.all {
			conds := slices.Clone(ps.conds)
			for kind, col := range ps.part.by {
				if touched := st.touched(ps, kind); len(touched) > 0 {
					conds = append(conds, idsCond(col, touched))
				}
			}
			where = " AND (" + strings.Join(conds, " OR ") + ")"
		}
		after, err := ps.part.count(ctx, t.Query, where, st.years)
		if err != nil {
			return err
		}
		for k, v := range ps.before {
			neg := make([]float64, len(v))
			for i := range v {
				neg[i] = -v[i]
			}
			add(after, k, neg)
		}
		for k, v := range after {
			if !isZero(v) {
				spread(stats, days, ps.part, k, v, st.years)
			}
		}
	}
	now := ms(t.s.Now())
	shard := t.shard()
	for _, k := range sortedKeys(stats) {
		if err := t.addStats(ctx, k, stats[k], now, shard); err != nil {
			return err
		}
	}
	return t.addDays(ctx, days)
}

// addDays adds deltas to towns' days.
func (t *Tx) addDays(ctx context.Context, days map[sumKey][]float64) error {
	for _, k := range sortedKeys(days) {
		v := days[k]
		if _, err := t.Exec(ctx, `INSERT INTO region_days (region_id, day, open_tasks, missed) VALUES (?, ?, ?, ?)
			ON CONFLICT (region_id, day) DO UPDATE SET open_tasks = region_days.open_tasks + excluded.open_tasks,
			missed = region_days.missed + excluded.missed`, k.region, k.day, int64(v[0]), int64(v[1])); err != nil {
			return err
		}
	}
	return nil
}

// statsShards is how many rows a town's year is kept in on PostgreSQL:
// each write adds to one picked at random, so parallel writes in a town
// seldom wait on each other's row; a read sums them. SQLite has one
// writer at a time and one row.
const statsShards = 8

// shard picks the row of a town's year this write adds to.
func (t *Tx) shard() int {
	if t.d == Postgres {
		return rand.IntN(statsShards)
	}
	return 0
}

// addStats adds a delta to a shard of a town's year.
func (t *Tx) addStats(ctx context.Context, k sumKey, v []float64, now int64, shard int) error {
	args := []any{k.region, k.year, shard, now}
	sets := []string{"computed_at = excluded.computed_at"}
	for i, c := range statsColumns {
		args = append(args, v[i])
		sets = append(sets, c+" = region_stats."+c+" + excluded."+c)
	}
	_, err := t.Exec(ctx, `INSERT INTO region_stats (region_id, year, shard, computed_at, `+strings.Join(statsColumns, ", ")+`)
		VALUES (?, ?, ?, ?`+strings.Repeat(", ?", len(statsColumns))+`) ON CONFLICT (region_id, year, shard) DO UPDATE SET `+strings.Join(sets, ", "), args...)
	return err
}

// spread adds a part's counts at k to the towns' rows: region_days' or
// region_stats', a figure of state (year 0) to every counted year's.
func spread(stats, days map[sumKey][]float64, part *sumPart, k sumKey, v []float64, years []int) {
	target, cols := stats, statsColumns
	if part.days {
		target, cols = days, daysColumns
	}
	keys := []sumKey{k}
	if !part.days && k.year == 0 {
		keys = keys[:0]
		for _, y := range years {
			keys = append(keys, sumKey{region: k.region, year: y})
		}
	}
	for _, key := range keys {
		row := target[key]
		if row == nil {
			row = make([]float64, len(cols))
			target[key] = row
		}
		for i, c := range part.cols {
			row[slices.Index(cols, c)] += v[i]
		}
	}
}

func isZero(v []float64) bool {
	for _, x := range v {
		if x > 1e-9 || x < -1e-9 {
			return false
		}
	}
	return true
}

func sortedKeys(m map[sumKey][]float64) []sumKey {
	keys := make([]sumKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// A fixed order, so that two writes never wait on each other's rows
	// in opposite orders.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.region != b.region {
			return a.region < b.region
		}
		if a.year != b.year {
			return a.year < b.year
		}
		return a.day < b.day
	})
	return keys
}

// countAll counts every part over every row for the years.
func (s *Store) countAll(ctx context.Context, query queryFunc, years []int) (stats, days map[sumKey][]float64, err error) {
	stats, days = map[sumKey][]float64{}, map[sumKey][]float64{}
	for _, part := range s.parts {
		got, err := part.count(ctx, query, "", years)
		if err != nil {
			return nil, nil, err
		}
		for k, v := range got {
			spread(stats, days, part, k, v, years)
		}
	}
	return stats, days, nil
}

// recount counts the years' town figures (and every town's days) from
// the rows and stores them, alone: writes that change figures wait.
func (s *Store) recount(ctx context.Context, years []int) error {
	return s.write(ctx, func(tx *Tx) error {
		if err := tx.lockStats(ctx, false); err != nil {
			return err
		}
		counted, err := countedYears(ctx, tx.Query)
		if err != nil {
			return err
		}
		for _, y := range years {
			if !slices.Contains(counted, y) {
				counted = append(counted, y)
			}
		}
		sort.Ints(counted)
		stats, days, err := s.countAll(ctx, tx.Query, counted)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM regions WHERE parent_id IS NOT NULL`)
		towns, err := scanAll(rows, err, func(r *sql.Rows) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
		if err != nil {
			return err
		}
		for _, id := range towns {
			for _, y := range counted {
				if stats[sumKey{region: id, year: y}] == nil {
					stats[sumKey{region: id, year: y}] = make([]float64, len(statsColumns))
				}
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM region_stats`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM counted_years`); err != nil {
			return err
		}
		for _, y := range counted {
			if _, err := tx.Exec(ctx, `INSERT INTO counted_years (year, counted_at) VALUES (?, ?)`, y, ms(s.Now())); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM region_days`); err != nil {
			return err
		}
		now := ms(s.Now())
		for _, k := range sortedKeys(stats) {
			if err := tx.addStats(ctx, k, stats[k], now, 0); err != nil {
				return err
			}
		}
		return tx.addDays(ctx, days)
	})
}

// ensureYear counts a year's town figures when they never were; after
// that the writes keep them.
func (s *Store) ensureYear(ctx context.Context, year int) error {
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM counted_years WHERE year = ?`, year).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return s.recount(ctx, []int{year})
}

// townDrift compares the kept town figures with a recount.
func (s *Store) townDrift(ctx context.Context) ([]string, error) {
	years, err := countedYears(ctx, s.query)
	if err != nil {
		return nil, err
	}
	stats, days, err := s.countAll(ctx, s.query, years)
	if err != nil {
		return nil, err
	}
	keptStats := map[sumKey][]float64{}
	rows, err := s.query(ctx, `SELECT region_id, year, `+sumColumns(statsColumns)+` FROM region_stats
		WHERE year IN (SELECT year FROM counted_years) GROUP BY region_id, year`)
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var k sumKey
		v := make([]float64, len(statsColumns))
		dest := []any{&k.region, &k.year}
		for i := range v {
			dest = append(dest, &v[i])
		}
		if err := r.Scan(dest...); err != nil {
			return err
		}
		keptStats[k] = v
		return nil
	}); err != nil {
		return nil, err
	}
	keptDays := map[sumKey][]float64{}
	rows, err = s.query(ctx, `SELECT region_id, day, open_tasks, missed FROM region_days`)
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var k sumKey
		v := make([]float64, 2)
		if err := r.Scan(&k.region, &k.day, &v[0], &v[1]); err != nil {
			return err
		}
		keptDays[k] = v
		return nil
	}); err != nil {
		return nil, err
	}
	var out []string
	compare := func(what string, cols []string, kept, counted map[sumKey][]float64) {
		for _, k := range sortedKeys(merge(kept, counted)) {
			a, b := kept[k], counted[k]
			for i, c := range cols {
				var x, y float64
				if a != nil {
					x = a[i]
				}
				if b != nil {
					y = b[i]
				}
				if differ(x, y) {
					out = append(out, fmt.Sprintf("%s town %d %d%s %s: kept %v, recounted %v", what, k.region, k.year, k.day, c, x, y))
				}
			}
		}
	}
	compare("region_stats", statsColumns, keptStats, stats)
	compare("region_days", daysColumns, keptDays, days)
	return out, nil
}

func merge(a, b map[sumKey][]float64) map[sumKey][]float64 {
	out := map[sumKey][]float64{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// addTown gives a new town its (empty) figures in every counted year.
func (t *Tx) addTown(ctx context.Context, id int64) error {
	years, err := countedYears(ctx, t.Query)
	if err != nil {
		return err
	}
	for _, y := range years {
		if err := t.addStats(ctx, sumKey{region: id, year: y}, make([]float64, len(statsColumns)), ms(t.s.Now()), 0); err != nil {
			return err
		}
	}
	return nil
}

// sumColumns sums each column under its own name.
func sumColumns(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "SUM(" + c + ") AS " + c
	}
	return strings.Join(out, ", ")
}

// statsFrom is a year's town figures, their shards summed, as a table st
// (its one argument: the year).
func statsFrom() string {
	return `(SELECT region_id, year, ` + sumColumns(statsColumns) + `, MAX(computed_at) AS computed_at
		FROM region_stats WHERE year = ? GROUP BY region_id, year) st`
}
