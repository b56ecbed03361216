// Package imports runs roster imports: an upload is kept in the database
// (package files) and imported by a persistent background job, on
// whichever instance claims it, which writes a result and, when rows are
// bad, a marked-up copy of the workbook, kept the same way.
package imports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/i18n"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/roster"
	"github.com/envhome/envhome/internal/store"
)

// Kind is the job kind of a roster import.
const Kind = "roster_import"

// BatchRows is how many rows an import reads and writes at a time: what
// it holds of a workbook beyond the shared strings.
const BatchRows = 2000

// Service starts and runs imports.
type Service struct {
	Store *store.Store
	Files *files.Service
	I18n  *i18n.Catalog
	// DataDir holds the files of imports queued before files moved into
	// the database.
	DataDir string
	Wake    func() // tells the local job runner there is work
}

type payload struct {
	File string           `json:"file"` // the stored file's hash (a name under DataDir/imports before)
	Mode model.ImportMode `json:"mode"`
	// AllowClear: the user confirmed that empty cells clear stored values.
	AllowClear bool   `json:"allow_clear,omitempty"`
	Lang       string `json:"lang"`
}

// Result is what an import job stores.
type Result struct {
	model.ImportResult
	Report string `json:"report,omitempty"` // marked-up workbook, when there were problems
	Rows   int    `json:"rows"`
	// Messages are the problems in the user's language, for the API.
	Messages []string `json:"messages,omitempty"`
}

func (s *Service) dir() string { return filepath.Join(s.DataDir, "imports") }

// Start checks the upload is an .xlsx of acceptable size, keeps it, and
// queues its import. Only the bureau and associations import.
func (s *Service) Start(ctx context.Context, a model.Actor, data []byte, mode model.ImportMode, lang string) (*model.Job, error) {
	if a.User != nil && a.User.Role != model.RoleAdmin && a.User.Role != model.RoleAssociation {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if mode != model.ImportAllOrNothing && mode != model.ImportGoodRows {
		return nil, &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Fields: map[string]string{"mode": "err.field.choice"}}
	}
	f, err := s.Files.Put(ctx, files.Roster, "roster.xlsx", bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	j, err := s.Store.EnqueueJob(ctx, a, Kind, payload{File: f.Hash, Mode: mode, Lang: lang})
	if err != nil {
		return nil, err
	}
	if s.Wake != nil {
		s.Wake()
	}
	return j, nil
}

// Run is the job handler.
func (s *Service) Run(ctx context.Context, j *model.Job, progress func(done, total int)) (any, error) {
	var p payload
	if err := store.JobPayload(j, &p); err != nil {
		return nil, err
	}
	data, err := s.read(ctx, p.File)
	if err != nil {
		return nil, fmt.Errorf("the uploaded file is gone: %w", err)
	}
	regions, err := s.Store.Regions(ctx)
	if err != nil {
		return nil, err
	}
	actor, err := s.actor(ctx, j)
	if err != nil {
		return nil, err
	}
	// The workbook is read as it is written, a batch at a time, inside
	// the import's transaction. Progress is written as rows are read on
	// PostgreSQL only: on SQLite the transaction holds the only write
	// lock, and the progress row would wait for it.
	var tell func(int)
	if s.Store.Dialect() == store.Postgres {
		tell = func(n int) { progress(n, 0) }
	}
	rd, err := roster.Open(data, regions, tell)
	var res model.ImportResult
	if err == nil {
		defer rd.Close()
		next, stop := rd.Batches(BatchRows)
		res, err = s.Store.ImportRosterBatches(ctx, actor, next, p.Mode, p.AllowClear)
		stop()
	}
	switch {
	case errors.Is(err, roster.ErrTooBig):
		return nil, errors.New(s.I18n.T(p.Lang, "err.roster.too_large"))
	case errors.Is(err, roster.ErrNotXLSX):
		return nil, errors.New(s.I18n.T(p.Lang, "err.roster.not_xlsx"))
	case errors.Is(err, roster.ErrSheets):
		return nil, errors.New(s.I18n.T(p.Lang, "err.roster.no_sheets"))
	case err != nil:
		return nil, err
	}
	total := rd.Rows()
	progress(total, total)
	out := Result{ImportResult: res, Rows: total}
	if len(res.Problems) > 0 {
		tr := func(key string, args ...any) string { return s.I18n.T(p.Lang, key, args...) }
		rep, err := roster.Report(data, res.Problems, tr)
		if err != nil {
			return nil, err
		}
		f, err := s.Files.Put(ctx, files.Roster, "report.xlsx", bytes.NewReader(rep))
		if err != nil {
			return nil, err
		}
		out.Report = f.Hash
		for i, pr := range res.Problems {
			if i == 200 {
				break
			}
			out.Messages = append(out.Messages, tr("import.problem", pr.Sheet, pr.Row, roster.HeaderOf(pr.Sheet, pr.Field), tr(pr.Key, roster.ProblemArgs(pr)...)))
		}
	}
	return out, nil
}

// ConfirmClear imports a finished job's file again, this time letting its
// empty cells clear the stored values it was stopped on; the job must be
// the actor's to see and must have been stopped for that.
func (s *Service) ConfirmClear(ctx context.Context, a model.Actor, id int64) (*model.Job, error) {
	j, err := s.Job(ctx, a, id)
	if err != nil {
		return nil, err
	}
	var r Result
	var p payload
	if j.Result == nil || store.JobResult(j, &r) != nil || r.WouldClear == 0 || store.JobPayload(j, &p) != nil {
		return nil, model.Errorf(model.ErrConflict, "err.import_nothing_to_confirm")
	}
	p.AllowClear = true
	nj, err := s.Store.EnqueueJob(ctx, a, Kind, p)
	if err != nil {
		return nil, err
	}
	if s.Wake != nil {
		s.Wake()
	}
	return nj, nil
}

// actor is the job's creator, for scope and the audit log.
func (s *Service) actor(ctx context.Context, j *model.Job) (model.Actor, error) {
	if j.UserID == nil {
		return model.SystemActor(), nil
	}
	u, err := s.Store.User(ctx, *j.UserID)
	if err != nil {
		return model.Actor{}, err
	}
	return model.Actor{User: u, Addr: "job"}, nil
}

// Job returns an import job the actor may see (its creator, the bureau),
// with its rights.
func (s *Service) Job(ctx context.Context, a model.Actor, id int64) (*model.Job, error) {
	j, err := s.Store.Job(ctx, a, id)
	if err != nil || j.Kind != Kind {
		return nil, model.NotFound()
	}
	_, rerr := s.report(j)
	j.Can = &model.JobRights{Report: rerr == nil}
	return j, nil
}

// read returns a stored file's bytes; a name with a dot is a file on disk
// from before files lived in the database.
func (s *Service) read(ctx context.Context, name string) ([]byte, error) {
	if !model.ValidFileHash(name) {
		return os.ReadFile(filepath.Join(s.dir(), filepath.Base(name)))
	}
	o, err := s.Files.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	return o.Bytes()
}

// report names the marked-up workbook of a finished job.
func (s *Service) report(j *model.Job) (string, error) {
	var r Result
	if j.Kind != Kind || j.Result == nil || store.JobResult(j, &r) != nil || r.Report == "" {
		return "", model.NotFound()
	}
	return r.Report, nil
}

// Report returns the marked-up workbook of a finished job the actor may see.
func (s *Service) Report(ctx context.Context, a model.Actor, id int64) ([]byte, error) {
	j, err := s.Store.Job(ctx, a, id)
	if err != nil {
		return nil, err
	}
	name, err := s.report(j)
	if err != nil {
		return nil, err
	}
	return s.read(ctx, name)
}

// Export writes the enterprises the scope may see and the query's filter
// keeps to w as an .xlsx, page by page (keyset), never holding the whole
// list. The roster holds managers' mobiles and ID numbers: who took it,
// when and with which filter is logged before start and the first byte.
func Export(ctx context.Context, st *store.Store, w io.Writer, a model.Actor, q url.Values, start func()) error {
	f, err := model.ParseEnterpriseFilter(q)
	if err != nil {
		return err
	}
	regions, err := st.Regions(ctx)
	if err != nil {
		return err
	}
	if err := st.LogExport(ctx, a, "enterprises", q.Encode()); err != nil {
		return err
	}
	start()
	names := map[int64]string{}
	for _, r := range regions {
		names[r.ID] = r.Name
	}
	f.Page = model.Page{Limit: 1000}
	return roster.Export(w, func(id int64) string { return names[id] }, model.Pages(func(after int64) (model.List[*model.Enterprise], error) {
		f.After = after
		return st.ListEnterprises(ctx, a, f)
	}, func(e *model.Enterprise) int64 { return e.ID }))
}
