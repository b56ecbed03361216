package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/envhome/envhome/internal/model"
)

// The directory proper (regions, associations, Homes, enterprises, managers)
// grows in its own issue; accounts need regions and enterprises to belong to.

// CreateRegion adds a region.
func (s *Store) CreateRegion(ctx context.Context, a model.Actor, code, name string, parentID *int64) (int64, error) {
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO regions (code, name, parent_id, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			code, name, parentID, ms(s.Now())).Scan(&id)
		if err != nil {
			if isUniqueViolation(err) {
				return model.Errorf(model.ErrConflict, "err.region_exists")
			}
			return err
		}
		return s.audit(ctx, tx, a, "region.create", "region", &id, model.Changes{"code": {New: code}, "name": {New: name}})
	})
	if err != nil {
		return 0, fmt.Errorf("create region: %w", err)
	}
	return id, nil
}

// RegionIDByCode finds a region by its division code.
func (s *Store) RegionIDByCode(ctx context.Context, code string) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT id FROM regions WHERE code = ?`, code).Scan(&id)
	return id, notFound(err)
}

// CreateEnterprise adds an enterprise with a validated code.
func (s *Store) CreateEnterprise(ctx context.Context, a model.Actor, uscc, name string, regionID int64) (int64, error) {
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		err := tx.QueryRow(ctx, `INSERT INTO enterprises (uscc, name, region_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			uscc, name, regionID, now, now).Scan(&id)
		if err != nil {
			if isUniqueViolation(err) {
				return model.Errorf(model.ErrConflict, "err.uscc_exists")
			}
			if isForeignKeyViolation(err) {
				return &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Fields: map[string]string{"region_id": "err.field.no_such_region"}}
			}
			return err
		}
		return s.audit(ctx, tx, a, "enterprise.create", "enterprise", &id, model.Changes{"uscc": {New: uscc}, "name": {New: name}})
	})
	if err != nil {
		return 0, fmt.Errorf("create enterprise: %w", err)
	}
	return id, nil
}

// EnterpriseIDByUSCC finds an enterprise by its credit code.
func (s *Store) EnterpriseIDByUSCC(ctx context.Context, uscc string) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT id FROM enterprises WHERE uscc = ?`, uscc).Scan(&id)
	return id, notFound(err)
}

// Region is a county, town or street.
type Region struct {
	ID       int64
	Code     string
	Name     string
	ParentID *int64
}

// Regions lists every region by code; a county has a few dozen at most.
func (s *Store) Regions(ctx context.Context) ([]Region, error) {
	rows, err := s.query(ctx, `SELECT id, code, name, parent_id FROM regions ORDER BY code`)
	return scanAll(rows, err, func(r *sql.Rows) (Region, error) {
		var x Region
		return x, r.Scan(&x.ID, &x.Code, &x.Name, &x.ParentID)
	})
}
