package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/envhome/envhome/internal/model"
)

// matchColumns are what scoring reads of a provider: not its description.
const matchColumns = `p.id, p.name, p.pollutants, p.industries, p.region_ids, p.licences, p.status, p.grade, p.rating_sum, p.rating_count,
	p.deals_done, p.cases, p.categories`

func scanMatchProvider(r rowScanner) (*model.Provider, error) {
	p := &model.Provider{}
	var pols, inds, towns, lics, cats string
	var sum int
	if err := r.Scan(&p.ID, &p.Name, &pols, &inds, &towns, &lics, &p.Status, &p.Grade, &sum, &p.Ratings, &p.DealsDone, &p.Cases, &cats); err != nil {
		return nil, err
	}
	p.Pollutants, p.Industries, p.RegionIDs, p.Categories = splitLists(pols), splitLists(inds), parseIDs(towns), splitLists(cats)
	if p.Ratings > 0 {
		p.Rating = float64(sum*10/p.Ratings) / 10
	}
	if lics != "[]" {
		if err := json.Unmarshal([]byte(lics), &p.Licences); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Matches ranks the providers for a demand, best first, each with every
// part of its score (model.MatchDemand): to the demand's enterprise and
// its reviewers. Candidates come from the category's index rows.
func (s *Store) Matches(ctx context.Context, a model.Actor, id int64, limit int) ([]model.Match, error) {
	d, err := s.Demand(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !ownsDemand(a, d) && !reviewsDemand(a, d) {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	var industry string
	if err := s.queryRow(ctx, `SELECT industry_code FROM enterprises WHERE id = ?`, d.EnterpriseID).Scan(&industry); err != nil {
		return nil, err
	}
	q := `SELECT ` + matchColumns + ` FROM provider_facts f JOIN providers p ON p.id = f.provider_id
		WHERE f.kind = 'category' AND f.value = ? AND p.status = 'verified' AND p.grade <> 'red'`
	args := []any{d.Category}
	if d.OpenTo == "invited" {
		q += ` AND p.id IN (SELECT provider_id FROM demand_invites WHERE demand_id = ?)`
		args = append(args, id)
	}
	today := model.Today(s.Now())
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.Match{}
	for rows.Next() {
		p, err := scanMatchProvider(rows)
		if err != nil {
			return nil, err
		}
		if m, ok := model.MatchDemand(d, industry, d.RegionID, p, today); ok {
			out = append(out, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	model.RankMatches(out)
	return out[:min(len(out), limit)], nil
}

// DemandsFitting lists the open demands a provider may quote on, the best
// fits first, each with its score: the provider's market.
func (s *Store) DemandsFitting(ctx context.Context, a model.Actor, limit int) ([]*model.Demand, error) {
	pid := a.ProviderOf()
	if pid == 0 {
		return nil, model.Errorf(model.ErrForbidden, "err.market.provider_only")
	}
	p, err := s.Provider(ctx, a, pid)
	if err != nil {
		return nil, err
	}
	today := model.Today(s.Now())
	var cats []any
	marks := ""
	for _, c := range p.Categories {
		if p.Serves(c, today) {
			cats = append(cats, c)
			if marks != "" {
				marks += ", "
			}
			marks += "?"
		}
	}
	out := []*model.Demand{}
	if len(cats) == 0 || p.Status != model.ProviderVerified {
		return out, nil
	}
	args := append(append([]any{}, cats...), ms(s.Now()), pid)
	rows, err := s.query(ctx, `SELECT `+demandColumns+`, e.industry_code FROM demands d JOIN enterprises e ON e.id = d.enterprise_id
		WHERE d.status = 'published' AND d.category IN (`+marks+`) AND d.quote_deadline > ?
		AND (d.open_to = 'all' OR EXISTS (SELECT 1 FROM demand_invites i WHERE i.demand_id = d.id AND i.provider_id = ?))`, args...)
	type scored struct {
		d *model.Demand
		m model.Match
	}
	var list []scored
	_, err = scanAll(rows, err, func(r *sql.Rows) (struct{}, error) {
		var industry string
		d, err := scanDemand(r, &industry)
		if err != nil {
			return struct{}{}, err
		}
		if d.OpenTo == "invited" {
			d.Invited = []int64{pid} // the query kept it because it is invited
		}
		if m, ok := model.MatchDemand(d, industry, d.RegionID, p, today); ok {
			list = append(list, scored{d, m})
		}
		return struct{}{}, nil
	})
	if err != nil {
		return nil, err
	}
	ms := make([]model.Match, len(list))
	byID := map[int64]*model.Demand{}
	for i, x := range list {
		ms[i] = x.m
		ms[i].ProviderID = x.d.ID // rank the demands by the same rule
		byID[x.d.ID] = x.d
	}
	model.RankMatches(ms)
	for _, m := range ms[:min(len(ms), limit)] {
		d := byID[m.ProviderID]
		m.ProviderID, m.Name = pid, p.Name
		d.Fit = &m
		d.EnterpriseID, d.Quotes = 0, 0
		s.demandRights(ctx, a, d)
		out = append(out, d)
	}
	return out, nil
}
