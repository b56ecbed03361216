package api_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// auditEntries lists the audit log entries whose action starts with prefix.
func auditEntries(t *testing.T, e *apptest.Env, prefix string) []model.AuditEntry {
	t.Helper()
	var l model.List[model.AuditEntry]
	e.API(admin, "GET", "/api/v1/audit?limit=200&action="+url.QueryEscape(prefix), nil).JSON(t, &l)
	return l.Items
}

// TestAuditExport: the bureau downloads the audit log with a filter, the
// same entries as the list; the download is logged with its filter, and so
// is every roster export (it holds mobiles and ID numbers); nobody else
// may download it.
func TestAuditExport(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		for _, w := range []apptest.Who{guest, assocA, entA, lecturer, provider} {
			if r := e.API(w, "GET", "/api/v1/audit/export.xlsx", nil); r.StatusCode != 401 && r.StatusCode != 403 {
				t.Errorf("%s downloads the audit log: %d", w, r.StatusCode)
			}
		}
		want := auditEntries(t, e, "user.")
		if len(want) == 0 {
			t.Fatal("no user entries to export")
		}
		r := e.API(admin, "GET", "/api/v1/audit/export.xlsx?action=user.&limit=1", nil)
		if r.StatusCode != 200 {
			t.Fatalf("export: %d %s", r.StatusCode, r.Body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("审计日志")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(want)+1 || rows[0][0] != "时间" || rows[1][2] != want[0].Action || rows[1][1] != want[0].ActorName {
			t.Errorf("the workbook has %d rows for %d entries; first %v", len(rows), len(want), rows[:min(2, len(rows))])
		}
		logged := auditEntries(t, e, "export.audit")
		if len(logged) != 1 || logged[0].ActorName == "" || !bytes.Contains(logged[0].Changes, []byte("action=user.")) {
			t.Errorf("the export is not logged with its filter: %+v", logged)
		}

		if r := e.API(entA, "GET", "/api/v1/enterprises/export.xlsx?q=%E4%BC%81%E4%B8%9A", nil); r.StatusCode != 200 {
			t.Fatalf("roster export: %d", r.StatusCode)
		}
		logged = auditEntries(t, e, "export.enterprises")
		if len(logged) != 1 || logged[0].ActorID == nil || *logged[0].ActorID != e.Users[entA].ID || !bytes.Contains(logged[0].Changes, []byte("q=%E4%BC%81%E4%B8%9A")) {
			t.Errorf("the roster export is not logged with who and the filter: %+v", logged)
		}
	})
}

// TestAuditKept: the periodic clean-up never removes audit entries, however
// old (the Cybersecurity Law asks for six months at least).
func TestAuditKept(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		count := func() int {
			// Read from the store: the test's tokens expire in 400 days.
			l, err := e.Store.ListAudit(context.Background(), model.AuditFilter{Page: model.Page{Limit: model.MaxLimit}})
			if err != nil {
				t.Fatal(err)
			}
			return len(l.Items)
		}
		before := count()
		e.Clock.Advance(400 * 24 * time.Hour)
		if err := e.Store.Prune(context.Background(), e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if after := count(); after != before || before == 0 {
			t.Errorf("audit entries %d before the clean-up, %d after", before, after)
		}
	})
}
