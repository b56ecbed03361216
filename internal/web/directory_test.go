package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
	"github.com/xuri/excelize/v2"
)

// TestDirectoryPagesRoleMatrix opens the directory pages as every role.
func TestDirectoryPagesRoleMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		m, err := e.Store.CreateManager(t.Context(), model.SystemActor(), e.Ents["A"], model.Manager{Name: "张三", Mobile: "13800000001"})
		if err != nil {
			t.Fatal(err)
		}
		entPage := fmt.Sprintf("/directory/enterprises/%d", e.Ents["A"])
		manPage := fmt.Sprintf("/directory/managers/%d", m.ID)
		inA := map[apptest.Who]int{guest: 303, admin: 200, apptest.AssociationA: 200, entA: 200}
		pages := []struct {
			path  string
			want  map[apptest.Who]int
			other int
		}{
			{"/directory/regions", map[apptest.Who]int{guest: 303}, 200},
			{"/directory/enterprises", map[apptest.Who]int{guest: 303, entA: 303, apptest.EnterpriseB: 303}, 200},
			{"/directory/enterprises/new", map[apptest.Who]int{guest: 303, admin: 200, apptest.AssociationA: 200, assocB: 200}, 403},
			{entPage, inA, 404},
			{entPage + "/edit", inA, 404},
			{manPage, inA, 404},
		}
		for _, p := range pages {
			for _, w := range apptest.Everyone {
				want, ok := p.want[w]
				if !ok {
					want = p.other
				}
				res := e.Browser(w).Get(p.path)
				if res.StatusCode != want {
					t.Errorf("GET %s as %s: %d, want %d", p.path, w, res.StatusCode, want)
				}
				if res.StatusCode == 404 && strings.Contains(string(res.Body), "张三") {
					t.Errorf("404 for %s carries data", w)
				}
			}
		}
		// Writes out of scope change nothing.
		for _, w := range []apptest.Who{assocB, apptest.EnterpriseB, apptest.Lecturer, apptest.Provider} {
			b := e.Browser(w)
			if res := b.Post(entPage, url.Values{"name": {"被改名"}, "kind": {"company"}}); res.StatusCode != 404 {
				t.Errorf("POST %s as %s: %d", entPage, w, res.StatusCode)
			}
			if res := b.Post(manPage, url.Values{"name": {"李四"}, "mobile": {"13800000001"}, "role": {"administrator"}, "status": {"active"}}); res.StatusCode != 404 {
				t.Errorf("POST %s as %s: %d", manPage, w, res.StatusCode)
			}
		}
		got, _ := e.Store.Enterprise(t.Context(), model.SystemActor(), e.Ents["A"])
		if got.Name != "企业A" {
			t.Errorf("renamed by someone out of scope: %s", got.Name)
		}
	})
}

func TestDirectoryForms(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(apptest.AssociationA)
		// Field errors in Chinese, and the form keeps what was typed.
		res := b.Post("/directory/enterprises", url.Values{"uscc": {"91350100M000100Y44"}, "name": {"海宁测试化工有限公司"}, "kind": {"company"},
			"region_id": {fmt.Sprint(e.Regions["A"])}, "contact_phone": {"12345"}, "permit_valid_until": {"2026-13-01"}})
		body := string(res.Body)
		if res.StatusCode != 422 || !strings.Contains(body, "校验位不符") || !strings.Contains(body, "电话号码无效") ||
			!strings.Contains(body, "日期无效") || !strings.Contains(body, `value="海宁测试化工有限公司"`) {
			t.Errorf("form errors: %d", res.StatusCode)
		}
		uscc, _ := model.BuildUSCC("91330481", "MA2W0001")
		res = b.Post("/directory/enterprises", url.Values{"uscc": {uscc}, "name": {"海宁测试化工有限公司"}, "kind": {"company"},
			"region_id": {fmt.Sprint(e.Regions["A"])}, "permit_class": {"key"}, "permit_no": {"91330481MA2W0001001P"},
			"permit_valid_until": {"2026/5/1"}, "key_lists": {"water", "air"}})
		if res.StatusCode != 303 {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		loc := strings.SplitN(res.Header.Get("Location"), "?", 2)[0]
		// Add a manager whose certificate expires soon: the page says it is due.
		res = b.Post(loc+"/managers", url.Values{"name": {"赵六"}, "mobile": {"139 0000 0006"}, "role": {"administrator"},
			"cert_issued_on": {"2024-01-01"}, "cert_expires_on": {"2026-04-01"}})
		if res.StatusCode != 303 {
			t.Fatalf("add manager: %d %s", res.StatusCode, res.Body)
		}
		page := string(b.Get(loc).Body)
		for _, want := range []string{"赵六", "13900000006", "待办提醒", "排污许可证 91330481MA2W0001001P 到期", "赵六 的环保管理员证书到期", "重点管理"} {
			if !strings.Contains(page, want) {
				t.Errorf("enterprise page lacks %q", want)
			}
		}
		// Search by a Chinese substring of the name and by the manager.
		for _, q := range []string{"测试化工", "赵六", "化工"} {
			if list := string(b.Get("/directory/enterprises?q=" + url.QueryEscape(q)).Body); !strings.Contains(list, "海宁测试化工有限公司") {
				t.Errorf("search %q misses the enterprise", q)
			}
		}
		if list := string(e.Browser(assocB).Get("/directory/enterprises?q=" + url.QueryEscape("测试化工")).Body); strings.Contains(list, "海宁测试化工有限公司") {
			t.Error("another town's association finds it")
		}
		// A status change without a reason is refused; with one it is history.
		ms, _ := e.Store.ListEnterprises(t.Context(), model.SystemActor(), model.EnterpriseFilter{USCC: uscc, Page: model.Page{Limit: 1}})
		mgrs, _ := e.Store.Managers(t.Context(), model.SystemActor(), ms.Items[0].ID)
		mp := fmt.Sprintf("/directory/managers/%d", mgrs[0].ID)
		form := url.Values{"name": {"赵六"}, "mobile": {"13900000006"}, "role": {"administrator"}, "status": {"suspended"},
			"cert_issued_on": {"2024-01-01"}, "cert_expires_on": {"2026-04-01"}}
		if res := b.Post(mp, form); res.StatusCode != 422 || !strings.Contains(string(res.Body), "请填写原因") {
			t.Errorf("no reason: %d", res.StatusCode)
		}
		form.Set("reason", "长期病假")
		if res := b.Post(mp, form); res.StatusCode != 303 {
			t.Errorf("with reason: %d %s", res.StatusCode, res.Body)
		}
		if hist := string(b.Get(mp).Body); !strings.Contains(hist, "长期病假") || !strings.Contains(hist, "active → suspended") {
			t.Error("history lacks the change")
		}
	})
}

func TestImportThroughTheUI(t *testing.T) {
	e := apptest.New(t, "sqlite")
	b := e.Browser(admin)
	tpl := b.Get("/directory/import/template.xlsx")
	if tpl.StatusCode != 200 || !strings.HasPrefix(tpl.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Fatalf("template: %d", tpl.StatusCode)
	}
	// The template's example rows are never imported: nothing is written
	// and the page says why.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("mode", "all")
	fw, _ := mw.CreateFormFile("file", "模板.xlsx")
	fw.Write(tpl.Body)
	mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/directory/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res := b.Send(req)
	if res.StatusCode != 303 {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	loc := res.Header.Get("Location")
	var page string
	for i := 0; i < 500; i++ {
		page = string(b.Get(loc).Body)
		if strings.Contains(page, `data-status="done"`) || strings.Contains(page, `data-status="failed"`) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(page, "未导入任何数据") || !strings.Contains(page, "模板中的示例行") || !strings.Contains(page, "report.xlsx") {
		t.Errorf("job page:\n%s", page)
	}
	if res := b.Get(loc + "/report.xlsx"); res.StatusCode != 200 {
		t.Errorf("report: %d", res.StatusCode)
	}
	if res := e.Browser(apptest.EnterpriseA).Get("/directory/import"); res.StatusCode != 403 {
		t.Errorf("enterprise at the import page: %d", res.StatusCode)
	}
	if res := b.Get("/directory/enterprises/export.xlsx?kind=company"); res.StatusCode != 200 || !bytes.HasPrefix(res.Body, []byte("PK")) {
		t.Errorf("export: %d", res.StatusCode)
	}
}

func TestEditHome(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		home, err := e.Store.CreateHome(t.Context(), model.SystemActor(), model.Home{Name: "之家", RegionID: e.Regions["A"],
			Rooms: []model.Room{{Name: "一号教室", Seats: 30}, {Name: "二号教室", Seats: 20}}})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/directory/homes/%d", home.ID)
		for w, want := range map[apptest.Who]int{admin: 200, apptest.AssociationA: 200, assocB: 404, entA: 403, guest: 303} {
			if res := e.Browser(w).Get(path); res.StatusCode != want {
				t.Errorf("GET %s as %s: %d, want %d", path, w, res.StatusCode, want)
			}
		}
		form := url.Values{"name": {"智慧港之家"}, "region_id": {fmt.Sprint(e.Regions["A"])}, "rooms": {"一号教室 40\n三号教室 12"}}
		if res := e.Browser(assocB).Post(path, form); res.StatusCode != 404 {
			t.Errorf("another town's association: %d", res.StatusCode)
		}
		bad := url.Values{"name": {"智慧港之家"}, "region_id": {fmt.Sprint(e.Regions["A"])}, "rooms": {"一号教室 0"}}
		if res := e.Browser(apptest.AssociationA).Post(path, bad); res.StatusCode != 422 {
			t.Errorf("zero seats: %d", res.StatusCode)
		}
		if res := e.Browser(apptest.AssociationA).Post(path, form); res.StatusCode != 303 {
			t.Fatalf("save: %d %s", res.StatusCode, res.Body)
		}
		got, _ := e.Store.HomeDetail(t.Context(), home.ID)
		if got.Name != "智慧港之家" || len(got.Rooms) != 2 || got.Rooms[0].Name != "一号教室" || got.Rooms[0].Seats != 40 || got.Rooms[1].Name != "三号教室" {
			t.Errorf("after edit: %+v", got)
		}
	})
}

// TestImportAsksBeforeClearing: empty cells over stored values stop the
// import; the job page says how many and offers to clear them, and the
// confirmation imports the file again, clearing them.
func TestImportAsksBeforeClearing(t *testing.T) {
	e := apptest.New(t, "sqlite")
	b := e.Browser(admin)
	ctx := context.Background()
	addr := "海昌路 1 号"
	ent, err := e.Store.UpdateEnterprise(ctx, model.SystemActor(), e.Ents["A"], model.EnterprisePatch{Address: &addr})
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", model.SheetEnterprises)
	f.SetSheetRow(model.SheetEnterprises, "A1", &[]any{"统一社会信用代码", "企业名称", "所属镇街", "地址"})
	f.SetSheetRow(model.SheetEnterprises, "A2", &[]any{ent.USCC, ent.Name, "镇A", ""})
	var file bytes.Buffer
	f.Write(&file)
	wait := func(loc string) string {
		var page string
		for range 500 {
			page = string(b.Get(loc).Body)
			if strings.Contains(page, `data-status="done"`) || strings.Contains(page, `data-status="failed"`) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		return page
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("mode", "all")
	fw, _ := mw.CreateFormFile("file", "名册.xlsx")
	fw.Write(file.Bytes())
	mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/directory/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res := b.Send(req)
	if res.StatusCode != 303 {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	loc := res.Header.Get("Location")
	page := wait(loc)
	if !strings.Contains(page, `id="confirm-clear"`) || !strings.Contains(page, "将清空 1 项已有数据") {
		t.Fatalf("job page:\n%s", page)
	}
	if got, _ := e.Store.Enterprise(ctx, model.SystemActor(), ent.ID); got.Address == "" {
		t.Fatal("cleared before the confirmation")
	}
	res = b.Post(loc+"/confirm", nil)
	if res.StatusCode != 303 || res.Header.Get("Location") == loc {
		t.Fatalf("confirm: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if page := wait(res.Header.Get("Location")); !strings.Contains(page, `id="written"`) {
		t.Errorf("the confirmed import:\n%s", page)
	}
	if got, _ := e.Store.Enterprise(ctx, model.SystemActor(), ent.ID); got.Address != "" {
		t.Errorf("after confirming, the address is %q", got.Address)
	}
}

// TestPersonLinksOnTheWeb: the association verifies a claim on its page;
// the adder's manager page says nothing while it is pending and shows the
// rejection with its reason afterwards.
func TestPersonLinksOnTheWeb(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		sys := model.SystemActor()
		if _, err := e.Store.CreateManager(ctx, sys, e.Ents["B"], model.Manager{Name: "李四", Mobile: "13800000009"}); err != nil {
			t.Fatal(err)
		}
		ent := e.Browser(entA)
		res := ent.Post(fmt.Sprintf("/directory/enterprises/%d/managers", e.Ents["A"]), url.Values{"name": {"冒名者"}, "mobile": {"13800000009"}})
		if res.StatusCode != 303 {
			t.Fatalf("add: %d %s", res.StatusCode, res.Body)
		}
		ms, err := e.Store.Managers(ctx, sys, e.Ents["A"])
		if err != nil || len(ms) != 1 {
			t.Fatalf("managers: %v %v", ms, err)
		}
		page := fmt.Sprintf("/directory/managers/%d", ms[0].ID)
		if body := string(ent.Get(page).Body); strings.Contains(body, "link-pending") || strings.Contains(body, "核实") {
			t.Errorf("the adder's page tells of the claim")
		}
		assoc := e.Browser(apptest.AssociationA)
		if body := string(assoc.Get(page).Body); !strings.Contains(body, `id="link-pending"`) {
			t.Errorf("the decider's manager page does not show the claim")
		}
		body := string(assoc.Get("/directory/links").Body)
		if !strings.Contains(body, fmt.Sprintf(`id="link-%d"`, ms[0].ID)) || !strings.Contains(body, "姓名与登记一致") || strings.Contains(body, "李四") {
			t.Fatalf("links page: %s", body)
		}
		if strings.Contains(body, `value="confirm"`) {
			t.Error("a wrong name is offered for confirmation")
		}
		res = assoc.Post(fmt.Sprintf("/directory/managers/%d/link", ms[0].ID), url.Values{"decision": {"reject"}})
		if res.StatusCode != 422 || !strings.Contains(string(res.Body), "field-err") {
			t.Errorf("reject without a reason: %d", res.StatusCode)
		}
		res = assoc.Post(fmt.Sprintf("/directory/managers/%d/link", ms[0].ID), url.Values{"decision": {"reject"}, "reason": {"手机号与姓名不符"}})
		if res.StatusCode != 303 || res.Header.Get("Location") != "/directory/links?ok=flash.link_rejected" {
			t.Fatalf("reject: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if body := string(ent.Get(page).Body); !strings.Contains(body, "手机号码核实未通过：手机号与姓名不符") {
			t.Errorf("the adder does not see the rejection")
		}
		if body := string(assoc.Get("/directory/links").Body); !strings.Contains(body, "没有待核实的人员关联") {
			t.Errorf("the decided claim is still listed")
		}
	})
}
