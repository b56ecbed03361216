package api_test

import (
	"fmt"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

func checklistBody(title string, codes ...string) map[string]any {
	var items []map[string]any
	for _, c := range codes {
		items = append(items, map[string]any{"code": c, "point": "检查点 " + c, "standard": "符合要求", "basis": "《排污许可管理条例》",
			"method": "records", "severity": "major", "weight": 3, "photo_required": true})
	}
	return map[string]any{"title": title, "sections": []map[string]any{{"title": "A 许可与手续", "items": items}}}
}

// TestChecklistVersionsAndScopes (issue 10, item 1): the bureau drafts and
// publishes the county's checklist, an association its town's, an
// enterprise its own; drafts are seen by their authors only; editing a
// published version drafts the next one and publishing retires the old.
func TestChecklistVersionsAndScopes(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var c model.Checklist
		r := e.API(admin, "POST", "/api/v1/checklists", checklistBody("县级自查表", "A1", "A2"))
		r.JSON(t, &c)
		if r.StatusCode != 201 || c.Scope != model.ChecklistCounty || c.Status != model.ChecklistDraft || c.FamilyID != c.ID || !c.Can.Publish {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		path := fmt.Sprintf("/api/v1/checklists/%d", c.ID)
		for w, want := range map[who]int{guest: 401, assocA: 404, entA: 404, lecturer: 404, admin: 200} {
			if r := e.API(w, "GET", path, nil); r.StatusCode != want {
				t.Errorf("%s reads the county draft: %d, want %d", w, r.StatusCode, want)
			}
		}
		if r := e.API(entA, "POST", path+"/publish", nil); r.StatusCode != 404 {
			t.Errorf("an enterprise publishes the county draft: %d", r.StatusCode)
		}
		if r := e.API(admin, "POST", path+"/publish", nil); r.StatusCode != 200 {
			t.Fatalf("publish: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(admin, "POST", path+"/publish", nil); r.StatusCode != 409 {
			t.Errorf("publish twice: %d", r.StatusCode)
		}
		for w, want := range map[who]int{assocA: 200, entA: 200, entB: 200, lecturer: 404, provider: 404} {
			if r := e.API(w, "GET", path, nil); r.StatusCode != want {
				t.Errorf("%s reads the published county checklist: %d, want %d", w, r.StatusCode, want)
			}
		}
		if r := e.API(entA, "PUT", path, checklistBody("改", "A1")); r.StatusCode != 403 {
			t.Errorf("an enterprise edits the county checklist: %d", r.StatusCode)
		}
		// Editing the published version drafts version 2; it stays as it was.
		var v2 model.Checklist
		r = e.API(admin, "PUT", path, checklistBody("县级自查表（2026 版）", "A1", "A2", "A3"))
		r.JSON(t, &v2)
		if r.StatusCode != 200 || v2.ID == c.ID || v2.Version != 2 || v2.FamilyID != c.ID || v2.Status != model.ChecklistDraft {
			t.Fatalf("edit published: %d %s", r.StatusCode, r.Body)
		}
		var v1 model.Checklist
		e.API(admin, "GET", path, nil).JSON(t, &v1)
		if v1.Title != "县级自查表" || len(v1.Items()) != 2 || v1.Status != model.ChecklistPublished {
			t.Errorf("the published version changed: %+v", v1)
		}
		if r := e.API(admin, "PUT", path, checklistBody("又一版", "A1")); r.StatusCode != 409 {
			t.Errorf("a second draft of the same checklist: %d", r.StatusCode)
		}
		if r := e.API(admin, "PUT", fmt.Sprintf("/api/v1/checklists/%d", v2.ID), checklistBody("县级自查表（2026 版）", "A1", "A2", "A3", "A4")); r.StatusCode != 200 {
			t.Errorf("edit the draft in place: %d", r.StatusCode)
		}
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", v2.ID), nil)
		e.API(admin, "GET", path, nil).JSON(t, &v1)
		if v1.Status != model.ChecklistRetired || v1.Can.Edit {
			t.Errorf("version 1 after version 2 was published: %s", v1.Status)
		}
		if r := e.API(admin, "PUT", path, checklistBody("旧版再改", "A1")); r.StatusCode != 409 {
			t.Errorf("edit a retired version: %d", r.StatusCode)
		}
		var l model.List[model.Checklist]
		e.API(entA, "GET", "/api/v1/checklists", nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].Version != 2 || len(l.Items[0].Items()) != 4 {
			t.Errorf("the enterprise's list: %+v", l.Items)
		}
		e.API(admin, "GET", "/api/v1/checklists?all=1", nil).JSON(t, &l)
		if len(l.Items) != 2 {
			t.Errorf("all versions: %d", len(l.Items))
		}

		// A town's and an enterprise's own.
		var town, own model.Checklist
		e.API(assocA, "POST", "/api/v1/checklists", checklistBody("镇A 补充自查", "T1")).JSON(t, &town)
		e.API(entA, "POST", "/api/v1/checklists", checklistBody("本厂附加项", "X1")).JSON(t, &own)
		if town.Scope != model.ChecklistTown || town.RegionID == nil || *town.RegionID != e.Regions["A"] || own.Scope != model.ChecklistEnterprise {
			t.Fatalf("town %+v, own %+v", town, own)
		}
		e.API(assocA, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", town.ID), nil)
		e.API(entA, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", own.ID), nil)
		for _, c := range []struct {
			w    who
			id   int64
			want int
		}{{entA, town.ID, 200}, {entB, town.ID, 404}, {assocB, town.ID, 404}, {admin, town.ID, 200},
			{assocA, own.ID, 200}, {assocB, own.ID, 404}, {entB, own.ID, 404}} {
			if r := e.API(c.w, "GET", fmt.Sprintf("/api/v1/checklists/%d", c.id), nil); r.StatusCode != c.want {
				t.Errorf("%s reads checklist %d: %d, want %d", c.w, c.id, r.StatusCode, c.want)
			}
		}
		if r := e.API(assocA, "PUT", fmt.Sprintf("/api/v1/checklists/%d", own.ID), checklistBody("协会改企业的", "X1")); r.StatusCode != 403 {
			t.Errorf("an association edits an enterprise's own checklist: %d", r.StatusCode)
		}
		if r := e.API(lecturer, "POST", "/api/v1/checklists", checklistBody("讲师的", "L1")); r.StatusCode != 403 {
			t.Errorf("a lecturer makes a checklist: %d", r.StatusCode)
		}
		// Bad input names the field.
		bad := checklistBody("坏", "A1", "A1")
		r = e.API(admin, "POST", "/api/v1/checklists", bad)
		if r.StatusCode != 422 || errorFields(t, r)["sections.0.items.1.code"] == "" {
			t.Errorf("duplicate code: %d %s", r.StatusCode, r.Body)
		}
	})
}
