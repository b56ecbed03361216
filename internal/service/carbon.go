package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/sheets"
)

// Carbon accounting's calls; the rules (who enters, which factor a line
// may name, the sums) live in the model and the store's transactions.

// Factors lists the factors of a kind ("" for all).
func (s *Service) Factors(ctx context.Context, kind string) ([]*model.Factor, error) {
	return s.Store.Factors(ctx, kind)
}

// AddFactor stores a factor the bureau enters.
func (s *Service) AddFactor(ctx context.Context, a model.Actor, in model.FactorInput) (*model.Factor, error) {
	return s.Store.AddFactor(ctx, a, in)
}

// UpdateFactor corrects a factor (a new version once reports use it).
func (s *Service) UpdateFactor(ctx context.Context, a model.Actor, id int64, in model.FactorInput) (*model.Factor, error) {
	return s.Store.UpdateFactor(ctx, a, id, in)
}

// Activity reads an enterprise's month.
func (s *Service) Activity(ctx context.Context, a model.Actor, enterpriseID int64, month string) (*model.Activity, error) {
	return s.Store.Activity(ctx, a, enterpriseID, month)
}

// PutActivity stores an enterprise's month.
func (s *Service) PutActivity(ctx context.Context, a model.Actor, enterpriseID int64, month string, in model.ActivityInput) (*model.Activity, error) {
	return s.Store.PutActivity(ctx, a, enterpriseID, month, in)
}

// Emissions reads an enterprise's year.
func (s *Service) Emissions(ctx context.Context, a model.Actor, enterpriseID int64, year int) (*model.Emissions, error) {
	return s.Store.Emissions(ctx, a, enterpriseID, year)
}

// RefactorYear recomputes a year with the current factors.
func (s *Service) RefactorYear(ctx context.Context, a model.Actor, enterpriseID int64, year int) (*model.Emissions, error) {
	return s.Store.RefactorYear(ctx, a, enterpriseID, year)
}

// ExportCarbon writes an enterprise's year as the bureau's workbook.
func (s *Service) ExportCarbon(ctx context.Context, a model.Actor, w io.Writer, enterpriseID int64, year int) error {
	e, err := s.Store.Enterprise(ctx, a, enterpriseID)
	if err != nil {
		return err
	}
	months, err := s.Store.ActivityYear(ctx, a, enterpriseID, year)
	if err != nil {
		return err
	}
	ids := []int64{}
	for _, m := range months {
		for _, l := range m.Lines {
			if l.FactorID != nil {
				ids = append(ids, *l.FactorID)
			}
		}
	}
	factors := map[int64]*model.Factor{}
	for _, id := range ids {
		if factors[id] == nil {
			if factors[id], err = s.Store.Factor(ctx, id); err != nil {
				return err
			}
		}
	}
	return sheets.WriteCarbon(w, sheets.CarbonBook{Enterprise: e.Name, USCC: e.USCC, Year: year, Months: months, Factors: factors})
}

// ImportCarbon reads a workbook in the export's layout and stores its
// months, all or none; confirm accepts amounts the check calls unusual.
// A problem is reported by the activity sheet's row.
func (s *Service) ImportCarbon(ctx context.Context, a model.Actor, enterpriseID int64, data []byte, confirm bool) ([]string, error) {
	if _, err := s.Store.Enterprise(ctx, a, enterpriseID); err != nil {
		return nil, err
	}
	if !a.MayEnterActivity(enterpriseID) {
		return nil, model.Errorf(model.ErrForbidden, "err.carbon.not_yours")
	}
	imp, err := sheets.ReadCarbon(data)
	if err != nil {
		return nil, err
	}
	for _, in := range imp.Inputs {
		in.Confirm = confirm
	}
	err = s.Store.ImportActivity(ctx, a, enterpriseID, imp.Months, imp.Inputs)
	var e *model.Error
	if errors.As(err, &e) && e.Code == model.ErrInvalid {
		fields := map[string]string{}
		for f, k := range e.Fields {
			fields[sheetField(imp, f)] = k
		}
		return nil, &model.Error{Code: e.Code, Message: e.Message, Args: e.Args, Fields: fields}
	}
	return imp.Months, err
}

// sheetField turns "2026-03.lines.2.amount" into "rows.17.amount", the
// activity sheet's row of that line.
func sheetField(imp *sheets.CarbonImport, f string) string {
	parts := strings.SplitN(f, ".", 4)
	if len(parts) == 4 && parts[1] == "lines" {
		if n, err := strconv.Atoi(parts[2]); err == nil {
			if row, ok := imp.Rows[fmt.Sprintf("%s/%d", parts[0], n)]; ok {
				return fmt.Sprintf("rows.%d.%s", row, parts[3])
			}
		}
	}
	return f
}
