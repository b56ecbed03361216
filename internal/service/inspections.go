package service

import (
	"context"
	"io"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// StartInspection opens a draft inspection.
func (s *Service) StartInspection(ctx context.Context, a model.Actor, enterpriseID, checklistID int64, kind string) (*model.Inspection, error) {
	return s.Store.StartInspection(ctx, a, enterpriseID, checklistID, kind)
}

// Inspection returns an inspection with its items and answers.
func (s *Service) Inspection(ctx context.Context, a model.Actor, id int64) (*model.Inspection, error) {
	return s.Store.Inspection(ctx, a, id)
}

// Inspections lists an enterprise's inspections.
func (s *Service) Inspections(ctx context.Context, a model.Actor, enterpriseID int64) ([]*model.Inspection, error) {
	return s.Store.Inspections(ctx, a, enterpriseID)
}

// SaveAnswer saves one answer of a draft.
func (s *Service) SaveAnswer(ctx context.Context, a model.Actor, id int64, code string, in model.AnswerInput) (*model.Answer, error) {
	return s.Store.SaveAnswer(ctx, a, id, code, in)
}

// AddInspectionPhoto checks an uploaded photo (an image by its content,
// within the size limit, re-encoded so no location or other metadata is
// kept) and attaches it to a draft inspection.
func (s *Service) AddInspectionPhoto(ctx context.Context, a model.Actor, id int64, name string, r io.Reader) (int64, error) {
	if err := s.Store.InspectionPhotoCheck(ctx, a, id); err != nil {
		return 0, err
	}
	f, err := s.Files.Put(ctx, files.Photo, name, r)
	if err != nil {
		return 0, err
	}
	var taken *int64
	if f.TakenAt != nil {
		t := f.TakenAt.UnixMilli()
		taken = &t
	}
	return s.Store.AddInspectionPhoto(ctx, a, id, f.Hash, taken)
}

// SubmitInspection scores a draft and opens its tasks.
func (s *Service) SubmitInspection(ctx context.Context, a model.Actor, id int64) (*model.Inspection, error) {
	return s.Store.SubmitInspection(ctx, a, id)
}

// BindingChecklists lists the published checklists the actor may see that
// bind the enterprise: what it may be inspected against.
func (s *Service) BindingChecklists(ctx context.Context, a model.Actor, e *model.Enterprise) ([]*model.Checklist, error) {
	cs, err := s.Store.Checklists(ctx, a, false)
	if err != nil {
		return nil, err
	}
	var out []*model.Checklist
	for _, c := range cs {
		if c.Status == model.ChecklistPublished && c.Binds(e) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Compliance computes an enterprise's colour with its deductions.
func (s *Service) Compliance(ctx context.Context, a model.Actor, enterpriseID int64) (*model.Compliance, error) {
	return s.Store.Compliance(ctx, a, enterpriseID)
}

// Obligations lists an enterprise's compliance calendar.
func (s *Service) Obligations(ctx context.Context, a model.Actor, enterpriseID int64) ([]model.Obligation, error) {
	return s.Store.Obligations(ctx, a, enterpriseID)
}

// ObligationFacts reads what the calendar is derived from.
func (s *Service) ObligationFacts(ctx context.Context, a model.Actor, enterpriseID int64) (model.ObligationFacts, error) {
	return s.Store.ObligationFacts(ctx, a, enterpriseID)
}

// SetObligationFacts changes what the calendar is derived from.
func (s *Service) SetObligationFacts(ctx context.Context, a model.Actor, enterpriseID int64, f model.ObligationFacts) (model.ObligationFacts, error) {
	return s.Store.SetObligationFacts(ctx, a, enterpriseID, f)
}

// MarkObligationDone records an obligation as done.
func (s *Service) MarkObligationDone(ctx context.Context, a model.Actor, id int64, ref string) (*model.Obligation, error) {
	return s.Store.MarkObligationDone(ctx, a, id, ref)
}

// Points lists an enterprise's inspection points.
func (s *Service) Points(ctx context.Context, a model.Actor, enterpriseID int64) ([]*model.InspectionPoint, error) {
	return s.Store.Points(ctx, a, enterpriseID)
}

// Point returns an inspection point in scope.
func (s *Service) Point(ctx context.Context, a model.Actor, id int64) (*model.InspectionPoint, error) {
	return s.Store.Point(ctx, a, id)
}

// CreatePoint registers an inspection point.
func (s *Service) CreatePoint(ctx context.Context, a model.Actor, enterpriseID int64, p model.InspectionPoint) (*model.InspectionPoint, error) {
	return s.Store.CreatePoint(ctx, a, enterpriseID, p)
}

// OpenDraft continues or starts the enterprise's self-inspection, for a
// scanned point's label.
func (s *Service) OpenDraft(ctx context.Context, a model.Actor, enterpriseID int64) (*model.Inspection, error) {
	if !a.MayRunInspection(model.InspectionSelf) {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	return s.Store.OpenDraft(ctx, a, enterpriseID)
}

// Schedules lists an enterprise's inspection schedules with their periods.
func (s *Service) Schedules(ctx context.Context, a model.Actor, enterpriseID int64) ([]*model.Schedule, error) {
	return s.Store.Schedules(ctx, a, enterpriseID)
}

// SetSchedule sets a schedule's frequency by hand ("" derives it again).
func (s *Service) SetSchedule(ctx context.Context, a model.Actor, id int64, freq string) (*model.Schedule, error) {
	return s.Store.SetSchedule(ctx, a, id, freq)
}

// Occurrences lists scheduled inspections due, done or missed.
func (s *Service) Occurrences(ctx context.Context, a model.Actor, f store.OccurrenceFilter) ([]model.Occurrence, error) {
	return s.Store.Occurrences(ctx, a, f)
}

// InspectionSettings reads the bureau's self-inspection settings.
func (s *Service) InspectionSettings(ctx context.Context) (model.InspectionSettings, error) {
	return s.Store.InspectionSettings(ctx, nil)
}

// SetInspectionSettings changes them (the bureau).
func (s *Service) SetInspectionSettings(ctx context.Context, a model.Actor, v model.InspectionSettings) error {
	return s.Store.SetInspectionSettings(ctx, a, v)
}

// NewDutyFeed makes a new address for an enterprise's calendar feed.
func (s *Service) NewDutyFeed(ctx context.Context, a model.Actor, enterpriseID int64) (string, error) {
	return s.Store.NewDutyFeed(ctx, a, enterpriseID)
}

// HasDutyFeed tells whether an enterprise's calendar feed is on.
func (s *Service) HasDutyFeed(ctx context.Context, a model.Actor, enterpriseID int64) (bool, error) {
	return s.Store.HasDutyFeed(ctx, a, enterpriseID)
}

// EndDutyFeed turns an enterprise's calendar feed off.
func (s *Service) EndDutyFeed(ctx context.Context, a model.Actor, enterpriseID int64) error {
	return s.Store.EndDutyFeed(ctx, a, enterpriseID)
}

// ReviseInspection starts the correction of a submitted inspection.
func (s *Service) ReviseInspection(ctx context.Context, a model.Actor, id int64, reason string) (*model.Inspection, error) {
	return s.Store.ReviseInspection(ctx, a, id, reason)
}

// SpotPlan reads a month's spot-check plan with suggestions.
func (s *Service) SpotPlan(ctx context.Context, a model.Actor, month string, regionID int64) (*model.SpotPlan, error) {
	return s.Store.SpotPlan(ctx, a, month, regionID)
}

// PlanSpotCheck adds an enterprise to a month's plan.
func (s *Service) PlanSpotCheck(ctx context.Context, a model.Actor, enterpriseID int64, month string) (*model.SpotPlanItem, error) {
	return s.Store.PlanSpotCheck(ctx, a, enterpriseID, month)
}

// UnplanSpotCheck takes an entry off a plan.
func (s *Service) UnplanSpotCheck(ctx context.Context, a model.Actor, id int64) error {
	return s.Store.UnplanSpotCheck(ctx, a, id)
}
