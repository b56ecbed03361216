package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

// Matching scores with one rule, model.MatchDemand, whose reasons the
// reader sees. Ranking providers for a demand walks the category's
// providers by the part of their score no demand changes and stops early;
// ranking demands for a provider scores each open demand in SQL from its
// own row, saying the same as the rule point for point, and explains the
// best with the rule. TestRankingAgreesWithTheRule holds both to the rule
// scoring every candidate.

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

// rankPage is how many candidates matching reads at a time (a variable
// so that the test can make pages small and the early stop happen).
var rankPage = 2000

// rankProviders walks a category's providers best base first (an index
// range), scores each with model.QuickScore from its row's lists, and stops
// once no provider left could reach the ranking: its base plus every point
// the demand could give falls below the last ranked score. The best are
// then scored again, with their reasons, by model.MatchDemand. An
// invited-only demand scores its invited providers alone.
func (s *Store) rankProviders(ctx context.Context, d *model.Demand, industry string, limit int) ([]model.Match, error) {
	today := model.Today(s.Now())
	if d.OpenTo == "invited" {
		rows, err := s.query(ctx, `SELECT `+matchColumns+` FROM providers p WHERE p.id IN (SELECT provider_id FROM demand_invites WHERE demand_id = ?)`, d.ID)
		ps, err := scanAll(rows, err, func(r *sql.Rows) (*model.Provider, error) { return scanMatchProvider(r) })
		return s.explain(d, industry, ps, limit, today), err
	}
	kind, licensed := model.LicensedCategories[d.Category]
	type cand struct {
		id    int64
		score int
	}
	var top []cand // best first, at most limit
	better := func(a, b cand) bool { return a.score > b.score || a.score == b.score && a.id < b.id }
	lastRank, lastID := int64(1<<30), int64(1<<62)
	for {
		rows, err := s.query(ctx, `SELECT f.provider_id, f.rank_base, p.pollutants, p.industries, p.region_ids, p.licences
			FROM provider_facts f JOIN providers p ON p.id = f.provider_id
			WHERE f.kind = 'category' AND f.value = ? AND f.rank_base > ? AND (f.rank_base, f.provider_id) < (?, ?)
			ORDER BY f.rank_base DESC, f.provider_id DESC LIMIT ?`, d.Category, model.UnmatchedBase, lastRank, lastID, rankPage)
		if err != nil {
			return nil, err
		}
		n := 0
		for rows.Next() {
			var c cand
			var base int64
			var pols, inds, towns, lics string
			if err := rows.Scan(&c.id, &base, &pols, &inds, &towns, &lics); err != nil {
				rows.Close()
				return nil, err
			}
			n++
			lastRank, lastID = base, c.id
			valid := false
			if licensed {
				var ls []model.Licence
				if lics != "[]" {
					if err := json.Unmarshal([]byte(lics), &ls); err != nil {
						rows.Close()
						return nil, err
					}
				}
				for _, l := range ls {
					valid = valid || l.Kind == kind && l.ValidUntil >= today
				}
				if !valid {
					continue // it cannot take the category until it renews
				}
			}
			c.score = model.QuickScore(d, industry, d.RegionID, int(base), pols, inds, towns, valid)
			if len(top) < limit || better(c, top[len(top)-1]) {
				i, _ := slices.BinarySearchFunc(top, c, func(a, b cand) int {
					if better(a, b) {
						return -1
					}
					return 1
				})
				top = slices.Insert(top, i, c)
				if len(top) > limit {
					top = top[:limit]
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		// Everyone left has a base of lastRank or less.
		if n < rankPage || len(top) == limit && model.MaxScore(d, int(lastRank)) < top[len(top)-1].score {
			break
		}
	}
	if len(top) == 0 {
		return []model.Match{}, nil
	}
	args := make([]any, len(top))
	for i, c := range top {
		args[i] = c.id
	}
	rows, err := s.query(ctx, `SELECT `+matchColumns+` FROM providers p WHERE p.id IN (?`+strings.Repeat(`, ?`, len(top)-1)+`)`, args...)
	ps, err := scanAll(rows, err, func(r *sql.Rows) (*model.Provider, error) { return scanMatchProvider(r) })
	return s.explain(d, industry, ps, limit, today), err
}

// explain scores providers with the rule, reasons and all, best first.
func (s *Store) explain(d *model.Demand, industry string, ps []*model.Provider, limit int, today model.Date) []model.Match {
	out := []model.Match{}
	for _, p := range ps {
		if m, ok := model.MatchDemand(d, industry, d.RegionID, p, today); ok {
			out = append(out, m)
		}
	}
	model.RankMatches(out)
	return out[:min(len(out), limit)]
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

// matchesFor ranks the providers for a demand of an enterprise in industry.
func (s *Store) matchesFor(ctx context.Context, d *model.Demand, industry string, limit int) ([]model.Match, error) {
	return s.rankProviders(ctx, d, industry, limit)
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
	// Each candidate demand is scored from its row in the demands_fit
	// index, saying what model.MatchDemand says (held to it by
	// TestRankingAgreesWithTheRule): ten points a shared pollutant, two at
	// most; the industry when the demand's code starts with one of the
	// provider's prefixes; the town; the licence of a licensed category.
	var polParts []string
	var args []any
	for _, x := range p.Pollutants {
		polParts = append(polParts, `CASE WHEN `+s.dialect.hasText(`d.pollutants`)+` THEN 10 ELSE 0 END`)
		args = append(args, ","+x+",")
	}
	pol := `0`
	if len(polParts) > 0 {
		sum := `(` + strings.Join(polParts, ` + `) + `)`
		pol = `(CASE WHEN ` + sum + ` >= 20 THEN 20 ELSE ` + sum + ` END)`
		args = append(args, args...)
	}
	ind := `0`
	if len(p.Industries) > 0 {
		var or []string
		for _, pre := range p.Industries {
			or = append(or, fmt.Sprintf(`substr(d.industry, 1, %d) = ?`, len(pre)))
			args = append(args, pre)
		}
		ind = `(CASE WHEN ` + strings.Join(or, ` OR `) + ` THEN 15 ELSE 0 END)`
	}
	town := `5`
	if len(p.RegionIDs) > 0 {
		town = `(CASE WHEN d.region_id IN (?` + strings.Repeat(`, ?`, len(p.RegionIDs)-1) + `) THEN 10 ELSE 0 END)`
		for _, t := range p.RegionIDs {
			args = append(args, t)
		}
	}
	var constant int
	if err := s.queryRow(ctx, `SELECT `+providerConstSQL+` FROM providers p WHERE p.id = ?`, pid).Scan(&constant); err != nil {
		return nil, err
	}
	args = append(append(args, constant), cats...)
	args = append(args, ms(s.Now()), pid, limit)
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
