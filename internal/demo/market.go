package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/model"
)

// seedMarket fills the through train: the demo provider and six more
// (all marked 示例; one licence about to lapse, one lapsed, one waiting for
// verification, one graded red), and demands of the demo enterprise and of
// enterprises in three other towns in every state — waiting, returned,
// taking quotes, closed, awarded with a deal under way, completed deals
// with their savings and ratings, withdrawn.
func seedMarket(ctx context.Context, svc *auth.Service, users map[model.Role]*model.User, ents []model.RosterEnterprise) error {
	s := svc.Store
	bureau := model.Actor{User: users[model.RoleAdmin]}
	today := model.Today(s.Now())
	type prov struct {
		code, name string
		cats, pols []string
		inds       []string
		lics       []model.Licence
		grade      string
		verify     bool
		account    bool
	}
	provs := []prov{
		{"MA2T00A1", "示例环保服务有限公司", []string{"waste_gas", "wastewater", "solid_waste"}, []string{"vocs", "cod", "hazardous_waste"}, []string{"C39", "C17"},
			[]model.Licence{{Kind: "hazardous_waste_operation", Number: "浙危废经第（示例）001号", ValidUntil: today.AddDays(40)}}, "green", true, true},
		{"MA2T00A2", "嘉兴示例环境监测有限公司", []string{"monitoring"}, nil, nil,
			[]model.Licence{{Kind: "cma_monitoring", Number: "示例CMA-0002", ValidUntil: today.AddDays(700)}}, "blue", true, true},
		{"MA2T00A3", "海宁示例水处理工程有限公司", []string{"wastewater"}, []string{"cod", "ammonia", "nitrogen"}, []string{"C17", "C19"}, nil, "blue", true, true},
		{"MA2T00A4", "示例固废处置有限公司", []string{"solid_waste"}, []string{"hazardous_waste"}, nil,
			[]model.Licence{{Kind: "hazardous_waste_operation", Number: "浙危废经第（示例）004号", ValidUntil: today.AddDays(-10)}}, "", true, false},
		{"MA2T00A5", "示例噪声治理有限公司", []string{"noise"}, []string{"noise"}, nil, nil, "", false, false},
		{"MA2T00A6", "示例环保咨询有限公司", []string{"consulting"}, nil, nil, nil, "red", true, false},
		{"MA2T00A7", "示例废气净化设备有限公司", []string{"waste_gas"}, []string{"vocs", "particulates"}, []string{"C3"}, nil, "yellow", true, true},
	}
	accounts := map[string]model.Actor{}
	for i, p := range provs {
		uscc, _ := model.BuildUSCC("91330481", p.code)
		in := model.ProviderInput{USCC: uscc, Name: p.name, Categories: p.cats, Pollutants: p.pols, Industries: p.inds, Licences: p.lics,
			ContactName: "示例联系人", ContactPhone: fmt.Sprintf("1380000%04d", i+1), Description: "示例数据：演示用的服务商，非真实企业。"}
		by := bureau
		if p.account {
			u := users[model.RoleProvider]
			if i > 0 { // the others' accounts are never printed: data owners only
				var err error
				u, err = svc.CreateUser(ctx, model.SystemActor(), model.NewUser{Username: fmt.Sprintf("provider-%d", i+1), Password: Password(),
					Role: model.RoleProvider, DisplayName: p.name, MustChangePassword: true})
				if err != nil {
					return err
				}
			}
			by = model.Actor{User: u}
		}
		created, err := s.RegisterProvider(ctx, by, in)
		if err != nil {
			return err
		}
		if p.account {
			by.User.ProviderID = &created.ID
			accounts[p.code] = by
		}
		if p.verify {
			if _, err := s.VerifyProvider(ctx, bureau, created.ID); err != nil {
				return err
			}
		}
		if p.grade != "" {
			if _, err := s.GradeProvider(ctx, bureau, created.ID, model.ProviderGrade{Grade: p.grade, Reason: "示例评级"}); err != nil {
				return err
			}
		}
	}
	// The demo enterprise and an enterprise in three other towns.
	posters := []model.Actor{{User: users[model.RoleEnterprise]}}
	seen := map[int64]bool{ents[0].RegionID: true}
	for _, e := range ents {
		if seen[e.RegionID] || len(posters) == 4 {
			continue
		}
		seen[e.RegionID] = true
		id, err := s.EnterpriseIDByUSCC(ctx, e.USCC)
		if err != nil {
			return err
		}
		u, err := svc.CreateUser(ctx, model.SystemActor(), model.NewUser{Username: fmt.Sprintf("enterprise-%d", id), Password: Password(),
			Role: model.RoleEnterprise, EnterpriseID: &id, DisplayName: e.Name, MustChangePassword: true})
		if err != nil {
			return err
		}
		posters = append(posters, model.Actor{User: u})
	}
	deadline := s.Now().Add(10 * 24 * time.Hour)
	gas, water := accounts["MA2T00A1"], accounts["MA2T00A3"]
	other := accounts["MA2T00A7"]
	type demand struct {
		by     model.Actor
		in     model.DemandInput
		state  string
		quotes []model.Actor
		prices []float64
		costs  [2]float64 // baseline, achieved
	}
	vocs := func(title string) model.DemandInput {
		flow := 20000.0
		return model.DemandInput{Title: title, Category: "waste_gas", Pollutants: []string{"vocs"}, Description: "喷涂和烘干工段废气，现用活性炭吸附，更换频繁、费用高。（示例）",
			Flow: &flow, FlowUnit: "m³/h", Targets: []model.Target{{Pollutant: "vocs", Current: 85, Target: 20, Unit: "mg/m³"}}, Standard: "DB33/2146-2018",
			QuoteDeadline: deadline}
	}
	cod := func(title string) model.DemandInput {
		flow := 300.0
		return model.DemandInput{Title: title, Category: "wastewater", Pollutants: []string{"cod", "ammonia"}, Description: "印染废水提标，出水化学需氧量不稳定。（示例）",
			Flow: &flow, FlowUnit: "m³/d", Targets: []model.Target{{Pollutant: "cod", Current: 180, Target: 80, Unit: "mg/L"}}, Standard: "GB 4287-2012",
			QuoteDeadline: deadline}
	}
	demands := []demand{
		{posters[0], vocs("喷涂线 VOCs 深度治理（示例）"), "published", []model.Actor{gas, other}, []float64{260, 230}, [2]float64{}},
		{posters[0], cod("废水站提标改造（示例）"), "submitted", nil, nil, [2]float64{}},
		{posters[0], vocs("危废仓库废气收集（示例）"), "returned", nil, nil, [2]float64{}},
		{posters[0], cod("雨污分流改造（示例）"), "cancelled", nil, nil, [2]float64{}},
		{posters[1%len(posters)], vocs("印刷车间废气治理（示例）"), "closed", []model.Actor{gas, other}, []float64{120, 95}, [2]float64{}},
		{posters[2%len(posters)], cod("废水回用改造（示例）"), "awarded", []model.Actor{water, gas}, []float64{160, 175}, [2]float64{}},
		{posters[3%len(posters)], vocs("涂装线 RTO 改造（示例）"), "completed", []model.Actor{gas, other}, []float64{210, 240}, [2]float64{48, 30.5}},
		{posters[0], cod("染色废水预处理（示例）"), "completed", []model.Actor{water}, []float64{88}, [2]float64{36, 27}},
	}
	for _, x := range demands {
		d, err := s.PostDemand(ctx, x.by, x.in)
		if err != nil {
			return err
		}
		switch x.state {
		case "submitted":
			continue
		case "returned":
			_, err = s.ReviewDemand(ctx, bureau, d.ID, model.DemandReview{Decision: "return", Reason: "请补充处理风量和现状监测数据（示例）"})
			if err != nil {
				return err
			}
			continue
		}
		if _, err := s.ReviewDemand(ctx, bureau, d.ID, model.DemandReview{Decision: "publish"}); err != nil {
			return err
		}
		if x.state == "cancelled" {
			if _, err := s.CancelDemand(ctx, x.by, d.ID); err != nil {
				return err
			}
			continue
		}
		var quotes []*model.Quote
		for i, p := range x.quotes {
			q, err := s.SendQuote(ctx, p, d.ID, model.QuoteInput{Price: x.prices[i], Includes: "设计、设备、安装、调试和一年运维（示例）", TimelineDays: 60 + 15*i,
				Outcome: "达到需求所列目标，验收监测达标（示例）"})
			if err != nil {
				return err
			}
			quotes = append(quotes, q)
		}
		if x.state == "published" {
			continue
		}
		if _, err := s.CloseQuoting(ctx, x.by, d.ID); err != nil {
			return err
		}
		if x.state == "closed" {
			continue
		}
		deal, err := s.AcceptQuote(ctx, x.by, quotes[0].ID)
		if err != nil {
			return err
		}
		ms := []model.Milestone{{Title: "方案确认", Due: today.AddDays(10)}, {Title: "设备进场", Due: today.AddDays(40)}, {Title: "验收监测", Due: today.AddDays(70)}}
		if _, err := s.PatchDeal(ctx, x.by, deal.ID, model.DealPatch{Milestones: &ms, Done: []int{0}}); err != nil {
			return err
		}
		if x.state != "completed" {
			continue
		}
		bn, an := "活性炭更换、危废处置和超标风险（示例）", "运行能耗与维护（示例）"
		if _, err := s.PatchDeal(ctx, x.by, deal.ID, model.DealPatch{Done: []int{1, 2}, BaselineCost: &x.costs[0], BaselineNote: &bn,
			AchievedCost: &x.costs[1], AchievedNote: &an, Complete: true}); err != nil {
			return err
		}
		if _, err := s.RateDeal(ctx, x.by, deal.ID, model.RatingInput{Score: 5, Comment: "按期完成，运行稳定（示例）"}); err != nil {
			return err
		}
		if _, err := s.RateDeal(ctx, x.quotes[0], deal.ID, model.RatingInput{Score: 4, Comment: "配合良好（示例）"}); err != nil {
			return err
		}
	}
	return nil
}
