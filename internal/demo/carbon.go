package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// seedCarbon gives the demo enterprise last year's and this year's months
// of electricity, gas and a process line. The gas parameters are marked
// as demo values: envhome ships no fuel parameter it cannot cite.
func seedCarbon(ctx context.Context, s *store.Store, users map[model.Role]*model.User) error {
	bureau := model.Actor{User: users[model.RoleAdmin]}
	ent := model.Actor{User: users[model.RoleEnterprise]}
	gas, err := s.AddFactor(ctx, bureau, model.FactorInput{Kind: model.FactorFuel, Name: "天然气（演示参数）", Year: 2025, Unit: model.UnitWanNm3,
		NCV: 389.31, CarbonContent: 0.0153, Oxidation: 0.99, Source: "演示数据：示例参数，非官方缺省值，使用前请按核算指南附表核对替换"})
	if err != nil {
		return err
	}
	fs, err := s.Factors(ctx, model.FactorElectricity)
	if err != nil {
		return err
	}
	var grid int64
	for _, f := range fs {
		if f.Value == 0.5703 {
			grid = f.ID
		}
	}
	now := s.Now().In(model.ChinaTime)
	start := time.Date(now.Year()-1, 1, 1, 0, 0, 0, 0, model.ChinaTime)
	for m := start; m.Before(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, model.ChinaTime)); m = m.AddDate(0, 1, 0) {
		i := float64(m.Month())
		season := 1 + 0.25*float64((int(m.Month())%12)/6) // the second half year runs harder
		output := 900 + 40*i
		in := model.ActivityInput{OutputValue: &output, Lines: []model.ActivityLine{
			{Source: model.SourceElectricityIn, FactorID: &grid, Amount: 180 * season * (1 - 0.04*float64(m.Year()-start.Year())), Unit: model.UnitMWh},
			{Source: model.SourceFuel, FactorID: &gas.ID, Amount: 3.2 * season, Unit: model.UnitWanNm3, Note: "导热油炉"},
			{Source: model.SourceProcess, Amount: 1.5, Unit: model.UnitTCO2, Note: "废气焚烧处理（示例）"},
		}}
		if _, err := s.PutActivity(ctx, ent, *ent.User.EnterpriseID, m.Format("2006-01"), in); err != nil {
			return fmt.Errorf("demo carbon %s: %w", m.Format("2006-01"), err)
		}
	}
	return nil
}

// seedAppraisals scores last year's and this year's managers; last year's
// grades in the demo town are confirmed by its association and published,
// so every role has a sheet to open.
func seedAppraisals(ctx context.Context, s *store.Store, users map[model.Role]*model.User) error {
	bureau := model.Actor{User: users[model.RoleAdmin]}
	assoc := model.Actor{User: users[model.RoleAssociation]}
	year := s.Now().In(model.ChinaTime).Year()
	for _, y := range []int{year - 1, year} {
		if _, err := s.ComputeAppraisals(ctx, bureau, y, 0); err != nil {
			return err
		}
	}
	l, err := s.Appraisals(ctx, assoc, store.AppraisalFilter{Year: year - 1, Status: model.AppraisalDraft})
	if err != nil {
		return err
	}
	for _, p := range l {
		if _, err := s.ConfirmAppraisal(ctx, assoc, p.ManagerID, year-1, model.AppraisalReview{Comment: "示例意见：已核对学时和自查记录。"}); err != nil {
			return err
		}
	}
	_, err = s.PublishAppraisals(ctx, bureau, year-1)
	return err
}
