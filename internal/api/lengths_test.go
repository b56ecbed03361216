package api_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
)

// TestDocumentedLengthsAreEnforced: every maxLength the OpenAPI document
// states on a create operation's text fields is the server's limit: that
// many characters are accepted for the field, one more is refused on that
// field. A limit changed on one side only fails here.
func TestDocumentedLengthsAreEnforced(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					MaxLength *int `json:"maxLength"`
					Type      any  `json:"type"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	e := apptest.New(t, "sqlite")
	n := 0
	cases := []struct {
		schema, path string
		base         func() map[string]any
	}{
		{"Enterprise", "/api/v1/enterprises", func() map[string]any {
			n++
			return map[string]any{"uscc": newUSCC(t, fmt.Sprintf("MA2L%04d", n)), "name": "长度测试企业", "kind": "company", "region_id": e.Regions["A"]}
		}},
		{"Manager", fmt.Sprintf("/api/v1/enterprises/%d/managers", e.Ents["A"]), func() map[string]any {
			n++
			return map[string]any{"name": "长度", "mobile": fmt.Sprintf("137%08d", n), "role": "administrator"}
		}},
		{"Course", "/api/v1/courses", func() map[string]any {
			return map[string]any{"title": "长度测试课程", "category": "carbon", "credit_hours": 1}
		}},
		{"Topic", "/api/v1/topics", func() map[string]any { return map[string]any{"title": "长度测试选题"} }},
		{"Home", "/api/v1/homes", func() map[string]any {
			return map[string]any{"name": "长度测试之家", "region_id": e.Regions["A"]}
		}},
		{"Region", "/api/v1/regions", func() map[string]any {
			n++
			return map[string]any{"code": fmt.Sprintf("330481%03d", 500+n), "name": fmt.Sprintf("长度镇%d", n)}
		}},
		{"Lecturer", "/api/v1/lecturers", func() map[string]any {
			return map[string]any{"name": "长度教授", "affiliation_kind": "university"}
		}},
	}
	checked := 0
	for _, c := range cases {
		for field, p := range doc.Components.Schemas[c.schema].Properties {
			if p.MaxLength == nil {
				continue
			}
			max := *p.MaxLength
			// Region and association names must be unique; a number keeps them so.
			fill := func(k int) string { return fmt.Sprintf("%03d", n%1000) + strings.Repeat("环", k-3) }
			body := c.base()
			body[field] = fill(max)
			if r := e.API(apptest.Admin, "POST", c.path, body); r.StatusCode != 201 {
				t.Errorf("%s.%s: %d characters (the documented maxLength) answered %d %s", c.schema, field, max, r.StatusCode, r.Body)
			}
			body = c.base()
			body[field] = fill(max + 1)
			r := e.API(apptest.Admin, "POST", c.path, body)
			if r.StatusCode != 422 || errorFields(t, r)[field] == "" {
				t.Errorf("%s.%s: %d characters (over the documented %d) answered %d %s", c.schema, field, max+1, max, r.StatusCode, r.Body)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d documented lengths checked", checked)
	}
	t.Logf("%d documented lengths checked against the server", checked)
}
