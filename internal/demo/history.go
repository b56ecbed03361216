package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"time"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// History is how many months of self-inspection the demo writes.
const History = 6

// historyPerTown is how many enterprises of each town inspect themselves
// in the demo's history; the others only have schedules (and so miss
// periods, as enterprises that never log in do).
const historyPerTown = 3

// seedHistory writes six months of self-inspection through the store, as
// users would have: each month the sweep's schedule job, the chosen
// enterprises' self-inspections with a few problems (some with photos),
// their rectifications in every state (closed, reopened, submitted,
// open and overdue), the towns' spot checks (some finding what the
// enterprise had marked "ok"), and duties done. The store's clock is set
// back for each month; the result is a county with colours in every town.
// The members' managers attend a class of course most months, so that
// some are on track with their hours. assoc is Haichang's association
// account, ent the demo enterprise's; the bureau's account verifies and
// spot-checks in the other towns.
func seedHistory(ctx context.Context, s *store.Store, users map[model.Role]*model.User, course int64) error {
	assoc, ent, bureau := users[model.RoleAssociation], users[model.RoleEnterprise], model.Actor{User: users[model.RoleAdmin]}
	defer s.SetBack(0)
	sys := model.SystemActor()
	rng := rand.New(rand.NewPCG(330481, 2026))
	photo, err := demoPhoto(ctx, s)
	if err != nil {
		return err
	}
	cs, err := s.Checklists(ctx, sys, false)
	if err != nil || len(cs) == 0 {
		return err
	}
	c := cs[0]
	regions, err := s.Regions(ctx)
	if err != nil {
		return err
	}
	type member struct {
		e     *model.Enterprise
		actor model.Actor
		owner int64 // a manager who owns its tasks
	}
	var members []member
	staff := map[int64]model.Actor{} // who verifies and spot-checks in each town
	var towns []int64                // in order, so both databases get the same history
	for _, r := range regions {
		if r.ParentID == nil {
			continue
		}
		towns = append(towns, r.ID)
		staff[r.ID] = bureau
		if assoc.RegionID != nil && *assoc.RegionID == r.ID {
			staff[r.ID] = model.Actor{User: assoc}
		}
		l, err := s.ListEnterprises(ctx, sys, model.EnterpriseFilter{RegionID: r.ID, Page: model.Page{Limit: 50}})
		if err != nil {
			return err
		}
		n := 0
		for _, e := range l.Items {
			if n == historyPerTown || !c.Binds(e) {
				continue
			}
			ms, err := s.Managers(ctx, sys, e.ID)
			if err != nil {
				return err
			}
			if len(ms) == 0 {
				m, err := s.CreateManager(ctx, sys, e.ID, model.Manager{Name: "示例管理员" + string(rune('甲'+len(members))),
					Mobile: fmt.Sprintf("139%08d", 70000000+len(members))})
				if err != nil {
					return err
				}
				ms = append(ms, m)
			}
			u := &model.User{Username: "示例数据", DisplayName: e.Name, Role: model.RoleEnterprise, EnterpriseID: &e.ID}
			if ent.EnterpriseID != nil && *ent.EnterpriseID == e.ID {
				u = ent
			}
			members = append(members, member{e, model.Actor{User: u}, ms[0].ID})
			n++
		}
	}
	homes, err := s.Homes(ctx, 0)
	if err != nil || len(homes) == 0 {
		return err
	}
	var booked, classes []int64 // last month's, marked after the class
	now := time.Now()
	for m := History; m >= 0; m-- {
		// The 8th of each month, then today.
		at := now.AddDate(0, -m, 0)
		if m > 0 {
			at = time.Date(at.Year(), at.Month(), 8, 10, 0, 0, 0, model.ChinaTime)
		}
		s.SetBack(now.Sub(at))
		if _, err := s.SyncSchedules(ctx); err != nil {
			return fmt.Errorf("demo schedules: %w", err)
		}
		for _, b := range booked {
			att := model.AttendancePresent
			if rng.IntN(6) == 0 {
				att = model.AttendanceAbsent
			}
			if _, err := s.SetAttendance(ctx, sys, b, att); err != nil {
				return fmt.Errorf("demo attendance: %w", err)
			}
		}
		for _, k := range classes {
			if _, err := s.CompleteClass(ctx, bureau, k); err != nil {
				return fmt.Errorf("demo class completed: %w", err)
			}
		}
		booked, classes = booked[:0], classes[:0]
		if m == 0 {
			// Last month's rectifications are worked on until today.
			for _, mb := range members {
				if err := workTasks(ctx, s, rng, mb.actor, staff[mb.e.RegionID], mb.e.ID, mb.owner, photo, 12, 3); err != nil {
					return fmt.Errorf("demo tasks of %s: %w", mb.e.Name, err)
				}
			}
			break
		}
		// Two classes a week later; most members' managers book one.
		for i := range 2 {
			starts := at.AddDate(0, 0, 7+i)
			k, err := s.CreateClass(ctx, sys, course, model.ClassInput{HomeID: homes[0].ID, StartsAt: starts, EndsAt: starts.Add(3 * time.Hour),
				Capacity: 30, PerEnterpriseLimit: 2})
			if err != nil {
				return fmt.Errorf("demo class: %w", err)
			}
			classes = append(classes, k.ID)
		}
		for i, mb := range members {
			if rng.IntN(7) == 0 {
				continue
			}
			b, err := s.Book(ctx, sys, classes[i%2], mb.owner)
			if err != nil {
				return fmt.Errorf("demo booking: %w", err)
			}
			booked = append(booked, b.ID)
		}
		for i, mb := range members {
			if rng.IntN(10) == 0 && i%3 == 2 { // now and then a month is skipped
				continue
			}
			if err := selfInspect(ctx, s, rng, c, mb.actor, mb.e.ID, photo, m); err != nil {
				return fmt.Errorf("demo inspection of %s: %w", mb.e.Name, err)
			}
		}
		// Last month's rectifications are worked on, and verified.
		for _, mb := range members {
			if err := workTasks(ctx, s, rng, mb.actor, staff[mb.e.RegionID], mb.e.ID, mb.owner, photo, 5, 10); err != nil {
				return fmt.Errorf("demo tasks of %s: %w", mb.e.Name, err)
			}
		}
		// Each town's association spot-checks one of its enterprises.
		for _, r := range towns {
			a := staff[r]
			var in []member
			for _, mb := range members {
				if mb.e.RegionID == r {
					in = append(in, mb)
				}
			}
			if len(in) == 0 || m%2 == 1 {
				continue
			}
			if err := spotCheck(ctx, s, rng, c, a, in[rng.IntN(len(in))].e.ID, photo); err != nil {
				return fmt.Errorf("demo spot check: %w", err)
			}
		}
	}
	// Duties: most past ones done.
	for _, mb := range members {
		obs, err := s.Obligations(ctx, sys, mb.e.ID)
		if err != nil {
			return err
		}
		for _, o := range obs {
			if o.DoneAt == nil && o.DueOn < model.Today(now) && rng.IntN(4) > 0 {
				if _, err := s.MarkObligationDone(ctx, mb.actor, o.ID, "已报送（示例）"); err != nil {
					return err
				}
			}
		}
		if _, err := s.Compliance(ctx, sys, mb.e.ID); err != nil {
			return err
		}
	}
	return s.RefreshRegionStats(ctx, true)
}

// selfInspect answers the checklist: mostly "ok", a few problems with a
// note (and the photo where the item asks for one), some items n/a.
func selfInspect(ctx context.Context, s *store.Store, rng *rand.Rand, c *model.Checklist, a model.Actor, eid int64, photo string, monthsAgo int) error {
	in, err := s.StartInspection(ctx, a, eid, c.ID, model.InspectionSelf)
	if err != nil {
		return err
	}
	pid, err := s.AddInspectionPhoto(ctx, a, in.ID, photo, nil)
	if err != nil {
		return err
	}
	for _, it := range c.Items() {
		ans := model.AnswerInput{Result: model.ResultOK}
		switch r := rng.IntN(100); {
		case r < 4+monthsAgo/2: // older months had more problems
			ans = model.AnswerInput{Result: model.ResultProblem, Note: problemNotes[rng.IntN(len(problemNotes))]}
			if it.PhotoRequired {
				ans.PhotoIDs = []int64{pid}
			}
		case r > 93:
			ans.Result = model.ResultNA
		}
		if _, err := s.SaveAnswer(ctx, a, in.ID, it.Code, ans); err != nil {
			return err
		}
	}
	_, err = s.SubmitInspection(ctx, a, in.ID)
	return err
}

var problemNotes = []string{"台账记录不全，缺少近两周的运行记录", "标识牌褪色，需更换", "废气收集罩破损", "危废暂存间防渗层有裂缝",
	"应急物资过期", "雨污分流管道有混接", "在线监测数据有缺失", "培训记录未归档"}

// workTasks moves the enterprise's open tasks along: most get evidence
// and are submitted; the verifier closes most of those and reopens some;
// one in leaveOpen stays open, to become overdue, and one in wait of
// those submitted waits for the verifier.
func workTasks(ctx context.Context, s *store.Store, rng *rand.Rand, ent, verifier model.Actor, eid, owner int64, photo string, leaveOpen, wait int) error {
	// Those waiting since last time are verified now.
	l, err := s.Tasks(ctx, ent, model.TaskFilter{EnterpriseID: eid, Status: model.TaskSubmitted, Page: model.Page{Limit: 50}})
	if err != nil {
		return err
	}
	for _, t := range l.Items {
		if _, err := s.VerifyTask(ctx, verifier, t.ID, model.TaskVerdict{Decision: "close", Note: "现场核实已整改。"}); err != nil {
			return err
		}
	}
	if l, err = s.Tasks(ctx, ent, model.TaskFilter{EnterpriseID: eid, Status: model.TaskOpen, Page: model.Page{Limit: 50}}); err != nil {
		return err
	}
	for _, t := range l.Items {
		if _, err := s.SetTaskOwner(ctx, ent, t.ID, owner); err != nil {
			return err
		}
		if rng.IntN(leaveOpen) == 0 { // left open: overdue in time
			continue
		}
		if _, err := s.AddTaskEvidence(ctx, ent, t.ID, photo); err != nil {
			return err
		}
		if _, err := s.SubmitTask(ctx, ent, t.ID, "已整改，见照片。"); err != nil {
			return err
		}
		v := model.TaskVerdict{Decision: "close", Note: "现场核实已整改。"}
		if rng.IntN(6) == 0 {
			v = model.TaskVerdict{Decision: "reopen", Note: "整改不到位，请补充照片。"}
		} else if rng.IntN(wait) == 0 {
			continue // waits for verification
		}
		if _, err := s.VerifyTask(ctx, verifier, t.ID, v); err != nil {
			return err
		}
	}
	return nil
}

// spotCheck is a town's spot check: now and then it finds a problem.
func spotCheck(ctx context.Context, s *store.Store, rng *rand.Rand, c *model.Checklist, a model.Actor, eid int64, photo string) error {
	in, err := s.StartInspection(ctx, a, eid, c.ID, model.InspectionSpot)
	if err != nil {
		return err
	}
	pid, err := s.AddInspectionPhoto(ctx, a, in.ID, photo, nil)
	if err != nil {
		return err
	}
	for _, it := range c.Items() {
		ans := model.AnswerInput{Result: model.ResultOK}
		if rng.IntN(100) < 4 {
			ans = model.AnswerInput{Result: model.ResultProblem, Note: "抽查发现：" + problemNotes[rng.IntN(len(problemNotes))], PhotoIDs: []int64{pid}}
		}
		if _, err := s.SaveAnswer(ctx, a, in.ID, it.Code, ans); err != nil {
			return err
		}
	}
	_, err = s.SubmitInspection(ctx, a, in.ID)
	return err
}

// demoPhoto stores a small picture that stands for every demo photo and
// returns its hash.
func demoPhoto(ctx context.Context, s *store.Store) (string, error) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(40 + x), uint8(120 + y), 80, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return "", err
	}
	sum := sha256.Sum256(b.Bytes())
	hash := hex.EncodeToString(sum[:])
	return hash, s.PutFile(ctx, model.File{Hash: hash, Size: int64(b.Len()), ContentType: "image/png"}, bytes.NewReader(b.Bytes()))
}
