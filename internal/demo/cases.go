package demo

import (
	"context"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// sampleSource marks every demo case as sample text: envhome does not
// invent projects and pass them off as real ones.
const sampleSource = "示例案例（演示数据，非真实项目）"

func money(x float64) *float64 { return &x }

// seedCases fills the technology-case library: two published cases pushed
// to the key discharge units they fit, one waiting for the bureau, one
// returned to its submitter, and the demo enterprise's interest in one.
func seedCases(ctx context.Context, s *store.Store, users map[model.Role]*model.User) error {
	bureau := model.Actor{User: users[model.RoleAdmin]}
	provider := model.Actor{User: users[model.RoleProvider]}
	cases := []struct {
		by     model.Actor
		review string // "publish", "return" or "" (left waiting)
		in     model.CaseInput
	}{
		{provider, "publish", model.CaseInput{Title: "印染废水“水解酸化＋A/O＋芬顿深度处理”提标改造（示例）", Industries: []string{"C17"},
			Pollutants: []string{"cod", "ammonia", "nitrogen"},
			Technique: "分质收集高浓度退浆废水与低浓度漂洗废水；高浓度废水先经水解酸化提高可生化性，再与低浓度废水混合进入 A/O 生化池；" +
				"二沉池出水经芬顿氧化深度处理后达标纳管。改造利用原有池体，停产时间控制在 10 天以内。",
			Figures: []model.CaseFigure{{Name: "出水化学需氧量", Unit: "mg/L", Before: 180, After: 45}, {Name: "出水氨氮", Unit: "mg/L", Before: 12, After: 3},
				{Name: "吨水处理费用", Unit: "元/吨", Before: 6.5, After: 5.2}},
			Investment: money(320), RunningCost: money(85), Provider: "示例环保服务有限公司", Source: sampleSource}},
		{bureau, "publish", model.CaseInput{Title: "涂装车间 VOCs“沸石转轮浓缩＋RTO”治理（示例）", Industries: []string{"C34", "C37", "C39"},
			Pollutants: []string{"vocs"},
			Technique: "喷涂与流平工段密闭收集，废气经过滤除漆雾后进入沸石转轮浓缩约 15 倍，浓缩气送蓄热式焚烧炉（RTO）处理，" +
				"净化效率 95% 以上；低浓度大风量废气达标排放，运行数据接入在线监控。",
			Figures: []model.CaseFigure{{Name: "非甲烷总烃排放浓度", Unit: "mg/m³", Before: 85, After: 12},
				{Name: "VOCs 年排放量", Unit: "t/a", Before: 18, After: 2.6}},
			Investment: money(450), RunningCost: money(60), Provider: "示例环保服务有限公司", Source: sampleSource}},
		{provider, "", model.CaseInput{Title: "电镀废水分质分流与重金属回收（示例）", Industries: []string{"C3360"},
			Pollutants: []string{"heavy_metals"},
			Technique:  "含铬、含镍、综合废水分管收集，含镍废水经离子交换回收镍盐，含铬废水还原沉淀，综合废水混凝沉淀后回用 40%。",
			Figures:    []model.CaseFigure{{Name: "总镍排放浓度", Unit: "mg/L", Before: 0.5, After: 0.05}},
			Investment: money(180), Provider: "示例环保服务有限公司", Source: sampleSource}},
		{provider, "return", model.CaseInput{Title: "危废仓库规范化改造（示例）", Pollutants: []string{"hazardous_waste"},
			Technique: "按危险废物贮存污染控制标准分区贮存、设置导流沟和收集池、张贴标识，台账电子化。",
			Figures:   []model.CaseFigure{{Name: "贮存分区", Unit: "个", Before: 1, After: 4}},
			Provider:  "示例环保服务有限公司", Source: sampleSource}},
	}
	var pushed int64
	for _, x := range cases {
		if x.by.User.Role == model.RoleProvider {
			x.in.ProviderID = x.by.User.ProviderID // the demo provider, registered on the through train
		}
		c, err := s.SubmitCase(ctx, x.by, x.in)
		if err != nil {
			return err
		}
		switch x.review {
		case "publish":
			if _, err := s.ReviewCase(ctx, bureau, c.ID, model.CaseReview{Decision: "publish"}); err != nil {
				return err
			}
			pushed = c.ID
		case "return":
			if _, err := s.ReviewCase(ctx, bureau, c.ID, model.CaseReview{Decision: "return", Reason: "请补充改造前后的处置费用数据"}); err != nil {
				return err
			}
		}
	}
	_, err := s.MarkCaseInterest(ctx, model.Actor{User: users[model.RoleEnterprise]}, pushed, "我司涂装线有类似问题，希望了解投资回收期。")
	return err
}
