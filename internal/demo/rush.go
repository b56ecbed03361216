package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// RushManager is one manager of a registration-rush dataset.
type RushManager struct {
	ID, EnterpriseID int64
}

// Rush is a dataset for booking tests and the rush benchmark: enterprises
// with managers and one account each, and classes of one course at one Home.
type Rush struct {
	Classes     []int64
	Managers    []RushManager
	Enterprises []int64 // in the order of their managers
	HomeID      int64
	CourseID    int64
}

// RushSpec says how big a rush dataset is.
type RushSpec struct {
	Managers, PerEnterprise int
	Classes, Capacity       int
	PerEnterpriseLimit      int
	StartsAt                time.Time
	Seed                    uint64
}

// SeedRush writes a rush dataset into a store with towns (see
// EnsureRegions). Enterprises and managers go in by the bulk path.
func SeedRush(ctx context.Context, s *store.Store, spec RushSpec) (*Rush, error) {
	a := model.SystemActor()
	regions, err := EnsureRegions(ctx, s)
	if err != nil {
		return nil, err
	}
	home, err := s.CreateHome(ctx, a, model.Home{Name: fmt.Sprintf("报名测试之家 %d", spec.Seed), RegionID: regions[0],
		Rooms: []model.Room{{Name: "大教室", Seats: model.MaxClassSize}}})
	if err != nil {
		return nil, err
	}
	course, err := s.SaveCourse(ctx, a, &model.Course{Title: "碳排放权交易管理", Category: "carbon", CreditHours: 3, Description: "报名高峰测试"})
	if err != nil {
		return nil, err
	}
	nEnt := (spec.Managers + spec.PerEnterprise - 1) / spec.PerEnterprise
	ents, _ := Roster(spec.Seed, nEnt, 0, 0, regions[:1], int(spec.Seed%1000)*100000)
	var mgrs []model.RosterManager
	for i := 0; i < spec.Managers; i++ {
		e := ents[i/spec.PerEnterprise]
		mgrs = append(mgrs, model.RosterManager{USCC: e.USCC, Manager: model.Manager{
			Name: fmt.Sprintf("学员%05d", i), Mobile: fmt.Sprintf("1%02d%08d", 30+int(spec.Seed%60), i), Role: model.ManagerAdministrator,
			Status: model.ManagerActive}})
	}
	byCode := map[string][]model.RosterManager{}
	for _, m := range mgrs {
		byCode[m.USCC] = append(byCode[m.USCC], m)
	}
	for i := 0; i < len(ents); i += 2000 {
		part := ents[i:min(i+2000, len(ents))]
		var pm []model.RosterManager
		for _, e := range part {
			pm = append(pm, byCode[e.USCC]...)
		}
		if err := s.BulkInsert(ctx, a, part, pm); err != nil {
			return nil, err
		}
	}
	out := &Rush{HomeID: home.ID, CourseID: course.ID}
	for _, e := range ents {
		id, err := s.EnterpriseIDByUSCC(ctx, e.USCC)
		if err != nil {
			return nil, err
		}
		ms, err := s.Managers(ctx, model.SystemActor(), id)
		if err != nil {
			return nil, err
		}
		out.Enterprises = append(out.Enterprises, id)
		for _, m := range ms {
			out.Managers = append(out.Managers, RushManager{ID: m.ID, EnterpriseID: id})
		}
	}
	opens := spec.StartsAt.Add(-30 * 24 * time.Hour)
	for i := 0; i < spec.Classes; i++ {
		starts := spec.StartsAt.Add(time.Duration(i) * time.Hour)
		k, err := s.CreateClass(ctx, a, course.ID, model.ClassInput{HomeID: home.ID, StartsAt: starts, EndsAt: starts.Add(3 * time.Hour),
			Capacity: spec.Capacity, PerEnterpriseLimit: spec.PerEnterpriseLimit, BookingOpensAt: &opens})
		if err != nil {
			return nil, err
		}
		out.Classes = append(out.Classes, k.ID)
	}
	return out, nil
}
