package store

import (
	"context"
	"database/sql"

	"github.com/envhome/envhome/internal/model"
)

// Owners of market files.
const (
	fileOfDemand = "demand"
	fileOfDeal   = "deal"
)

// MarketFileCheck says whether the actor may attach a file now, before the
// upload is stored: a demand's enterprise until the demand is awarded, a
// deal's two sides while it is under way.
func (s *Store) MarketFileCheck(ctx context.Context, a model.Actor, owner string, id int64) error {
	switch owner {
	case fileOfDemand:
		d, err := s.Demand(ctx, a, id)
		if err != nil {
			return err
		}
		if !ownsDemand(a, d) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if d.Status == model.DemandAwarded || d.Status == model.DemandCancelled {
			return model.Errorf(model.ErrConflict, "err.market.demand_fixed")
		}
		if len(d.Attachments) >= model.MaxCaseAttachments {
			return model.Errorf(model.ErrConflict, "err.case.attachments_full")
		}
	case fileOfDeal:
		k, err := s.Deal(ctx, a, id)
		if err != nil {
			return err
		}
		if dealSide(a, k) == "" {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if k.Status != model.DealActive {
			return model.Errorf(model.ErrConflict, "err.market.deal_done")
		}
		if len(k.Evidence) >= model.MaxCaseAttachments {
			return model.Errorf(model.ErrConflict, "err.case.attachments_full")
		}
	default:
		return model.NotFound()
	}
	return nil
}

// AddMarketFile attaches a stored file to a demand or a deal, checking the
// right again inside the write.
func (s *Store) AddMarketFile(ctx context.Context, a model.Actor, owner string, id int64, f model.CaseAttachment, hash string) error {
	if err := s.MarketFileCheck(ctx, a, owner, id); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM market_files WHERE owner = ? AND owner_id = ?`, owner, id).Scan(&n); err != nil {
			return err
		}
		if n > model.MaxCaseAttachments {
			return model.Errorf(model.ErrConflict, "err.case.attachments_full")
		}
		_, err := tx.Exec(ctx, `INSERT INTO market_files (owner, owner_id, n, name, file, size, content_type, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			owner, id, n, f.Name, hash, f.Size, f.ContentType, ms(s.Now()))
		if isUniqueViolation(err) {
			return model.Errorf(model.ErrConflict, "err.market.busy")
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, a, owner+".file", owner, &id, model.Changes{"name": {New: f.Name}})
	})
}

// marketFiles lists a demand's or a deal's files.
func (s *Store) marketFiles(ctx context.Context, owner string, id int64) ([]model.CaseAttachment, error) {
	rows, err := s.query(ctx, `SELECT n, name, size, content_type FROM market_files WHERE owner = ? AND owner_id = ? ORDER BY n`, owner, id)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.CaseAttachment, error) {
		var f model.CaseAttachment
		return f, r.Scan(&f.N, &f.Name, &f.Size, &f.ContentType)
	})
	if out == nil {
		out = []model.CaseAttachment{}
	}
	return out, err
}

// MarketFile finds the n-th file of a demand or a deal the actor may see.
func (s *Store) MarketFile(ctx context.Context, a model.Actor, owner string, id int64, n int) (hash, name string, err error) {
	switch owner {
	case fileOfDemand:
		_, err = s.Demand(ctx, a, id)
	case fileOfDeal:
		_, err = s.Deal(ctx, a, id)
	default:
		err = model.NotFound()
	}
	if err != nil {
		return "", "", err
	}
	err = s.queryRow(ctx, `SELECT file, name FROM market_files WHERE owner = ? AND owner_id = ? AND n = ?`, owner, id, n).Scan(&hash, &name)
	return hash, name, notFound(err)
}
