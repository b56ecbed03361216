package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/imports"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/roster"
)

// workbook builds a roster from rows of cells under the template's headers.
func workbook(t *testing.T, ents, mgrs [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", model.SheetEnterprises)
	f.NewSheet(model.SheetManagers)
	for _, s := range []struct {
		name string
		cols []roster.Column
		rows [][]any
	}{{model.SheetEnterprises, roster.EnterpriseColumns, ents}, {model.SheetManagers, roster.ManagerColumns, mgrs}} {
		head := []any{}
		for _, c := range s.cols {
			head = append(head, c.Header)
		}
		f.SetSheetRow(s.name, "A1", &head)
		for i, r := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			f.SetSheetRow(s.name, cell, &r)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func upload(t *testing.T, e *apptest.Env, w who, data []byte, mode string) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("mode", mode)
	fw, _ := mw.CreateFormFile("file", "roster.xlsx")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.Tokens[w])
	return e.Do(req)
}

// finished waits for an import job and returns its result.
func finished(t *testing.T, e *apptest.Env, w who, res *apptest.Response) (model.Job, imports.Result) {
	t.Helper()
	if res.StatusCode != 202 {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	var j model.Job
	res.JSON(t, &j)
	deadline := time.Now().Add(30 * time.Second)
	for !j.Finished() {
		if time.Now().After(deadline) {
			t.Fatalf("job %d still %s", j.ID, j.Status)
		}
		time.Sleep(20 * time.Millisecond)
		e.API(w, "GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil).JSON(t, &j)
	}
	var r imports.Result
	if j.Result != nil {
		json.Unmarshal(j.Result, &r)
	}
	return j, r
}

// seedRoster imports a first roster as the bureau, all or nothing, and
// fails the test unless it was written.
func seedRoster(t *testing.T, e *apptest.Env, ents, mgrs [][]any) {
	t.Helper()
	if j, r := finished(t, e, admin, upload(t, e, admin, workbook(t, ents, mgrs), "all")); j.Status != model.JobDone || !r.Written {
		t.Fatalf("first import: %+v %+v", j, r)
	}
}

// enterpriseByUSCC is the enterprise with the credit code, as the bureau
// reads it.
func enterpriseByUSCC(t *testing.T, e *apptest.Env, code string) model.Enterprise {
	t.Helper()
	var l model.List[model.Enterprise]
	e.API(admin, "GET", "/api/v1/enterprises?uscc="+code, nil).JSON(t, &l)
	if len(l.Items) != 1 {
		t.Fatalf("enterprise %s: %d found", code, len(l.Items))
	}
	return l.Items[0]
}

func enterpriseCount(t *testing.T, e *apptest.Env) int {
	l, err := e.Store.ListEnterprises(context.Background(), model.SystemActor(), model.EnterpriseFilter{Page: model.Page{Limit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	return len(l.Items)
}

func TestRosterImport(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		u1, u2, u3 := newUSCC(t, "MA2R0001"), newUSCC(t, "MA2R0002"), newUSCC(t, "MA2R0003")
		good := [][]any{
			{u1, "海宁导入一号有限公司", "企业", "镇A", "海昌路 1 号", "c3985", "张三", "李四", "0573-87001234", "", "重点管理", "2027/6/30", "水、大气", "COD、氨氮", "正常"},
			{" " + strings.ToLower(u2) + " ", "导入二号商行  ", "商户", "330481001", "", "F5123", "", "", "", "", "排污登记", "", "", "", ""},
			{}, // an empty row is skipped
			{u3, "导入三号有限公司", "企业", "镇A", "", "", "", "", "", "", "简化管理", "", "噪声", "", ""},
		}
		managers := [][]any{
			{u1, "王小明", "13812345678", "", "环保管理员", "2026-01-05", "HN-001", "2026-01-05", "2029-01-04", "在岗"},
			{u2, "王小明", "138 1234 5678", "", "环保管理员", "", "", "", "", ""}, // the same person serves a shop too
			{u3, "赵大", "13900001111", "", "首席环保官", "", "", "", "", ""},
		}
		bad := append(append([][]any{}, good...), []any{"91350100M000100Y44", "坏代码企业", "工厂", "不存在镇", "", "3985", "", "", "12345", "", "金牌", "2027-02-30", "天空", ""})
		before := enterpriseCount(t, e)

		// All or nothing: one bad row, nothing written, every bad cell reported.
		j, r := finished(t, e, admin, upload(t, e, admin, workbook(t, bad, managers), "all"))
		if j.Status != model.JobDone || r.Written || enterpriseCount(t, e) != before {
			t.Fatalf("all-or-nothing wrote something: %+v %+v", j, r)
		}
		fields := map[string]bool{}
		for _, p := range r.Problems {
			if p.Sheet == model.SheetEnterprises && p.Row == 6 {
				fields[p.Field] = true
			}
		}
		for _, f := range []string{"uscc", "kind", "region_id", "industry_code", "contact_phone", "permit_class", "permit_valid_until", "key_lists"} {
			if !fields[f] {
				t.Errorf("no problem reported for %s: %v", f, r.Problems)
			}
		}
		// The job's rights follow what the store serves: the report for its
		// creator and the bureau; nobody else finds the job.
		if !j.Can.Report {
			t.Errorf("a job with problems offers no report: %+v", j.Can)
		}
		for w, want := range map[who]int{admin: 200, assocA: 404, assocB: 404, entA: 403} {
			if r := e.API(w, "GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil); r.StatusCode != want {
				t.Errorf("%s reads the job: %d, want %d", w, r.StatusCode, want)
			}
		}
		// The report is the same workbook with the bad cells marked.
		rep := e.API(admin, "GET", fmt.Sprintf("/api/v1/imports/%d/report.xlsx", j.ID), nil)
		if rep.StatusCode != 200 {
			t.Fatalf("report: %d", rep.StatusCode)
		}
		rf, err := excelize.OpenReader(bytes.NewReader(rep.Body))
		if err != nil {
			t.Fatal(err)
		}
		comments, _ := rf.GetComments(model.SheetEnterprises)
		var marked []string
		for _, c := range comments {
			marked = append(marked, c.Cell+":"+c.Text)
		}
		if !strings.Contains(strings.Join(marked, "|"), "A6:统一社会信用代码无效") {
			t.Errorf("report comments: %v", marked)
		}
		// Good rows only.
		j, r = finished(t, e, admin, upload(t, e, admin, workbook(t, bad, managers), "good"))
		if !r.Written || r.EnterprisesCreated != 3 || r.ManagersCreated != 3 || len(r.Problems) == 0 {
			t.Fatalf("good rows: %+v", r)
		}
		var l model.List[model.Enterprise]
		e.API(admin, "GET", "/api/v1/enterprises?uscc="+u1, nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].IndustryCode != "C3985" || l.Items[0].PermitValidTo != "2027-06-30" ||
			strings.Join(l.Items[0].KeyLists, ",") != "water,air" || strings.Join(l.Items[0].Pollutants, ",") != "cod,ammonia" || l.Items[0].ContactPhone != "057387001234" || l.Items[0].ManagerCount != 1 {
			t.Errorf("imported enterprise: %+v", l.Items)
		}
		e.API(admin, "GET", "/api/v1/enterprises?uscc="+u2, nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].Name != "导入二号商行" || l.Items[0].Kind != "shop" {
			t.Errorf("normalised shop: %+v", l.Items)
		}
		// The same good file twice: the second time changes nothing.
		clean, r := finished(t, e, admin, upload(t, e, admin, workbook(t, good, managers), "all"))
		if !r.Written || r.EnterprisesCreated+r.EnterprisesUpdated+r.ManagersCreated+r.ManagersUpdated != 0 || r.EnterprisesUnchanged != 3 || r.ManagersUnchanged != 3 {
			t.Errorf("second import changed something: %+v", r)
		}
		if clean.Can.Report || e.API(admin, "GET", fmt.Sprintf("/api/v1/imports/%d/report.xlsx", clean.ID), nil).StatusCode != 404 {
			t.Errorf("a clean import offers a report: %+v", clean.Can)
		}
		// A changed cell updates just that enterprise, with history in the audit log.
		good[0][4] = "海昌路 2 号"
		_, r = finished(t, e, admin, upload(t, e, admin, workbook(t, good, managers), "all"))
		if r.EnterprisesUpdated != 1 || r.EnterprisesUnchanged != 2 {
			t.Errorf("one change: %+v", r)
		}
		// Another town's association cannot import into town A.
		_, r = finished(t, e, assocB, upload(t, e, assocB, workbook(t, good, managers), "all"))
		if r.Written || len(r.Problems) == 0 || r.Problems[0].Key != "err.roster.out_of_scope" {
			t.Errorf("association B into town A: %+v", r)
		}
		// Only its creator (or the bureau) sees a job.
		if res := e.API(assocA, "GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil); res.StatusCode != 404 {
			t.Errorf("another's job: %d", res.StatusCode)
		}
	})
}

func TestRosterUploadRefusals(t *testing.T) {
	e := apptest.New(t, "sqlite")
	for _, c := range []struct {
		who    who
		data   []byte
		status int
	}{
		{admin, []byte("name,uscc\n企业,123\n"), 415},                               // a CSV
		{admin, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 legacy xls"), 415},       // an .xls
		{admin, bytes.Repeat([]byte("PK\x03\x04"), roster.MaxFileBytes/4+1), 413}, // too large
		{entA, workbook(t, nil, nil), 403},
		{lecturer, workbook(t, nil, nil), 403},
	} {
		if res := upload(t, e, c.who, c.data, "all"); res.StatusCode != c.status {
			t.Errorf("%s %d bytes: %d, want %d %s", c.who, len(c.data), res.StatusCode, c.status, truncate(res.Body))
		}
	}
	// A file that only starts like a zip is refused at once with a clear message.
	if res := upload(t, e, admin, []byte("PK\x03\x04garbage"), "all"); res.StatusCode != 415 || !strings.Contains(string(res.Body), ".xlsx") {
		t.Errorf("garbage zip: %d %s", res.StatusCode, res.Body)
	}
	if res := e.API(admin, "GET", "/api/v1/imports/template.xlsx", nil); res.StatusCode != 200 || !bytes.HasPrefix(res.Body, []byte("PK")) {
		t.Errorf("template: %d", res.StatusCode)
	}
}

func TestExport(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		for _, c := range []struct {
			who  who
			want []string
		}{{admin, []string{"企业A", "企业B"}}, {assocA, []string{"企业A"}}, {entB, []string{"企业B"}}, {lecturer, nil}} {
			res := e.API(c.who, "GET", "/api/v1/enterprises/export.xlsx", nil)
			f, err := excelize.OpenReader(bytes.NewReader(res.Body))
			if err != nil {
				t.Fatalf("%s: %d not a workbook: %v", c.who, res.StatusCode, err)
			}
			rows, _ := f.GetRows(model.SheetEnterprises)
			var names []string
			for _, r := range rows[1:] {
				names = append(names, r[1])
			}
			if strings.Join(names, ",") != strings.Join(c.want, ",") && !(len(c.want) == 2 && len(names) == 2) {
				t.Errorf("%s exported %v, want %v", c.who, names, c.want)
			}
		}
		// An export imports again unchanged.
		res := e.API(admin, "GET", "/api/v1/enterprises/export.xlsx", nil)
		_, r := finished(t, e, admin, upload(t, e, admin, res.Body, "all"))
		if !r.Written || r.EnterprisesUnchanged != 2 || r.EnterprisesUpdated != 0 {
			t.Errorf("re-import of an export: %+v", r)
		}
	})
}

// TestLargeImportThroughAJob: thousands of rows through the job runner,
// which must not wait on its own transaction for progress writes.
func TestLargeImportThroughAJob(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		regions := []int64{e.Regions["A"], e.Regions["B"]}
		ents, mgrs := demo.Roster(7, 1000, 2000, 1500, regions, 30_000_000)
		var b bytes.Buffer
		names := map[int64]string{e.Regions["A"]: "镇A", e.Regions["B"]: "镇B"}
		if err := roster.Write(&b, func(id int64) string { return names[id] }, ents, mgrs); err != nil {
			t.Fatal(err)
		}
		j, r := finished(t, e, admin, upload(t, e, admin, b.Bytes(), "all"))
		if j.Status != model.JobDone || !r.Written || r.EnterprisesCreated != 3000 || r.ManagersCreated != 1500 {
			t.Fatalf("large import: %+v %+v", j, r.ImportResult)
		}
		var l model.List[model.Enterprise]
		e.API(admin, "GET", "/api/v1/enterprises?q="+url.QueryEscape(mgrs[0].Name)+"&uscc="+mgrs[0].USCC, nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].ManagerCount == 0 {
			t.Errorf("search by an imported manager's name: %+v", l.Items)
		}
	})
}

// sheetWith builds a roster whose sheets have only the given headers.
func sheetWith(t *testing.T, entHead []string, ents [][]any, mgrHead []string, mgrs [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", model.SheetEnterprises)
	f.NewSheet(model.SheetManagers)
	for _, s := range []struct {
		name string
		head []string
		rows [][]any
	}{{model.SheetEnterprises, entHead, ents}, {model.SheetManagers, mgrHead, mgrs}} {
		h := make([]any, len(s.head))
		for i, x := range s.head {
			h[i] = x
		}
		f.SetSheetRow(s.name, "A1", &h)
		for i, r := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			f.SetSheetRow(s.name, cell, &r)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAbsentColumnsChangeNothing: a roster of a few columns updates those
// columns only; what the file does not have is kept, a closed enterprise
// stays closed and a suspended chief officer stays a suspended chief
// officer.
func TestAbsentColumnsChangeNothing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		code := newUSCC(t, "MA2R0099")
		full := [][]any{{code, "完整信息有限公司", "企业", "镇A", "海昌路 9 号", "C3985", "张三", "李四", "0573-87009999", "", "重点管理", "2028-06-30", "水、大气", "", "关停"}}
		mgrs := [][]any{{code, "陈主任", "13912345678", "", "首席环保官", "2026-01-05", "HN-009", "2026-01-05", "2029-01-04", "暂停"}}
		seedRoster(t, e, full, mgrs)
		b := enterpriseByUSCC(t, e, code)
		// A contact list kept by the association: code, name, town and contact.
		few := sheetWith(t, []string{"统一社会信用代码", "企业名称", "所属镇街", "联系人"}, [][]any{{code, "完整信息有限公司", "镇A", "王五"}},
			[]string{"统一社会信用代码", "姓名", "手机号"}, [][]any{{code, "陈主任", "13912345678"}})
		j, r := finished(t, e, admin, upload(t, e, admin, few, "all"))
		if j.Status != model.JobDone || !r.Written || r.EnterprisesUpdated != 1 || r.ManagersUpdated != 0 || r.ManagersUnchanged != 1 {
			t.Fatalf("second import: %+v", r)
		}
		a := enterpriseByUSCC(t, e, code)
		if a.ContactName != "王五" {
			t.Errorf("the contact was not updated: %q", a.ContactName)
		}
		b.ContactName, b.UpdatedAt, b.Can, a.Can = a.ContactName, a.UpdatedAt, nil, nil
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("fields the file did not have changed:\nbefore %+v\nafter  %+v", b, a)
		}
		var ms model.List[model.Manager]
		e.API(admin, "GET", fmt.Sprintf("/api/v1/enterprises/%d/managers", a.ID), nil).JSON(t, &ms)
		if len(ms.Items) != 1 || ms.Items[0].Role != model.ManagerChiefOfficer || ms.Items[0].Status != model.ManagerSuspended || ms.Items[0].CertNo != "HN-009" {
			t.Errorf("the manager changed: %+v", ms.Items)
		}
	})
}

// TestStatusChangeFromAFileNeedsAReason: a roster that suspends a manager
// without a 变更原因 is refused on that cell and changes nothing; with one,
// the change is made and the history keeps the reason.
func TestStatusChangeFromAFileNeedsAReason(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		code := newUSCC(t, "MA2R0098")
		ents := [][]any{{code, "原因测试有限公司", "企业", "镇A", "海昌路 8 号", "C3985", "张三", "李四", "0573-87008888", "", "重点管理", "2028-06-30", "水", "", "正常"}}
		row := []any{code, "周管理", "13912340000", "", "环保管理员", "2026-01-05", "HN-008", "2026-01-05", "2029-01-04", "在岗"}
		seedRoster(t, e, ents, [][]any{row})
		head := []string{"统一社会信用代码", "姓名", "手机号", "状态", "变更原因"}
		entHead := []string{"统一社会信用代码", "企业名称", "所属镇街"}
		entRow := [][]any{{code, "原因测试有限公司", "镇A"}}
		_, r := finished(t, e, admin, upload(t, e, admin, sheetWith(t, entHead, entRow, head, [][]any{{code, "周管理", "13912340000", "暂停", ""}}), "all"))
		if r.Written || len(r.Problems) != 1 || r.Problems[0].Field != "reason" || r.Problems[0].Key != "err.roster.status_reason" {
			t.Fatalf("a suspension without a reason: written %v, problems %v", r.Written, r.Problems)
		}
		var ms model.List[model.Manager]
		e.API(admin, "GET", fmt.Sprintf("/api/v1/enterprises/%d/managers", enterpriseByUSCC(t, e, code).ID), nil).JSON(t, &ms)
		if ms.Items[0].Status != model.ManagerActive {
			t.Fatalf("refused, yet the status is %s", ms.Items[0].Status)
		}
		_, r = finished(t, e, admin, upload(t, e, admin, sheetWith(t, entHead, entRow, head, [][]any{{code, "周管理", "13912340000", "暂停", "长期病假"}}), "all"))
		if !r.Written || r.ManagersUpdated != 1 {
			t.Fatalf("with a reason: %+v", r)
		}
		var hist model.List[model.ManagerChange]
		e.API(admin, "GET", fmt.Sprintf("/api/v1/managers/%d/history", ms.Items[0].ID), nil).JSON(t, &hist)
		if len(hist.Items) == 0 || hist.Items[0].Field != "status" || hist.Items[0].Reason != "长期病假" {
			t.Errorf("history: %+v", hist.Items)
		}
	})
}

// TestEmptyCellsAskBeforeClearing: a column the file has but leaves empty
// would clear stored values; the import stops, names each cell and counts
// them, and clears them only when the user confirms (the same file again).
func TestEmptyCellsAskBeforeClearing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		code := newUSCC(t, "MA2R0097")
		ents := [][]any{{code, "清空测试有限公司", "企业", "镇A", "海昌路 7 号", "C3985", "张三", "李四", "0573-87007777", "", "重点管理", "2028-06-30", "水", "", "正常"}}
		mgr := []any{code, "吴管理", "13912347777", "", "环保管理员", "2026-01-05", "HN-007", "2026-01-05", "2029-01-04", "在岗"}
		seedRoster(t, e, ents, [][]any{mgr})
		blanked := sheetWith(t, []string{"统一社会信用代码", "企业名称", "所属镇街", "地址"}, [][]any{{code, "清空测试有限公司", "镇A", ""}},
			[]string{"统一社会信用代码", "姓名", "手机号", "证书编号"}, [][]any{{code, "吴管理", "13912347777", ""}})
		for _, mode := range []string{"all", "good"} {
			j, r := finished(t, e, admin, upload(t, e, admin, blanked, mode))
			keys := map[string]bool{}
			for _, p := range r.Problems {
				if p.Key == "err.roster.would_clear" {
					keys[p.Sheet+"/"+p.Field] = true
				}
			}
			if r.WouldClear != 2 || !keys[model.SheetEnterprises+"/address"] || !keys[model.SheetManagers+"/cert_no"] || r.EnterprisesUpdated+r.ManagersUpdated != 0 {
				t.Fatalf("%s mode: would clear %d, problems %v, updated %d+%d", mode, r.WouldClear, r.Problems, r.EnterprisesUpdated, r.ManagersUpdated)
			}
			if enterpriseByUSCC(t, e, code).Address != "海昌路 7 号" {
				t.Fatalf("%s mode cleared the address before confirmation", mode)
			}
			if mode == "good" {
				// Nobody else confirms it; a job with nothing to clear has nothing to confirm.
				if r := e.API(assocB, "POST", fmt.Sprintf("/api/v1/imports/%d/confirm", j.ID), nil); r.StatusCode != 404 {
					t.Errorf("another association confirms: %d", r.StatusCode)
				}
				res := e.API(admin, "POST", fmt.Sprintf("/api/v1/imports/%d/confirm", j.ID), nil)
				if _, r := finished(t, e, admin, res); !r.Written || r.WouldClear != 0 || r.EnterprisesUpdated != 1 || r.ManagersUpdated != 1 {
					t.Fatalf("confirmed: %+v", r)
				} else {
					again := e.API(admin, "POST", fmt.Sprintf("/api/v1/imports/%d/confirm", j.ID+1), nil)
					if again.StatusCode != 409 {
						t.Errorf("confirming a job with nothing to clear: %d", again.StatusCode)
					}
				}
				if got := enterpriseByUSCC(t, e, code).Address; got != "" {
					t.Errorf("after confirming, the address is %q", got)
				}
			}
		}
	})
}
