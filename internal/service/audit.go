package service

import (
	"context"
	"io"
	"net/url"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/sheets"
)

// ExportAudit writes the audit log entries that match the query (the same
// filter as the list) as a workbook, newest first; the bureau only. The
// export is itself logged, with its filter.
func (s *Service) ExportAudit(ctx context.Context, a model.Actor, w io.Writer, q url.Values, start func()) error {
	if !a.IsAdmin() {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	f, err := model.ParseAuditFilter(q)
	if err != nil {
		return err
	}
	if err := s.Store.LogExport(ctx, a, "audit", q.Encode()); err != nil {
		return err
	}
	start()
	f.Page = model.Page{Limit: 1000}
	cols := []sheets.Column[model.AuditEntry]{
		{Header: "时间", Width: 20, Value: func(e model.AuditEntry) any { return e.At.In(model.ChinaTime).Format("2006-01-02 15:04:05") }},
		{Header: "操作人", Width: 16, Value: func(e model.AuditEntry) any { return e.ActorName }},
		{Header: "操作", Width: 24, Value: func(e model.AuditEntry) any { return e.Action }},
		{Header: "对象类型", Width: 12, Value: func(e model.AuditEntry) any { return e.ObjectType }},
		{Header: "对象编号", Width: 10, Value: func(e model.AuditEntry) any {
			if e.ObjectID == nil {
				return ""
			}
			return *e.ObjectID
		}},
		{Header: "来源地址", Width: 16, Value: func(e model.AuditEntry) any { return e.Addr }},
		{Header: "变更", Width: 60, Value: func(e model.AuditEntry) any { return string(e.Changes) }},
	}
	return sheets.Export(w, "审计日志", cols, model.Pages(func(after int64) (model.List[model.AuditEntry], error) {
		f.After = after
		return s.Store.ListAudit(ctx, f)
	}, func(e model.AuditEntry) int64 { return e.ID }))
}
