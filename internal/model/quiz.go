package model

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Question is one question of a quiz: single choice when one answer is
// right, multiple choice otherwise; each cites the article it tests.
type Question struct {
	Text    string     `json:"text"`
	Options []string   `json:"options"`
	Answer  []int      `json:"answer,omitempty"` // the right options' indexes: to the publisher only
	Cite    ArticleRef `json:"cite"`
	// Multi says more than one option is right (kept when the answers
	// are hidden, so the form offers check boxes).
	Multi bool `json:"multiple"`
}

// Multiple says whether more than one option is right.
func (q Question) Multiple() bool { return q.Multi || len(q.Answer) > 1 }

// Quiz is a short quiz carried by an announcement.
type Quiz struct {
	ID             int64      `json:"id"`
	AnnouncementID int64      `json:"announcement_id"`
	Title          string     `json:"title"`
	Questions      []Question `json:"questions"`
	PassPercent    int        `json:"pass_percent"`
	ClosesAt       time.Time  `json:"closes_at"`
	// CreditHours are counted toward a manager's year when passed, if the
	// bureau's settings credit quizzes.
	CreditHours float64   `json:"credit_hours"`
	CreatedAt   time.Time `json:"created_at"`
}

// QuizInput is what a quiz is made from.
type QuizInput struct {
	Title       string     `json:"title"`
	Questions   []Question `json:"questions"`
	PassPercent int        `json:"pass_percent"`
	ClosesAt    time.Time  `json:"closes_at"`
	CreditHours float64    `json:"credit_hours"`
}

// Validate checks an input; now is when it is made.
func (in *QuizInput) Validate(now time.Time) error {
	v := Validation{}
	in.Title = strings.TrimSpace(in.Title)
	requiredText(v, "title", in.Title, 60)
	if len(in.Questions) == 0 || len(in.Questions) > 20 {
		v.Add("questions", "err.quiz.questions")
	}
	for i := range in.Questions {
		q := &in.Questions[i]
		f := "questions." + strconv.Itoa(i) + "."
		q.Text = strings.TrimSpace(q.Text)
		requiredText(v, f+"text", q.Text, 300)
		var opts []string
		for _, o := range q.Options {
			if o = strings.TrimSpace(o); o != "" {
				opts = append(opts, o)
			}
		}
		q.Options = opts
		if len(opts) < 2 || len(opts) > 6 {
			v.Add(f+"options", "err.quiz.options")
		}
		for _, o := range opts {
			if utf8.RuneCountInString(o) > 200 || !PlainText(o, false) {
				v.Add(f+"options", "err.field.too_long")
			}
		}
		slices.Sort(q.Answer)
		q.Answer = slices.Compact(q.Answer)
		if len(q.Answer) == 0 {
			v.Add(f+"answer", "err.quiz.answer")
		}
		q.Multi = len(q.Answer) > 1
		for _, a := range q.Answer {
			if a < 0 || a >= len(opts) {
				v.Add(f+"answer", "err.quiz.answer")
			}
		}
		if q.Cite.LawID <= 0 || !ValidArticleKey(q.Cite.Key) {
			v.Add(f+"cite", "err.field.article_ref")
		}
	}
	if in.PassPercent == 0 {
		in.PassPercent = 60
	}
	if in.PassPercent < 1 || in.PassPercent > 100 {
		v.Add("pass_percent", "err.field.percent")
	}
	if !in.ClosesAt.After(now) {
		v.Add("closes_at", "err.quiz.closes_past")
	}
	if in.CreditHours < 0 || in.CreditHours > 4 || in.CreditHours*2 != float64(int(in.CreditHours*2)) {
		v.Add("credit_hours", "err.field.hours")
	}
	return v.Err()
}

// Grade scores answers (one list of chosen options per question): a
// question is right when exactly its right options were chosen.
func (q *Quiz) Grade(answers [][]int) (right int, passed bool) {
	for i, qu := range q.Questions {
		if i >= len(answers) {
			break
		}
		got := slices.Clone(answers[i])
		slices.Sort(got)
		got = slices.Compact(got)
		if slices.Equal(got, qu.Answer) {
			right++
		}
	}
	return right, right*100 >= q.PassPercent*len(q.Questions)
}

// Attempt is a manager's answers to a quiz.
type Attempt struct {
	ID           int64     `json:"id"`
	QuizID       int64     `json:"quiz_id"`
	ManagerID    int64     `json:"manager_id"`
	ManagerName  string    `json:"manager_name"`
	EnterpriseID int64     `json:"enterprise_id"`
	Right        int       `json:"right"`
	Total        int       `json:"total"`
	Passed       bool      `json:"passed"`
	CreditHours  float64   `json:"credit_hours"`
	SubmittedAt  time.Time `json:"submitted_at"`
}

// TownResult is a quiz's results in one town.
type TownResult struct {
	RegionID     int64   `json:"region_id"`
	RegionName   string  `json:"region_name"`
	Attempts     int     `json:"attempts"`
	Passed       int     `json:"passed"`
	AveragePoint float64 `json:"average_percent"`
}
