// Package demo seeds a Haining-like county into an empty database so that a
// fresh `go run ./cmd/envhome` has something to show. Names are synthetic.
package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// County is the demo county: Haining, division code 330481.
const County = "330481"

// Towns are Haining's 4 streets and 8 towns. Their sub-codes are made up
// for the demo (suffix 0xx), not the official ones.
var Towns = []string{"硖石街道", "海洲街道", "海昌街道", "马桥街道",
	"许村镇", "长安镇", "周王庙镇", "丁桥镇", "斜桥镇", "袁花镇", "黄湾镇", "盐官镇"}

// The size of the demo county: Haining's Smart Port community alone has 607
// companies and 1,200 shops; the county has 723 environmental managers.
const (
	Companies = 607
	Shops     = 1200
	Managers  = 723
)

// Account is a seeded login.
type Account struct {
	Username, Password string
	Role               model.Role
}

// Seed fills an empty database and returns the demo accounts with their
// one-time passwords. It writes nothing into a database that holds data.
// When several instances start at once on one empty PostgreSQL database,
// the first to create the county seeds and the others answer nil.
func Seed(ctx context.Context, svc *auth.Service) ([]Account, error) {
	s := svc.Store
	empty, err := s.IsEmpty(ctx)
	if err != nil || !empty {
		return nil, err
	}
	a := model.SystemActor()
	county, err := s.CreateRegion(ctx, a, model.Region{Code: County, Name: "海宁市"})
	if model.IsCode(err, model.ErrConflict) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var haichang int64
	var regions []int64 // 海昌街道 first: the Smart Port community is there
	for i, name := range Towns {
		id, err := s.CreateRegion(ctx, a, model.Region{Code: fmt.Sprintf("%s%03d", County, i+1), Name: name, ParentID: &county})
		if err != nil {
			return nil, err
		}
		if name == "海昌街道" {
			haichang = id
			regions = append([]int64{id}, regions...)
		} else {
			regions = append(regions, id)
		}
		// Associations in 10 of the 12 towns and streets.
		if name != "黄湾镇" && name != "盐官镇" {
			if _, err := s.CreateAssociation(ctx, a, model.Association{RegionID: id, Name: name + "环保协会"}); err != nil {
				return nil, err
			}
		}
	}
	if _, err := s.CreateHome(ctx, a, model.Home{Name: "智慧港产业社区环保管理员之家", RegionID: haichang,
		Address: "海宁市海昌街道智慧港产业社区", OpeningHours: "周一至周五 8:30–17:00",
		Rooms: []model.Room{{Name: "一号教室", Seats: 30}, {Name: "二号教室", Seats: 20}}}); err != nil {
		return nil, err
	}
	ents, mgrs := Roster(1, Companies, Shops, Managers, regions, 0)
	res, err := s.ImportRoster(ctx, a, ents, mgrs, nil, model.ImportAllOrNothing, false)
	if err != nil {
		return nil, err
	}
	if !res.Written {
		return nil, fmt.Errorf("demo roster: %v", res.Problems[0])
	}
	entID, err := s.EnterpriseIDByUSCC(ctx, ents[0].USCC)
	if err != nil {
		return nil, err
	}
	ent := &model.Enterprise{ID: entID}
	accounts := []model.NewUser{
		{Username: "bureau", DisplayName: "海宁生态环境执法队", Role: model.RoleAdmin},
		{Username: "haichang", DisplayName: "海昌街道环保协会", Role: model.RoleAssociation, RegionID: &haichang},
		{Username: "demo-enterprise", DisplayName: ents[0].Name, Role: model.RoleEnterprise, EnterpriseID: &ent.ID},
		{Username: "lecturer", DisplayName: "王教授（示例）", Role: model.RoleLecturer},
		{Username: "provider", DisplayName: "示例环保服务有限公司", Role: model.RoleProvider},
	}
	var out []Account
	var lecturerUser int64
	users := map[model.Role]*model.User{}
	for _, acc := range accounts {
		acc.Password = Password()
		acc.MustChangePassword = true // printed on a console: changed at the first sign-in
		u, err := svc.CreateUser(ctx, a, acc)
		if err != nil {
			return nil, err
		}
		if acc.Role == model.RoleLecturer {
			lecturerUser = u.ID
		}
		users[acc.Role] = u
		out = append(out, Account{acc.Username, acc.Password, acc.Role})
	}
	course, err := seedCourses(ctx, s, lecturerUser, haichang)
	if err != nil {
		return nil, err
	}
	if err := seedChecklists(ctx, s); err != nil {
		return nil, err
	}
	if err := seedLaws(ctx, s); err != nil {
		return nil, err
	}
	if err := seedMarket(ctx, svc, users, ents); err != nil {
		return nil, err
	}
	if err := seedCases(ctx, s, users); err != nil {
		return nil, err
	}
	if err := seedCarbon(ctx, s, users); err != nil {
		return nil, err
	}
	if err := seedHistory(ctx, s, users, course); err != nil {
		return nil, err
	}
	return out, seedAppraisals(ctx, s, users)
}

// seedChecklists publishes the county's self-inspection checklist.
func seedChecklists(ctx context.Context, s *store.Store) error {
	a := model.SystemActor()
	c, err := s.CreateChecklist(ctx, a, model.CountyChecklist())
	if err != nil {
		return err
	}
	_, err = s.PublishChecklist(ctx, a, c.ID)
	return err
}

// seedCourses writes the course supermarket's demo: lecturers, the first
// course ("Carbon Trading Management") and a few more, classes at the
// Smart Port Home over the coming weeks, and a topic to vote on. It
// returns the first course.
func seedCourses(ctx context.Context, s *store.Store, lecturerUser, haichang int64) (int64, error) {
	a := model.SystemActor()
	wang, err := s.SaveLecturer(ctx, a, &model.Lecturer{UserID: &lecturerUser, Name: "王教授（示例）", AffiliationKind: "university",
		Affiliation: "浙江大学环境与资源学院", Title: "教授", Tags: []string{"碳交易", "碳核算"}, Bio: "长期从事碳排放核算与碳市场研究。"})
	if err != nil {
		return 0, err
	}
	li, err := s.SaveLecturer(ctx, a, &model.Lecturer{Name: "李工（示例）", AffiliationKind: "institute",
		Affiliation: "嘉兴市环境科学研究所", Title: "高级工程师", Tags: []string{"排污许可", "VOCs"}})
	if err != nil {
		return 0, err
	}
	homes, err := s.Homes(ctx, haichang)
	if err != nil || len(homes) == 0 {
		return 0, err
	}
	var first int64
	courses := []model.Course{
		{Title: "碳排放权交易管理", Category: "carbon", CreditHours: 3, LecturerIDs: []int64{wang.ID},
			Description: "全国碳市场规则、配额分配与清缴、企业碳排放核算与报告。"},
		{Title: "排污许可证执行报告填报实务", Category: "permit", CreditHours: 2, LecturerIDs: []int64{li.ID},
			Description: "按排污许可管理办法（生态环境部令第32号）填报年度、季度执行报告。"},
		{Title: "挥发性有机物（VOCs）治理与台账", Category: "air", CreditHours: 2, LecturerIDs: []int64{li.ID}},
		{Title: "危险废物规范化管理", Category: "waste", CreditHours: 1.5, LecturerIDs: []int64{wang.ID}},
	}
	day := time.Now().In(model.ChinaTime)
	day = time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, model.ChinaTime)
	for i, c := range courses {
		saved, err := s.SaveCourse(ctx, a, &c)
		if err != nil {
			return 0, err
		}
		if first == 0 {
			first = saved.ID
		}
		for j := range 2 {
			starts := day.AddDate(0, 0, 3+i*2+j*7)
			if _, err := s.CreateClass(ctx, a, saved.ID, model.ClassInput{HomeID: homes[0].ID, StartsAt: starts,
				EndsAt: starts.Add(3 * time.Hour), Capacity: 20 + 10*(j%2), PerEnterpriseLimit: 2}); err != nil {
				return 0, err
			}
		}
	}
	_, err = s.ProposeTopic(ctx, a, model.Topic{Title: "环境信息依法披露实务", Description: "企业环境信息依法披露管理办法的年报怎么写"})
	return first, err
}

// Password makes a random password that is easy to type on a phone.
func Password() string { return model.TemporaryPassword() }

// Print shows the demo logins once.
func Print(w io.Writer, baseURL string, accounts []Account) {
	fmt.Fprintf(w, "\nDemo data seeded. Log in at %s/login with (passwords are shown only now):\n", baseURL)
	for _, a := range accounts {
		fmt.Fprintf(w, "  %-12s %-16s %s\n", a.Role, a.Username, a.Password)
	}
	fmt.Fprintln(w)
}

// EnsureRegions returns the demo county's towns (海昌街道 first), creating
// the county and towns in an empty database; the dataset generator and the
// benchmarks use it.
func EnsureRegions(ctx context.Context, s *store.Store) ([]int64, error) {
	regions, err := s.Regions(ctx)
	if err != nil {
		return nil, err
	}
	if len(regions) == 0 {
		a := model.SystemActor()
		county, err := s.CreateRegion(ctx, a, model.Region{Code: County, Name: "海宁市"})
		if err != nil {
			return nil, err
		}
		for i, name := range Towns {
			if _, err := s.CreateRegion(ctx, a, model.Region{Code: fmt.Sprintf("%s%03d", County, i+1), Name: name, ParentID: &county}); err != nil {
				return nil, err
			}
		}
		if regions, err = s.Regions(ctx); err != nil {
			return nil, err
		}
	}
	var ids []int64
	for _, r := range regions {
		switch {
		case r.ParentID == nil:
		case r.Name == "海昌街道":
			ids = append([]int64{r.ID}, ids...)
		default:
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("the database has no towns")
	}
	return ids, nil
}
