package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

// Matching ranks in SQL and explains in Go: the database scores every
// candidate from its own row (the providers' fact lists and counters, a
// demand's pollutants, town and industry) and keeps the best few; those are
// then scored again by model.MatchDemand, the one rule, whose reasons the
// reader sees. The SQL below says the same as that rule, point for point
// (TestRankingAgreesWithTheRule checks them against each other).

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

// providerConstSQL is the part of a provider's score that does not depend
// on the demand: results, ratings and grade (alias p).
const providerConstSQL = `(CASE WHEN p.cases * 2 + p.deals_done * 3 > 15 THEN 15 ELSE p.cases * 2 + p.deals_done * 3 END)
	+ (CASE WHEN p.rating_count = 0 THEN 0
		WHEN (p.rating_sum * 10 / p.rating_count - 30) * 5 >= 0 THEN ((p.rating_sum * 10 / p.rating_count - 30) * 5 + 5) / 10
		ELSE -((5 - (p.rating_sum * 10 / p.rating_count - 30) * 5) / 10) END)
	+ (CASE p.grade WHEN 'green' THEN 10 WHEN 'blue' THEN 5 WHEN 'yellow' THEN -10 ELSE 0 END)`

// sharedPointsSQL scores the shared pollutants: col LIKE each of values,
// ten points each, two at most.
func sharedPointsSQL(col string, values []string) (string, []any) {
	if len(values) == 0 {
		return `0`, nil
	}
	var parts []string
	var args []any
	for _, v := range values {
		parts = append(parts, `CASE WHEN `+col+` LIKE ? THEN 1 ELSE 0 END`)
		args = append(args, "%,"+v+",%")
	}
	n := `(` + strings.Join(parts, ` + `) + `)`
	return `(CASE WHEN ` + n + ` >= 2 THEN 20 ELSE ` + n + ` * 10 END)`, append(args, args...)
}

// rankProviders is the SQL ranking of providers for a demand whose
// enterprise is in industry: the best limit ids, best first.
func (s *Store) rankProviders(ctx context.Context, d *model.Demand, industry string, limit int) ([]int64, error) {
	today := string(model.Today(s.Now()))
	pol, polArgs := sharedPointsSQL(`p.pollutants`, d.Pollutants)
	ind, indArgs := `0`, []any(nil)
	if industry != "" {
		var or []string
		for i := 1; i <= len(industry); i++ {
			or = append(or, `p.industries LIKE ?`)
			indArgs = append(indArgs, "%,"+industry[:i]+",%")
		}
		ind = `(CASE WHEN ` + strings.Join(or, ` OR `) + ` THEN 15 ELSE 0 END)`
	}
	town := `(CASE WHEN LENGTH(p.region_ids) <= 2 THEN 5 WHEN p.region_ids LIKE ? THEN 10 ELSE 0 END)`
	lic, licArgs := ``, []any(nil)
	licPoints := `0`
	if kind, needs := model.LicensedCategories[d.Category]; needs {
		lic = ` AND EXISTS (SELECT 1 FROM provider_licences l WHERE l.provider_id = p.id AND l.kind = ? AND l.valid_until >= ?)`
		licArgs = []any{kind, today}
		licPoints = `10`
	}
	q := `SELECT p.id, 30 + ` + pol + ` + ` + ind + ` + ` + town + ` + ` + licPoints + ` + ` + providerConstSQL + ` AS score
		FROM provider_facts f JOIN providers p ON p.id = f.provider_id
		WHERE f.kind = 'category' AND f.value = ? AND p.status = 'verified' AND p.grade <> 'red'` + lic
	args := append(append(append(append([]any{}, polArgs...), indArgs...), fmt.Sprintf("%%,%d,%%", d.RegionID)), d.Category)
	args = append(args, licArgs...)
	if d.OpenTo == "invited" {
		q += ` AND p.id IN (SELECT provider_id FROM demand_invites WHERE demand_id = ?)`
		args = append(args, d.ID)
	}
	rows, err := s.query(ctx, q+` ORDER BY score DESC, p.id LIMIT ?`, append(args, limit)...)
	return scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		var score int
		return id, r.Scan(&id, &score)
	})
}

// Matches ranks the providers for a demand, best first, each with every
// part of its score (model.MatchDemand): to the demand's enterprise and
// its reviewers.
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
	return s.matchesFor(ctx, d, industry, limit)
}

// matchesFor explains the SQL ranking's best with the rule.
func (s *Store) matchesFor(ctx context.Context, d *model.Demand, industry string, limit int) ([]model.Match, error) {
	ids, err := s.rankProviders(ctx, d, industry, limit)
	out := []model.Match{}
	if err != nil || len(ids) == 0 {
		return out, err
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.query(ctx, `SELECT `+matchColumns+` FROM providers p WHERE p.id IN (?`+strings.Repeat(`, ?`, len(ids)-1)+`)`, args...)
	ps, err := scanAll(rows, err, func(r *sql.Rows) (*model.Provider, error) { return scanMatchProvider(r) })
	if err != nil {
		return nil, err
	}
	today := model.Today(s.Now())
	for _, p := range ps {
		if m, ok := model.MatchDemand(d, industry, d.RegionID, p, today); ok {
			out = append(out, m)
		}
	}
	model.RankMatches(out)
	return out, nil
}

// AllMatches scores every provider of a demand's category with the rule
// alone, for the test that holds the SQL ranking to it.
func (s *Store) AllMatches(ctx context.Context, id int64) ([]model.Match, []model.Match, error) {
	d, err := scanDemand(s.queryRow(ctx, `SELECT `+demandColumns+` FROM demands d WHERE d.id = ?`, id))
	if err != nil {
		return nil, nil, err
	}
	var industry string
	if err := s.queryRow(ctx, `SELECT industry_code FROM enterprises WHERE id = ?`, d.EnterpriseID).Scan(&industry); err != nil {
		return nil, nil, err
	}
	rows, err := s.query(ctx, `SELECT `+matchColumns+` FROM providers p`)
	ps, err := scanAll(rows, err, func(r *sql.Rows) (*model.Provider, error) { return scanMatchProvider(r) })
	if err != nil {
		return nil, nil, err
	}
	today := model.Today(s.Now())
	all := []model.Match{}
	for _, p := range ps {
		if m, ok := model.MatchDemand(d, industry, d.RegionID, p, today); ok {
			all = append(all, m)
		}
	}
	model.RankMatches(all)
	ranked, err := s.matchesFor(ctx, d, industry, 20)
	return all, ranked, err
}

// DemandsFitting lists the open demands a provider may quote on, the best
// fits first, each with its score: the provider's market. The ranking runs
// in SQL over the open demands of its categories (each row alone: the
// demand keeps its enterprise's industry), the best are explained by the
// rule.
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
	var licensed []string // served categories that need (and have) a licence: ten points
	for _, c := range p.Categories {
		if p.Serves(c, today) {
			cats = append(cats, c)
			if _, needs := model.LicensedCategories[c]; needs {
				licensed = append(licensed, "'"+c+"'") // a fixed list of model values, not user text
			}
		}
	}
	lic := `0`
	if len(licensed) > 0 {
		lic = `(CASE WHEN d.category IN (` + strings.Join(licensed, `, `) + `) THEN 10 ELSE 0 END)`
	}
	out := []*model.Demand{}
	if len(cats) == 0 || p.Status != model.ProviderVerified || p.Grade == "red" {
		return out, nil
	}
	pol, polArgs := sharedPointsSQL(`d.pollutants`, p.Pollutants)
	ind, indArgs := `0`, []any(nil)
	if len(p.Industries) > 0 {
		var or []string
		for _, pre := range p.Industries {
			or = append(or, `d.industry LIKE ?`)
			indArgs = append(indArgs, pre+"%")
		}
		ind = `(CASE WHEN d.industry <> '' AND (` + strings.Join(or, ` OR `) + `) THEN 15 ELSE 0 END)`
	}
	town, townArgs := `5`, []any(nil)
	if len(p.RegionIDs) > 0 {
		town = `(CASE WHEN d.region_id IN (?` + strings.Repeat(`, ?`, len(p.RegionIDs)-1) + `) THEN 10 ELSE 0 END)`
		for _, t := range p.RegionIDs {
			townArgs = append(townArgs, t)
		}
	}
	var constant int
	if err := s.queryRow(ctx, `SELECT `+providerConstSQL+` FROM providers p WHERE p.id = ?`, pid).Scan(&constant); err != nil {
		return nil, err
	}
	args := append(append(append(append([]any{}, polArgs...), indArgs...), townArgs...), constant)
	args = append(append(args, cats...), ms(s.Now()), pid, limit)
	rows, err := s.query(ctx, `SELECT d.id, 30 + `+pol+` + `+ind+` + `+town+` + `+lic+` + ? AS score FROM demands d
		WHERE d.status = 'published' AND d.category IN (?`+strings.Repeat(`, ?`, len(cats)-1)+`) AND d.quote_deadline > ?
		AND (d.open_to = 'all' OR EXISTS (SELECT 1 FROM demand_invites i WHERE i.demand_id = d.id AND i.provider_id = ?))
		ORDER BY score DESC, d.id LIMIT ?`, args...)
	ids, err := scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		var score int
		return id, r.Scan(&id, &score)
	})
	if err != nil || len(ids) == 0 {
		return out, err
	}
	idArgs := make([]any, len(ids))
	for i, id := range ids {
		idArgs[i] = id
	}
	rows, err = s.query(ctx, `SELECT `+demandColumns+`, d.industry FROM demands d WHERE d.id IN (?`+strings.Repeat(`, ?`, len(ids)-1)+`)`, idArgs...)
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
	for _, m := range ms {
		d := byID[m.ProviderID]
		m.ProviderID, m.Name = pid, p.Name
		d.Fit = &m
		d.EnterpriseID, d.Quotes = 0, 0
		s.demandRights(ctx, a, d)
		out = append(out, d)
	}
	return out, nil
}

// AllFits scores every open demand for a provider with the rule alone (the
// demand's id in ProviderID), for the test that holds the SQL to it.
func (s *Store) AllFits(ctx context.Context, pid int64) ([]model.Match, error) {
	p, err := scanMatchProvider(s.queryRow(ctx, `SELECT `+matchColumns+` FROM providers p WHERE p.id = ?`, pid))
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT `+demandColumns+`, d.industry FROM demands d WHERE d.status = 'published' AND d.quote_deadline > ?`, ms(s.Now()))
	today := model.Today(s.Now())
	var out []model.Match
	_, err = scanAll(rows, err, func(r *sql.Rows) (struct{}, error) {
		var industry string
		d, err := scanDemand(r, &industry)
		if err != nil {
			return struct{}{}, err
		}
		if m, ok := model.MatchDemand(d, industry, d.RegionID, p, today); ok {
			m.ProviderID = d.ID
			out = append(out, m)
		}
		return struct{}{}, nil
	})
	model.RankMatches(out)
	return out, err
}
