package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestSelfInspectionJourney is self-inspection on a phone (issue 10, item
// 13): the enterprise scans the QR label of its hazardous-waste store,
// answers that point's items with a problem and a photo, answers the rest
// and submits; the critical problem's task falls overdue and the colour
// turns red; the enterprise uploads the fix and submits it; the town's
// association verifies it and the colour changes.
func TestSelfInspectionJourney(t *testing.T) {
	ctx := NewBrowserFor(t, 3*time.Minute)
	dialogs := AcceptDialogs(t, ctx)
	e := apptest.New(t, "sqlite")
	bg := context.Background()
	sys := model.SystemActor()
	c, err := e.Store.CreateChecklist(bg, sys, model.ChecklistInput{Title: "企业环境保护自查表", Sections: []model.ChecklistSection{
		{Title: "D 固体废物与危险废物", Items: []model.ChecklistItem{
			{Code: "D2", Point: "危险废物贮存设施防渗、防雨、防流失", Standard: "地面防渗无裂缝，设置围堰与导流沟", Basis: "《危险废物贮存污染控制标准》（GB 18597-2023）",
				Method: "look", Severity: "critical", Weight: 5, PhotoRequired: true},
			{Code: "D6", Point: "危险废物标签与管理台账", Standard: "标签齐全，台账与转移联单一致", Basis: "《中华人民共和国固体废物污染环境防治法》第八十一条",
				Method: "records", Severity: "major", Weight: 3},
		}},
		{Title: "A 许可与手续", Items: []model.ChecklistItem{
			{Code: "A1", Point: "按证排污，许可证在有效期内", Standard: "许可证有效，排放口与许可一致", Basis: "《排污许可管理条例》第二条",
				Method: "records", Severity: "critical", Weight: 5},
		}},
	}})
	must(t, err)
	_, err = e.Store.PublishChecklist(bg, sys, c.ID)
	must(t, err)
	_, err = e.Store.CreateManager(bg, sys, e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"})
	must(t, err)
	pt, err := e.Store.CreatePoint(bg, model.Actor{User: e.Users[apptest.EnterpriseA]}, e.Ents["A"],
		model.InspectionPoint{Name: "危险废物贮存间（北侧）", Kind: "waste_store", Codes: []string{"D2", "D6"}})
	must(t, err)
	photo := filepath.Join(t.TempDir(), "现场.png")
	must(t, os.WriteFile(photo, samplePhoto(t), 0o644))

	ses := Session{t, ctx, e.HTTP.URL}
	login, logout, tap, text := ses.Login, ses.Logout, Tap, ses.Text
	answer := func(code, result, note string, withPhoto bool) {
		t.Helper()
		item := "#item-" + code
		steps := []chromedp.Action[chromedp.Void]{tap(item + ` input[value="` + result + `"]`)}
		if note != "" {
			steps = append(steps, chromedp.SendKeys(chromedp.CSS(item+" textarea"), note))
		}
		if withPhoto {
			steps = append(steps, chromedp.SetUploadFiles(chromedp.CSS(item+` input[type="file"]`), []string{photo}))
		}
		steps = append(steps, tap(item+" button"), chromedp.WaitVisible(chromedp.CSS(item+" .answer")))
		must(t, chromedp.Do(ctx, steps...))
	}

	// Scanning the label opens the self-inspection at the point.
	login("ent-a")
	must(t, chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/points/%d", e.HTTP.URL, pt.ID)), chromedp.WaitVisible(chromedp.CSS("#at-point"))))
	if got := text("#at-point"); !strings.Contains(got, "危险废物贮存间（北侧）") {
		t.Errorf("the point: %q", got)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("section[id^=item-]").length`)); n != 2 {
		t.Errorf("the point shows %d items, want its 2", n)
	}
	answer("D2", "problem", "贮存间地面防渗层有裂缝，约 1 米", true)
	answer("D6", "ok", "", false)
	if got := text("#item-D2 .answer"); !strings.Contains(got, "1 张照片") {
		t.Errorf("D2's answer: %q", got)
	}
	Screenshot(t, ctx, "40-inspection-at-point")
	// The rest of the checklist, then submit.
	must(t, chromedp.Do(ctx, tap("#at-point a"), chromedp.WaitVisible(chromedp.CSS("#item-A1"))))
	answer("A1", "ok", "", false)
	must(t, chromedp.Do(ctx, tap("#submit-inspection"), chromedp.WaitVisible(chromedp.CSS("#result"))))
	if got := text("#result"); !strings.Contains(got, "不合格") || !strings.Contains(got, "1 项整改任务") {
		t.Errorf("the result: %q", got)
	}
	if len(dialogs.Seen()) == 0 {
		t.Error("submitting asked for no confirmation")
	}
	Screenshot(t, ctx, "41-inspection-submitted")
	logout()

	// Four days on, the critical problem's task is overdue: red.
	e.Clock.Advance(4 * 24 * time.Hour)
	enterprise := fmt.Sprintf("%s/directory/enterprises/%d", e.HTTP.URL, e.Ents["A"])
	login("ent-a")
	must(t, chromedp.Do(ctx, chromedp.Navigate(enterprise), chromedp.WaitVisible(chromedp.CSS("#color"))))
	if got := text("#color"); got != "红码" {
		t.Errorf("colour with an overdue critical task: %q", got)
	}
	Screenshot(t, ctx, "42-enterprise-red")
	tasks, err := e.Store.Tasks(bg, sys, model.TaskFilter{EnterpriseID: e.Ents["A"], Page: model.Page{Limit: 5}})
	must(t, err)
	if len(tasks.Items) != 1 {
		t.Fatalf("tasks: %+v", tasks.Items)
	}
	task := fmt.Sprintf("%s/tasks/%d", e.HTTP.URL, tasks.Items[0].ID)
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(task), chromedp.WaitVisible(chromedp.CSS("#work")),
		chromedp.SetUploadFiles(chromedp.CSS(`#work input[type="file"]`), []string{photo}),
		tap(`#work form[action$="/evidence"] button`),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/evidence/1"]`)),
		chromedp.SendKeys(chromedp.CSS(`#work textarea[name="note"]`), "已重做防渗层并涂刷环氧地坪，见照片。"),
		tap("#submit-task"),
		chromedp.WaitNotPresent(chromedp.CSS("#work")),
	))
	Screenshot(t, ctx, "43-task-submitted")
	logout()

	// The association verifies; the colour changes.
	login("assoc-a")
	must(t, chromedp.Do(ctx, chromedp.Navigate(task), chromedp.WaitVisible(chromedp.CSS(`a[href$="/evidence/1"]`))))
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#verify textarea`), "现场核实，防渗层已修复。"),
		tap(`#close-task`),
		chromedp.WaitNotPresent(chromedp.CSS("#verify")),
	))
	if got := text(".head-row .badge"); !strings.Contains(got, "已销号") {
		t.Errorf("the task after verification: %q", got)
	}
	Screenshot(t, ctx, "44-task-closed")
	must(t, chromedp.Do(ctx, chromedp.Navigate(enterprise), chromedp.WaitVisible(chromedp.CSS("#color"))))
	if got := text("#color"); got == "红码" {
		t.Errorf("the colour is still red after the task was closed")
	}
	Screenshot(t, ctx, "45-enterprise-after")
}

// samplePhoto is a small picture standing for a photo of the site.
func samplePhoto(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 120, 90))
	for x := range 120 {
		for y := range 90 {
			img.Set(x, y, color.RGBA{uint8(90 + x), uint8(100 + y), 110, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
