package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// fit is what a page must hold to at a width: nothing wider than the
// screen, and no visible table cell narrower than 80 px.
const fitCheck = `(function(){
  var w = document.documentElement.clientWidth, out = [];
  if (document.documentElement.scrollWidth > w) {
    var wide = [];
    document.querySelectorAll("body *").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.right > w + 1 && r.width > 0 && wide.length < 3 && !el.closest(".scroll")) wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + el.className + " " + Math.round(r.right));
    });
    out.push("page " + document.documentElement.scrollWidth + " px wide: " + wide.join(", "));
  }
  document.querySelectorAll("table").forEach(function (t) {
    if (!t.offsetParent) return; // in a closed drawer
    var row = t.querySelector("tbody tr");
    if (!row) return;
    Array.prototype.forEach.call(row.children, function (c) {
      if (c.offsetWidth > 0 && c.offsetWidth < 80 && c.textContent.trim() !== "") out.push((t.id || "table") + " cell " + c.offsetWidth + " px: " + c.textContent.trim().slice(0, 20));
    });
  });
  return out.join("; ");
})()`

// TestEveryPageFitsAPhone (issue 9, items 3 and 11): each role's pages of
// the journeys, at 360 and 390 px and on a desktop, are no wider than the
// screen and have no table column under 80 px; each role's home is kept as
// a screenshot at phone and desktop size.
func TestEveryPageFitsAPhone(t *testing.T) {
	ctx := NewBrowserFor(t, 6*time.Minute) // some 180 page loads

	e := apptest.New(t, "sqlite")
	bg := context.Background()
	sys := model.SystemActor()
	home, err := e.Store.CreateHome(bg, sys, model.Home{Name: "智慧港产业社区环保管理员之家", RegionID: e.Regions["A"],
		Address: "海宁市海昌街道智慧港产业社区", Rooms: []model.Room{{Name: "一号教室", Seats: 30}}})
	must(t, err)
	lect, err := e.Store.SaveLecturer(bg, sys, &model.Lecturer{Name: "王教授", AffiliationKind: "university", UserID: &e.Users[apptest.Lecturer].ID})
	must(t, err)
	course, err := e.Store.SaveCourse(bg, sys, &model.Course{Title: "挥发性有机物（VOCs）治理与台账", Category: "air", CreditHours: 2,
		Description: "每家单位名额上限（0 不限）这类长标签不应把值挤到一边。", LecturerIDs: []int64{lect.ID}})
	must(t, err)
	starts := e.Clock.Now().Add(30 * time.Minute)
	k, err := e.Store.CreateClass(bg, sys, course.ID, model.ClassInput{HomeID: home.ID, StartsAt: starts, EndsAt: starts.Add(3 * time.Hour),
		Capacity: 20, PerEnterpriseLimit: 2})
	must(t, err)
	m, err := e.Store.CreateManager(bg, sys, e.Ents["A"], model.Manager{Name: "欧阳振华", Mobile: "13900001111", CertNo: "HB-2026-000123",
		CertExpiresOn: model.Today(e.Clock.Now()).AddDays(30)})
	must(t, err)
	b, err := e.Store.Book(bg, sys, k.ID, m.ID)
	must(t, err)
	// A long name, the kind that broke every two characters in a column.
	_, err = e.Store.UpdateEnterprise(bg, sys, e.Ents["A"], model.EnterprisePatch{Address: ptr("浙江省嘉兴市海宁市海昌街道双联路 128 号智慧港产业社区 3 号楼")})
	must(t, err)

	cl, err := e.Store.CreateChecklist(bg, sys, model.CountyChecklist())
	must(t, err)
	_, err = e.Store.PublishChecklist(bg, sys, cl.ID)
	must(t, err)
	checklist := fmt.Sprintf("/checklists/%d", cl.ID)
	insp, err := e.Store.StartInspection(bg, model.Actor{User: e.Users[apptest.EnterpriseA]}, e.Ents["A"], cl.ID, model.InspectionSelf)
	must(t, err)
	inspection := fmt.Sprintf("/inspections/%d", insp.ID)
	small, err := e.Store.CreateChecklist(bg, sys, model.ChecklistInput{Title: "危废专项检查", Sections: []model.ChecklistSection{{Title: "D 危险废物",
		Items: []model.ChecklistItem{{Code: "D6", Point: "危险废物贮存符合标准（分类贮存，不混放，防渗漏、防雨淋）", Severity: "critical", Weight: 5}}}}})
	must(t, err)
	_, err = e.Store.PublishChecklist(bg, sys, small.ID)
	must(t, err)
	entActor := model.Actor{User: e.Users[apptest.EnterpriseA]}
	done, err := e.Store.StartInspection(bg, entActor, e.Ents["A"], small.ID, model.InspectionSelf)
	must(t, err)
	_, err = e.Store.SaveAnswer(bg, entActor, done.ID, "D6", model.AnswerInput{Result: model.ResultProblem, Note: "危废与一般固废混放，无防渗托盘"})
	must(t, err)
	done, err = e.Store.SubmitInspection(bg, entActor, done.ID)
	must(t, err)
	_, err = e.Store.SyncSchedules(bg) // the schedule section and the due list have rows
	must(t, err)
	_, err = e.Store.PlanSpotCheck(bg, model.Actor{User: e.Users[apptest.AssociationA]}, e.Ents["A"], "2026-03")
	must(t, err)
	lw, err := e.Store.CreateLaw(bg, sys, model.LawInput{Title: "中华人民共和国某某污染防治法（一个很长的标题用来检查手机上的换行）", Kind: "law", Issuer: "全国人民代表大会常务委员会", EffectiveOn: "2020-01-01"})
	must(t, err)
	for _, v := range []model.VersionInput{
		{Label: "2020年版", EffectiveOn: "2020-01-01", Text: "第一章　总则\n第一条　为了防治污染，制定本法。\n第二条　排放污染物的企业事业单位和其他生产经营者应当采取措施。"},
		{Label: "2024年修正", EffectiveOn: "2024-01-01", Text: "第一章　总则\n第一条　为了防治污染，保护和改善环境，制定本法。\n第二条　排放污染物的企业事业单位和其他生产经营者应当采取有效措施。"},
	} {
		_, _, err = e.Store.AddLawVersion(bg, sys, lw.ID, v)
		must(t, err)
	}
	ann, err := e.Store.PublishAnnouncement(bg, model.Actor{User: e.Users[apptest.AssociationA]}, model.AnnouncementInput{Kind: "warning",
		Title: "雨季来临，请检查雨污分流设施和危险废物贮存场所的防雨措施", Body: "各企业：\n请于本周内完成自查，发现问题及时整改。"})
	must(t, err)
	annPage := fmt.Sprintf("/announcements/%d", ann.ID)
	_, err = e.Store.AddQuiz(bg, model.Actor{User: e.Users[apptest.AssociationA]}, ann.ID, model.QuizInput{Title: "防汛知识小测", ClosesAt: e.Clock.Now().Add(72 * time.Hour),
		Questions: []model.Question{{Text: "危险废物贮存场所应当采取哪些措施防止雨水进入？（可多选）", Options: []string{"设置防雨顶棚", "设置围堰和导流沟", "露天堆放", "地面做防渗处理"},
			Answer: []int{0, 1, 3}, Cite: model.ArticleRef{LawID: lw.ID, Key: "2"}}}})
	must(t, err)
	lawPages := []string{"/laws", "/laws?q=" + url.QueryEscape("排放污染物"), fmt.Sprintf("/laws/%d", lw.ID), fmt.Sprintf("/laws/%d/articles/2", lw.ID), fmt.Sprintf("/laws/%d/diff", lw.ID)}
	must(t, err)
	_, err = e.Store.UpdateEnterprise(bg, sys, e.Ents["A"], model.EnterprisePatch{KeyLists: &[]string{"air"}, Pollutants: &[]string{"vocs", "cod"}})
	must(t, err)
	caseIn := model.CaseInput{Title: "印染废水“水解酸化＋A/O＋芬顿深度处理”提标改造", Industries: []string{"C17", "C39"}, Pollutants: []string{"cod", "ammonia", "vocs"},
		Technique: "分质收集高浓度退浆废水与低浓度漂洗废水，高浓度废水先经水解酸化提高可生化性。", Provider: "海宁示例环保工程有限公司", Source: "示例",
		Figures: []model.CaseFigure{{Name: "出水化学需氧量（日均值）", Unit: "mg/L", Before: 180, After: 45}, {Name: "吨水处理费用", Unit: "元/吨", Before: 6.5, After: 5.2}}}
	provActor := model.Actor{User: e.Users[apptest.Provider]}
	pubCase, err := e.Store.SubmitCase(bg, provActor, caseIn)
	must(t, err)
	_, err = e.Store.ReviewCase(bg, model.Actor{User: e.Users[apptest.Admin]}, pubCase.ID, model.CaseReview{Decision: "publish"})
	must(t, err)
	_, err = e.Store.MarkCaseInterest(bg, entActor, pubCase.ID, "希望了解投资回收期")
	must(t, err)
	draftCase, err := e.Store.SubmitCase(bg, provActor, caseIn)
	must(t, err)
	casePage, draftPage := fmt.Sprintf("/cases/%d", pubCase.ID), fmt.Sprintf("/cases/%d", draftCase.ID)
	// The through train: a verified provider, a demand taking quotes, one
	// waiting for review, and a deal.
	bureau := model.Actor{User: e.Users[apptest.Admin]}
	pUSCC, _ := model.BuildUSCC("91330481", "MA2P00H1")
	prov, err := e.Store.RegisterProvider(bg, provActor, model.ProviderInput{USCC: pUSCC, Name: "海宁示例废气治理工程有限公司（名称较长的服务商）",
		Categories: []string{"waste_gas", "solid_waste"}, Pollutants: []string{"vocs"}, Industries: []string{"C39"}, ContactName: "周工", ContactPhone: "13800005678",
		Licences: []model.Licence{{Kind: "hazardous_waste_operation", Number: "浙危废经第0001号", ValidUntil: model.Today(e.Clock.Now()).AddDays(30)}}})
	must(t, err)
	_, err = e.Store.VerifyProvider(bg, bureau, prov.ID)
	must(t, err)
	demandIn := model.DemandInput{Title: "喷涂线 VOCs 深度治理（两条线，活性炭更换频繁）", Category: "waste_gas", Pollutants: []string{"vocs"},
		Description: "两条喷涂线，活性炭吸附更换频繁，费用高。", Targets: []model.Target{{Pollutant: "vocs", Current: 85, Target: 20, Unit: "mg/m³"}},
		QuoteDeadline: e.Clock.Now().Add(72 * time.Hour)}
	open1, err := e.Store.PostDemand(bg, entActor, demandIn)
	must(t, err)
	_, err = e.Store.ReviewDemand(bg, bureau, open1.ID, model.DemandReview{Decision: "publish"})
	must(t, err)
	waiting, err := e.Store.PostDemand(bg, entActor, demandIn)
	must(t, err)
	won, err := e.Store.PostDemand(bg, entActor, demandIn)
	must(t, err)
	_, err = e.Store.ReviewDemand(bg, bureau, won.ID, model.DemandReview{Decision: "publish"})
	must(t, err)
	wq, err := e.Store.SendQuote(bg, provActor, won.ID, model.QuoteInput{Price: 180, Includes: "沸石转轮＋RTO 设计、设备、安装、调试和一年运维", TimelineDays: 60,
		Outcome: "非甲烷总烃 ≤ 20 mg/m³，验收监测达标"})
	must(t, err)
	_, err = e.Store.CloseQuoting(bg, entActor, won.ID)
	must(t, err)
	deal, err := e.Store.AcceptQuote(bg, entActor, wq.ID)
	must(t, err)
	openPage, waitingPage, wonPage := fmt.Sprintf("/demands/%d", open1.ID), fmt.Sprintf("/demands/%d", waiting.ID), fmt.Sprintf("/demands/%d", won.ID)
	dealPage, provPage := fmt.Sprintf("/deals/%d", deal.ID), fmt.Sprintf("/providers/%d", prov.ID)
	task := fmt.Sprintf("/tasks/%d", done.Tasks[0])
	pt, err := e.Store.CreatePoint(bg, entActor, e.Ents["A"], model.InspectionPoint{Name: "危险废物贮存间（北侧）", Kind: "waste_store", Codes: []string{"D2", "D6"}})
	must(t, err)
	label := fmt.Sprintf("/points/%d/label", pt.ID)
	// Carbon: a month of the enterprise's, its year and the factors.
	grid, err := e.Store.Factors(bg, model.FactorElectricity)
	must(t, err)
	_, err = e.Store.PutActivity(bg, entActor, e.Ents["A"], "2026-02", model.ActivityInput{Lines: []model.ActivityLine{
		{Source: model.SourceElectricityIn, FactorID: &grid[0].ID, Amount: 120, Unit: model.UnitMWh},
		{Source: model.SourceProcess, Amount: 2.5, Unit: model.UnitTCO2, Note: "废气焚烧处理（蓄热式焚烧炉）"}}})
	must(t, err)
	carbon := fmt.Sprintf("/directory/enterprises/%d/carbon", e.Ents["A"])
	pages := map[apptest.Who][]string{
		apptest.Guest: append([]string{"/login", "/courses", fmt.Sprintf("/courses/%d", course.ID), fmt.Sprintf("/classes/%d", k.ID), "/forgot", "/verify"}, lawPages...),
		apptest.Admin: {"/", "/more", "/courses", "/directory/enterprises", fmt.Sprintf("/directory/enterprises/%d", e.Ents["A"]),
			fmt.Sprintf("/directory/managers/%d", m.ID), "/directory/regions", "/directory/links", "/admin/users", "/admin/audit", "/credits",
			"/stats", "/training", fmt.Sprintf("/classes/%d", k.ID), "/topics", "/notifications", "/account", "/settings/training",
			"/checklists", checklist, inspection, "/tasks", task, "/honesty", "/occurrences", "/spot-plan", "/laws", fmt.Sprintf("/laws/%d", lw.ID), "/announcements/new?kind=study&cite=" + fmt.Sprint(lw.ID) + ":2", annPage + "/receipts",
			fmt.Sprintf("/laws/%d/articles/2", lw.ID), fmt.Sprintf("/courses/%d/edit", course.ID),
			"/cases?box=review", draftPage, casePage + "/readers", "/cases/leads", "/market", waitingPage, provPage, "/providers", wonPage + "?quotes=1",
			"/factors", "/factors?edit=" + fmt.Sprint(grid[0].ID), carbon, carbon + "/2026-02",
			"/dashboards", fmt.Sprintf("/dashboards/towns/%d", e.Regions["A"]), fmt.Sprintf("/dashboards/enterprises/%d", e.Ents["A"]), "/dashboards?display=1"},
		apptest.AssociationA: {"/", "/directory/enterprises", fmt.Sprintf("/directory/enterprises/%d", e.Ents["A"]), "/credits", "/stats",
			"/training", fmt.Sprintf("/classes/%d", k.ID), "/tasks", task, fmt.Sprintf("/inspections/%d", done.ID), "/honesty",
			"/occurrences?status=missed", "/spot-plan", "/announcements?box=sent", annPage, "/cases", casePage, "/market", openPage, carbon,
			fmt.Sprintf("/dashboards/towns/%d", e.Regions["A"]), fmt.Sprintf("/dashboards/enterprises/%d", e.Ents["A"])},
		apptest.EnterpriseA: {"/", "/more", "/courses", "/training", "/credits", fmt.Sprintf("/credits/managers/%d", m.ID),
			fmt.Sprintf("/directory/enterprises/%d", e.Ents["A"]), fmt.Sprintf("/bookings/%d", b.ID), "/account", "/topics",
			"/checklists", checklist, inspection, "/tasks", task, label, inspection + fmt.Sprintf("?point=%d", pt.ID), "/occurrences", "/laws", fmt.Sprintf("/laws/%d/articles/1", lw.ID), "/announcements", annPage,
			"/cases?box=pushed", casePage, "/market", "/demands/new", openPage, wonPage, dealPage, waitingPage + "/edit",
			carbon, carbon + "/2026-02", carbon + "/2026-01", "/factors", fmt.Sprintf("/dashboards/enterprises/%d", e.Ents["A"])},
		apptest.Lecturer: {"/", "/training", fmt.Sprintf("/classes/%d", k.ID), fmt.Sprintf("/classes/%d/scan", k.ID), "/account"},
		apptest.Provider: {"/", "/courses", "/account", "/cases?box=mine", "/cases/new", draftPage + "/edit", "/market", openPage, wonPage, dealPage,
			provPage, provPage + "/edit"},
	}
	for _, who := range []apptest.Who{apptest.Guest, apptest.Admin, apptest.AssociationA, apptest.EnterpriseA, apptest.Lecturer, apptest.Provider} {
		_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
		must(t, err)
		if who != apptest.Guest {
			must(t, chromedp.Do(ctx,
				chromedp.EmulateViewport(PhoneWidth, PhoneHeight, chromedp.EmulateScale(2)),
				chromedp.Navigate(e.HTTP.URL+"/login"),
				chromedp.WaitVisible(chromedp.CSS("#username")),
				chromedp.SendKeys(chromedp.CSS("#username"), string(who)),
				chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
				chromedp.Click(chromedp.CSS("#login")),
				chromedp.WaitVisible(chromedp.CSS("#logout")),
			))
		}
		for _, width := range []int64{360, 390, 1280} {
			scale := 2.0
			if width > 1000 {
				scale = 1
			}
			must(t, chromedp.Do(ctx, chromedp.EmulateViewport(width, 800, chromedp.EmulateScale(scale))))
			for _, p := range pages[who] {
				must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+p), chromedp.WaitReady(chromedp.CSS("footer"))))
				bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](fitCheck))
				must(t, err)
				if bad != "" {
					t.Errorf("%s at %d px on %s: %s", who, width, p, bad)
				}
				size := "phone"
				if width > 1000 {
					size = "desktop"
				}
				switch {
				case width == 360:
				case p == "/" && who != apptest.Guest:
					Screenshot(t, ctx, fmt.Sprintf("30-home-%s-%s", strings.ReplaceAll(string(who), "-", ""), size))
				case who == apptest.EnterpriseA && (p == "/courses" || strings.HasPrefix(p, "/bookings/")):
					Screenshot(t, ctx, fmt.Sprintf("31-booking-journey-%s-%s", strings.Trim(strings.SplitN(p[1:], "/", 2)[0], "/"), size))
				}
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }
