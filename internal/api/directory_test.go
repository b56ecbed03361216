package api_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

func newUSCC(t *testing.T, org string) string {
	t.Helper()
	c, ok := model.BuildUSCC("91330481", org)
	if !ok {
		t.Fatalf("bad org %q", org)
	}
	return c
}

// TestDirectoryRoleMatrix: every directory route as every role, in and out
// of scope. Out of scope answers 404, never the record.
func TestDirectoryRoleMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		idA := e.Ents["A"]
		res := e.API(admin, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", idA), map[string]any{"name": "张三", "mobile": "13800000001"})
		if res.StatusCode != 201 {
			t.Fatalf("seed manager: %d %s", res.StatusCode, res.Body)
		}
		var mA model.Manager
		res.JSON(t, &mA)
		n := 0
		orgs := []string{"MA2C0DE1", "MA2C0DE2", "MA2C0DE3", "MA2C0DE4", "MA2C0DE5", "MA2C0DE6", "MA2C0DE7", "MA2C0DE8", "MA2C0DE9", "MA2C0DEA", "MA2C0DEB", "MA2C0DEC", "MA2C0DED", "MA2C0DEE", "MA2C0DEF", "MA2C0DEG"}
		newEnt := func(region string) func() any {
			return func() any {
				n++
				return map[string]any{"uscc": newUSCC(t, orgs[n%len(orgs)]), "name": fmt.Sprintf("新企业%d", n), "kind": "company", "region_id": e.Regions[region]}
			}
		}
		mobile := 0
		newManager := func() any {
			mobile++
			return map[string]any{"name": fmt.Sprintf("李%d", mobile), "mobile": fmt.Sprintf("139%08d", mobile), "role": "administrator"}
		}
		inA := expect{map[who]int{guest: 401, admin: 200, assocA: 200, entA: 200}, 404}
		cases := []struct {
			method, path string
			body         func() any
			want         expect
		}{
			{"GET", "/api/v1/regions", nil, anyUser(200)},
			{"POST", "/api/v1/regions", func() any {
				n++
				return map[string]any{"code": fmt.Sprintf("330481%03d", 100+n), "name": fmt.Sprintf("新镇%d", n)}
			}, adminOnly(201)},
			{"GET", "/api/v1/associations", nil, anyUser(200)},
			{"GET", "/api/v1/homes", nil, anyUser(200)},
			{"POST", "/api/v1/homes", func() any {
				return map[string]any{"name": "之家", "region_id": e.Regions["A"], "rooms": []map[string]any{{"name": "一号教室", "seats": 30}}}
			}, expect{map[who]int{guest: 401, admin: 201, assocA: 201, assocB: 422}, 403}},
			{"GET", "/api/v1/enterprises", nil, anyUser(200)},
			{"POST", "/api/v1/enterprises", newEnt("A"), expect{map[who]int{guest: 401, admin: 201, assocA: 201, assocB: 422}, 403}},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d", idA), nil, inA},
			{"PATCH", fmt.Sprintf("/api/v1/enterprises/%d", idA), func() any { return map[string]any{"address": "海昌路 1 号"} }, inA},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/managers", idA), nil, inA},
			{"POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", idA), newManager, expect{map[who]int{guest: 401, admin: 201, assocA: 201, entA: 201}, 404}},
			{"GET", fmt.Sprintf("/api/v1/managers/%d", mA.ID), nil, inA},
			{"PATCH", fmt.Sprintf("/api/v1/managers/%d", mA.ID), func() any { return map[string]any{"cert_no": "HB-2026-001"} }, inA},
			{"GET", fmt.Sprintf("/api/v1/managers/%d/history", mA.ID), nil, inA},
			{"GET", "/api/v1/manager-links", nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 200}, 403}},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/accounts", idA), nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 404}, 403}},
			{"GET", "/api/v1/workbench", nil, expect{map[who]int{guest: 401}, 200}},
			{"GET", "/api/v1/stats", nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 200}, 403}},
			// No claim on mA: nothing to decide, told alike to every decider who sees it.
			{"POST", fmt.Sprintf("/api/v1/managers/%d/link", mA.ID), func() any { return map[string]any{"confirm": true} },
				expect{map[who]int{guest: 401, admin: 409, assocA: 409, assocB: 404}, 403}},
			{"GET", "/api/v1/enterprises/999999", nil, expect{map[who]int{guest: 401}, 404}},
		}
		for _, c := range cases {
			for _, w := range apptest.Everyone {
				var body any
				if c.body != nil {
					body = c.body()
				}
				res := e.API(w, c.method, c.path, body)
				if want := c.want.status(w); res.StatusCode != want {
					t.Errorf("%s %s as %s: %d, want %d\n%s", c.method, c.path, w, res.StatusCode, want, truncate(res.Body))
				}
				if res.StatusCode == 404 && strings.Contains(string(res.Body), "企业A") {
					t.Errorf("%s %s as %s: 404 carries data", c.method, c.path, w)
				}
			}
		}
		// Lists hold only what is in scope.
		for _, w := range apptest.Everyone[1:] {
			var l model.List[model.Enterprise]
			e.API(w, "GET", "/api/v1/enterprises?limit=200", nil).JSON(t, &l)
			for _, en := range l.Items {
				switch w {
				case assocA, entA:
					if en.RegionID != e.Regions["A"] {
						t.Errorf("%s sees %s of another region", w, en.Name)
					}
				case assocB, entB:
					if en.RegionID != e.Regions["B"] {
						t.Errorf("%s sees %s of another region", w, en.Name)
					}
				case lecturer, provider:
					t.Errorf("%s sees enterprise %s", w, en.Name)
				}
				if (w == entA && en.ID != idA) || (w == entB && en.ID != e.Ents["B"]) {
					t.Errorf("%s sees another enterprise %s", w, en.Name)
				}
			}
			if (w == entA || w == entB) && len(l.Items) != 1 {
				t.Errorf("%s sees %d enterprises, want its own", w, len(l.Items))
			}
		}
	})
}

func TestEnterpriseRules(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		path := fmt.Sprintf("/api/v1/enterprises/%d", e.Ents["A"])
		// An enterprise edits itself but cannot move region or change status.
		for _, body := range []map[string]any{{"region_id": e.Regions["B"]}, {"status": "closed"}} {
			if res := e.API(entA, "PATCH", path, body); res.StatusCode != 403 {
				t.Errorf("enterprise PATCH %v: %d", body, res.StatusCode)
			}
		}
		// An association cannot give an enterprise away to another region.
		if res := e.API(assocA, "PATCH", path, map[string]any{"region_id": e.Regions["B"]}); res.StatusCode != 422 {
			t.Errorf("association moves enterprise out: %d %s", res.StatusCode, res.Body)
		}
		// Duplicates and bad values.
		var ent model.Enterprise
		e.API(admin, "GET", path, nil).JSON(t, &ent)
		res := e.API(admin, "POST", "/api/v1/enterprises", map[string]any{"uscc": strings.ToLower(ent.USCC), "name": "重复", "kind": "shop", "region_id": e.Regions["A"]})
		if res.StatusCode != 409 || res.ErrorCode() != "conflict" {
			t.Errorf("duplicate code: %d %s", res.StatusCode, res.Body)
		}
		res = e.API(admin, "POST", "/api/v1/enterprises", map[string]any{"uscc": "91350100M000100Y44", "name": "", "kind": "factory",
			"region_id": 0, "industry_code": "3985", "permit_class": "gold", "contact_phone": "12345", "permit_valid_until": "2026-02-30", "key_lists": []string{"air", "sky"}})
		var body struct {
			Error struct{ Fields map[string]string } `json:"error"`
		}
		res.JSON(t, &body)
		for _, f := range []string{"uscc", "name", "kind", "region_id", "industry_code", "permit_class", "contact_phone", "permit_valid_until", "key_lists"} {
			if body.Error.Fields[f] == "" {
				t.Errorf("no error for %s: %v", f, body.Error.Fields)
			}
		}
		// Full-width and spaced input is normalised.
		res = e.API(admin, "POST", "/api/v1/enterprises", map[string]any{"uscc": " ９１３５０１００ｍ０００１００ｙ４３ ", "name": " 示例商户 ", "kind": "shop",
			"region_id": e.Regions["B"], "industry_code": "ｆ5123", "contact_phone": "+86 138-0000-0002", "key_lists": []string{"air", "water", "air"}})
		var made model.Enterprise
		res.JSON(t, &made)
		if res.StatusCode != 201 || made.USCC != "91350100M000100Y43" || made.Name != "示例商户" || made.IndustryCode != "F5123" ||
			made.ContactPhone != "13800000002" || strings.Join(made.KeyLists, ",") != "water,air" {
			t.Errorf("normalised: %d %+v", res.StatusCode, made)
		}
	})
}

func TestManagers(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		idA, idB := e.Ents["A"], e.Ents["B"]
		res := e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", idA),
			map[string]any{"name": "王五", "mobile": "13900000009", "id_card": "11010519491231002X", "role": "chief_officer", "cert_issued_on": "2026-01-01", "cert_expires_on": "2028-12-31"})
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		var m model.Manager
		res.JSON(t, &m)
		if m.IDCard != "110***********002X" || strings.Contains(string(res.Body), "11010519491231002X") {
			t.Errorf("ID number not masked: %s", res.Body)
		}
		// Again: the same person at the same enterprise is a conflict.
		res = e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", idA), map[string]any{"name": "王五", "mobile": "13900000009"})
		if res.StatusCode != 409 {
			t.Errorf("duplicate appointment: %d", res.StatusCode)
		}
		// One person serves two shops: B appoints the same number and name.
		// The person serves A, outside B's scope: B's record stands apart
		// until B's association confirms it is the same person.
		res = e.API(entB, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", idB), map[string]any{"name": "王五", "mobile": "13900000009"})
		var mb model.Manager
		res.JSON(t, &mb)
		if res.StatusCode != 201 || mb.PersonID == m.PersonID || mb.Link != nil {
			t.Errorf("same person at B: %d %s", res.StatusCode, res.Body)
		}
		if res := e.API(entB, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", idB), map[string]any{"name": "赵六", "mobile": "13900000009"}); res.StatusCode != 409 {
			t.Errorf("the number again at B: %d", res.StatusCode)
		}
		if res := e.API(assocB, "POST", fmt.Sprintf("/api/v1/managers/%d/link", mb.ID), map[string]any{"confirm": true}); res.StatusCode != 200 {
			t.Fatalf("association B confirms: %d %s", res.StatusCode, res.Body)
		}
		e.API(entB, "GET", fmt.Sprintf("/api/v1/managers/%d", mb.ID), nil).JSON(t, &mb)
		if mb.PersonID != m.PersonID {
			t.Errorf("confirmed but not one person: %+v", mb)
		}
		// B cannot rename the person A shares.
		if res := e.API(entB, "PATCH", fmt.Sprintf("/api/v1/managers/%d", mb.ID), map[string]any{"name": "王五五"}); res.StatusCode != 422 {
			t.Errorf("rename a shared person: %d %s", res.StatusCode, res.Body)
		}
		// Bad values.
		res = e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", idA),
			map[string]any{"name": "", "mobile": "1234", "id_card": "110105194912310021", "role": "boss", "cert_issued_on": "2027-01-01", "cert_expires_on": "2026-01-01"})
		var body struct {
			Error struct{ Fields map[string]string } `json:"error"`
		}
		res.JSON(t, &body)
		for _, f := range []string{"name", "mobile", "id_card", "role", "cert_expires_on"} {
			if body.Error.Fields[f] == "" {
				t.Errorf("no error for %s: %v", f, body.Error.Fields)
			}
		}
		// Status change needs a reason and is kept as history.
		path := fmt.Sprintf("/api/v1/managers/%d", m.ID)
		if res := e.API(entA, "PATCH", path, map[string]any{"status": "suspended"}); res.StatusCode != 422 {
			t.Errorf("status without reason: %d", res.StatusCode)
		}
		if res := e.API(entA, "PATCH", path, map[string]any{"status": "suspended", "reason": "离职交接中"}); res.StatusCode != 200 {
			t.Errorf("status with reason: %d %s", res.StatusCode, res.Body)
		}
		var hist model.List[model.ManagerChange]
		e.API(entA, "GET", path+"/history", nil).JSON(t, &hist)
		if len(hist.Items) != 1 || hist.Items[0].Field != "status" || hist.Items[0].Old != "active" || hist.Items[0].New != "suspended" || hist.Items[0].Reason != "离职交接中" {
			t.Errorf("history: %+v", hist.Items)
		}
		// Moving a manager needs both enterprises in scope.
		if res := e.API(entA, "PATCH", path, map[string]any{"enterprise_id": idB, "reason": "调岗"}); res.StatusCode != 422 {
			t.Errorf("enterprise A moves its manager to B: %d %s", res.StatusCode, res.Body)
		}
		if res := e.API(entB, "PATCH", path, map[string]any{"enterprise_id": idB, "reason": "调岗"}); res.StatusCode != 404 {
			t.Errorf("enterprise B takes A's manager: %d", res.StatusCode)
		}
		// Search finds an enterprise by its manager's name.
		var l model.List[model.Enterprise]
		e.API(admin, "GET", "/api/v1/enterprises?q=王五", nil).JSON(t, &l)
		if len(l.Items) != 2 {
			t.Errorf("search by manager name: %d results", len(l.Items))
		}
	})
}

func TestEnterpriseSearchAndFilters(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		names := []string{"海宁新材料有限公司", "海宁精密电子有限公司", "许村家纺商行", "长安镇小吃店"}
		orgs := []string{"MA2F0001", "MA2F0002", "MA2F0003", "MA2F0004"}
		for i, n := range names {
			kind, permit, region := "company", "key", e.Regions["A"]
			lists := []string{"air"}
			if i >= 2 {
				kind, permit, region, lists = "shop", "registration", e.Regions["B"], nil
			}
			res := e.API(admin, "POST", "/api/v1/enterprises", map[string]any{"uscc": newUSCC(t, orgs[i]), "name": n, "kind": kind,
				"region_id": region, "permit_class": permit, "key_lists": lists, "industry_code": "C39" + fmt.Sprint(80+i)})
			if res.StatusCode != 201 {
				t.Fatalf("%s: %d %s", n, res.StatusCode, res.Body)
			}
		}
		count := func(query string) int {
			var l model.List[model.Enterprise]
			res := e.API(admin, "GET", "/api/v1/enterprises?"+query, nil)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", query, res.StatusCode, res.Body)
			}
			res.JSON(t, &l)
			return len(l.Items)
		}
		for q, want := range map[string]int{
			"q=新材料":                 1, // three characters or more: trigram index
			"q=有限公司":                2,
			"q=家纺":                  1, // fewer: LIKE
			"q=海":                   2,
			"q=100%25":              0, // % matches itself
			"kind=shop":             2,
			"permit_class=key":      2,
			"key_list=air":          2,
			"industry=C398":         6, // the 4 new ones and the 2 fixtures (C3985)
			"manager_status=active": 0,
		} {
			if got := count(q); got != want {
				t.Errorf("%s: %d results, want %d", q, got, want)
			}
		}
		if res := e.API(admin, "GET", "/api/v1/enterprises?kind=factory&permit_class=gold", nil); res.StatusCode != 422 {
			t.Errorf("bad filters: %d", res.StatusCode)
		}
		// Association B searching sees only region B.
		var l model.List[model.Enterprise]
		e.API(assocB, "GET", "/api/v1/enterprises?q=有限公司", nil).JSON(t, &l)
		if len(l.Items) != 0 {
			t.Errorf("association B found region A's companies: %d", len(l.Items))
		}
	})
}

func TestHomePhoto(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var home model.Home
		e.API(admin, "POST", "/api/v1/homes", map[string]any{"name": "之家", "region_id": e.Regions["A"]}).JSON(t, &home)
		var img bytes.Buffer
		png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 3)))
		pic := img.Bytes()
		put := func(w who, body []byte) int {
			req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/homes/%d/photo", e.HTTP.URL, home.ID), bytes.NewReader(body))
			req.Header.Set("Content-Type", "image/png")
			req.Header.Set("Authorization", "Bearer "+e.Tokens[w])
			return e.Do(req).StatusCode
		}
		for w, want := range map[who]int{admin: 204, assocA: 204, assocB: 404, entA: 403, lecturer: 403, guest: 401} {
			if got := put(w, pic); got != want {
				t.Errorf("PUT photo as %s: %d, want %d", w, got, want)
			}
		}
		if got := put(admin, []byte("<html>not a picture</html>")); got != 415 {
			t.Errorf("HTML as a photo: %d", got)
		}
		if got := put(admin, bytes.Repeat([]byte{0}, 6<<20)); got != 413 {
			t.Errorf("6 MB photo: %d", got)
		}
		edit := map[string]any{"name": "智慧港之家", "region_id": e.Regions["A"], "rooms": []map[string]any{{"name": "一号教室", "seats": 30}}}
		for w, want := range map[who]int{admin: 200, assocA: 200, assocB: 404, entA: 403, lecturer: 403, guest: 401} {
			if res := e.API(w, "PUT", fmt.Sprintf("/api/v1/homes/%d", home.ID), edit); res.StatusCode != want {
				t.Errorf("PUT home as %s: %d, want %d", w, res.StatusCode, want)
			}
		}
		res := e.API(guest, "GET", fmt.Sprintf("/api/v1/homes/%d/photo", home.ID), nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("GET photo: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		var l model.List[model.Home]
		e.API(entA, "GET", "/api/v1/homes", nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].PhotoURL == "" {
			t.Errorf("homes: %+v", l.Items)
		}
	})
}
