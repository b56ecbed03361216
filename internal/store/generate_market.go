package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/envhome/envhome/internal/model"
)

// weighted picks from values by weight.
type weighted struct {
	values  []string
	weights []int
	total   int
}

func newWeighted(pairs ...any) weighted {
	var w weighted
	for i := 0; i < len(pairs); i += 2 {
		w.values = append(w.values, pairs[i].(string))
		w.weights = append(w.weights, pairs[i+1].(int))
		w.total += pairs[i+1].(int)
	}
	return w
}

func (w weighted) pick(r *rand.Rand) string {
	x := r.IntN(w.total)
	for i, n := range w.weights {
		if x < n {
			return w.values[i]
		}
		x -= n
	}
	return w.values[0]
}

// The market's shape in the generated data: most needs are waste gas and
// wastewater, few are soil or noise.
var (
	genCategories = newWeighted("waste_gas", 35, "wastewater", 30, "solid_waste", 15, "monitoring", 8, "consulting", 5, "noise", 3, "soil", 2, "other", 2)
	genPollutants = map[string][]string{"waste_gas": {"vocs", "particulates", "odour", "nox", "so2"}, "wastewater": {"cod", "ammonia", "nitrogen", "phosphorus", "heavy_metals"},
		"solid_waste": {"hazardous_waste", "solid_waste"}, "noise": {"noise"}}
	genIndustries = []string{"C17", "C19", "C26", "C29", "C33", "C34", "C38", "C39", "C22", "C27"}
	genGrades     = newWeighted("", 60, "green", 20, "blue", 10, "yellow", 7, "red", 3)
)

// genCode makes the i-th generated organisation code body of a prefix.
func genCode(prefix string, i int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	b := []byte(prefix + "000000")
	for k := len(b) - 1; k >= len(prefix); k-- {
		b[k] = alphabet[i%31]
		i /= 31
	}
	return string(b)
}

// GenerateProviders writes n verified (mostly) providers with their facts
// and licences, for the matching benchmark: the same seed gives the same
// market. Codes start after those already generated.
func (s *Store) GenerateProviders(ctx context.Context, n int, towns []int64, seed uint64) (int, error) {
	var start int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM providers WHERE name LIKE '生成服务商%'`).Scan(&start); err != nil {
		return 0, err
	}
	r := rand.New(rand.NewPCG(seed, 0x6d61726b6574))
	today := model.Today(s.Now())
	const per = 500
	for done := 0; done < n; done += per {
		k := min(per, n-done)
		err := s.write(ctx, func(tx *Tx) error {
			now := ms(s.Now())
			var pArgs []any
			type factRow struct {
				kind, value string
				rank        int
			}
			facts := map[string][]factRow{} // by credit code, until the ids are known
			licences := map[string][]model.Licence{}
			for i := 0; i < k; i++ {
				seq := start + done + i
				uscc, _ := model.BuildUSCC("91330481", genCode("MG", seq))
				cats := []string{genCategories.pick(r)}
				for j := r.IntN(3); j > 0; j-- {
					if c := genCategories.pick(r); !slices.Contains(cats, c) {
						cats = append(cats, c)
					}
				}
				var pols, inds []string
				for _, c := range cats {
					for _, p := range genPollutants[c] {
						if r.IntN(2) == 0 && !slices.Contains(pols, p) {
							pols = append(pols, p)
						}
					}
				}
				for j := r.IntN(3); j > 0; j-- {
					if x := genIndustries[r.IntN(len(genIndustries))]; !slices.Contains(inds, x) {
						inds = append(inds, x)
					}
				}
				var serve []int64
				if r.IntN(2) == 0 {
					for j := 1 + r.IntN(3); j > 0; j-- {
						serve = append(serve, towns[r.IntN(len(towns))])
					}
				}
				lics := []model.Licence{}
				for _, c := range cats {
					if kind, ok := model.LicensedCategories[c]; ok {
						until := today.AddDays(r.IntN(1000) - 100) // one in ten lapsed
						lics = append(lics, model.Licence{Kind: kind, Number: fmt.Sprintf("GEN-%d-%s", seq, kind[:3]), ValidUntil: until})
					}
				}
				lj, _ := json.Marshal(lics)
				licences[uscc] = lics
				in := model.ProviderInput{Categories: model.Choices(cats, model.ServiceCategories), Pollutants: model.Choices(pols, model.Pollutants),
					Industries: inds, RegionIDs: serve}
				ratings := r.IntN(20)
				sum := 0
				for j := 0; j < ratings; j++ {
					sum += 2 + r.IntN(4)
				}
				grade := genGrades.pick(r)
				var rp float64
				if ratings > 0 {
					rp = float64(sum*10/ratings) / 10
				}
				cases, deals := r.IntN(4), r.IntN(10)
				base := model.ProviderBase(&model.Provider{Status: model.ProviderVerified, Grade: grade, Ratings: ratings, Rating: rp, Cases: cases,
					DealsDone: deals, ProviderInput: model.ProviderInput{RegionIDs: serve}})
				pArgs = append(pArgs, uscc, fmt.Sprintf("生成服务商%06d", seq), joinLists(in.Categories), joinLists(in.Pollutants), joinLists(inds),
					joinIDs(serve), string(lj), "联系人", "13800000000", model.ProviderVerified, now, grade, sum, ratings, deals, cases,
					0, now, now)
				add := func(kind string, values []string) {
					for _, v := range values {
						rank := model.UnmatchedBase
						if kind == "category" {
							rank = base
						}
						facts[uscc] = append(facts[uscc], factRow{kind, v, rank})
					}
				}
				add("category", in.Categories)
				add("pollutant", in.Pollutants)
				add("industry", inds)
				ts := make([]string, 0, len(serve))
				for _, t := range serve {
					if s := strconv.FormatInt(t, 10); !slices.Contains(ts, s) {
						ts = append(ts, s)
					}
				}
				add("town", ts)
			}
			rows, err := tx.Query(ctx, `INSERT INTO providers (uscc, name, categories, pollutants, industries, region_ids, licences, contact_name,
				contact_phone, status, verified_at, grade, rating_sum, rating_count, deals_done, cases, created_by, created_at, updated_at)
				VALUES `+placeholders(k, 19)+` RETURNING id, uscc`, pArgs...)
			if err != nil {
				return fmt.Errorf("generate providers: %w", err)
			}
			var fArgs, lArgs []any
			for rows.Next() {
				var id int64
				var uscc string
				if err := rows.Scan(&id, &uscc); err != nil {
					rows.Close()
					return err
				}
				for _, f := range facts[uscc] {
					fArgs = append(fArgs, id, f.kind, f.value, f.rank)
				}
				for n, l := range licences[uscc] {
					lArgs = append(lArgs, id, n+1, l.Kind, l.Number, string(l.ValidUntil))
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(lArgs) > 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO provider_licences (provider_id, n, kind, number, valid_until) VALUES `+
					placeholders(len(lArgs)/5, 5), lArgs...); err != nil {
					return fmt.Errorf("generate licences: %w", err)
				}
			}
			for i := 0; i < len(fArgs); i += 4 * 3000 {
				part := fArgs[i:min(len(fArgs), i+4*3000)]
				if _, err := tx.Exec(ctx, `INSERT INTO provider_facts (provider_id, kind, value, rank_base) VALUES `+placeholders(len(part)/4, 4)+
					` ON CONFLICT DO NOTHING`, part...); err != nil {
					return fmt.Errorf("generate provider facts: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
	}
	return n, s.Analyze(ctx)
}

// GenerateDemands writes n published demands, open to all until deadline
// hours from now, of the generated enterprises, for the provider's market
// benchmark.
func (s *Store) GenerateDemands(ctx context.Context, n int, hours int, seed uint64) (int, error) {
	rows, err := s.query(ctx, `SELECT id, region_id, industry_code FROM enterprises ORDER BY id LIMIT 20000`)
	type ent struct {
		id, region int64
		industry   string
	}
	ents, err := scanAll(rows, err, func(r *sql.Rows) (ent, error) {
		var e ent
		return e, r.Scan(&e.id, &e.region, &e.industry)
	})
	if err != nil {
		return 0, err
	}
	if len(ents) == 0 {
		return 0, fmt.Errorf("generate demands: no enterprises")
	}
	r := rand.New(rand.NewPCG(seed, 0x64656d616e64))
	deadline := ms(s.Now()) + int64(hours)*3_600_000
	const per = 500
	for done := 0; done < n; done += per {
		k := min(per, n-done)
		err := s.write(ctx, func(tx *Tx) error {
			now := ms(s.Now())
			var args []any
			for i := 0; i < k; i++ {
				e := ents[r.IntN(len(ents))]
				c := genCategories.pick(r)
				var pols []string
				for _, p := range genPollutants[c] {
					if r.IntN(3) == 0 {
						pols = append(pols, p)
					}
				}
				args = append(args, e.id, e.region, e.industry, fmt.Sprintf("生成需求%06d", done+i), c, joinLists(model.Choices(pols, model.Pollutants)),
					"生成的需求", "[]", deadline, "all", model.DemandPublished, now, 0, now, now)
			}
			var before int64
			if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM demands`).Scan(&before); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO demands (enterprise_id, region_id, industry, title, category, pollutants, description, targets,
				quote_deadline, open_to, status, published_at, created_by, created_at, updated_at) VALUES `+placeholders(k, 15), args...); err != nil {
				return err
			}
			return tx.touchNewAbove(ctx, byDemand, before)
		})
		if err != nil {
			return done, err
		}
	}
	return n, s.Analyze(ctx)
}

// GenerateProviderAccounts gives each provider an account of its own (a
// benchmark's quoters; the password hash "!" matches no password) and
// returns the accounts' ids in the providers' order.
func (s *Store) GenerateProviderAccounts(ctx context.Context, providers []int64) ([]int64, error) {
	err := s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		for i := 0; i < len(providers); i += 500 {
			part := providers[i:min(len(providers), i+500)]
			args := make([]any, 0, len(part)*7)
			for _, p := range part {
				args = append(args, fmt.Sprintf("genp-%d", p), "provider", p, "!", now, now, "生成服务商账户")
			}
			if _, err := tx.Exec(ctx, `INSERT INTO users (username, role, provider_id, password_hash, created_at, updated_at, display_name)
				VALUES `+placeholders(len(part), 7)+` ON CONFLICT (username) DO NOTHING`, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(providers))
	for i, p := range providers {
		if err := s.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, fmt.Sprintf("genp-%d", p)).Scan(&out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FirstEnterpriseID is the lowest enterprise id (a benchmark's poster).
func (s *Store) FirstEnterpriseID(ctx context.Context) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT MIN(id) FROM enterprises`).Scan(&id)
	return id, err
}

// ProvidersServing lists up to n verified providers listing category, and
// CategoryProviders counts them all.
func (s *Store) ProvidersServing(ctx context.Context, category string, n int) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT f.provider_id FROM provider_facts f JOIN providers p ON p.id = f.provider_id
		WHERE f.kind = 'category' AND f.value = ? AND p.status = 'verified' AND p.grade <> 'red' ORDER BY f.provider_id LIMIT ?`, category, n)
	return scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// CategoryProviders counts the providers listing a category.
func (s *Store) CategoryProviders(ctx context.Context, category string) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM provider_facts WHERE kind = 'category' AND value = ?`, category).Scan(&n)
	return n, err
}

// ProviderServingBoth finds a verified provider listing both categories.
func (s *Store) ProviderServingBoth(ctx context.Context, a, b string) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT MIN(x.provider_id) FROM provider_facts x JOIN provider_facts y ON y.provider_id = x.provider_id
		AND y.kind = 'category' AND y.value = ? JOIN providers p ON p.id = x.provider_id
		WHERE x.kind = 'category' AND x.value = ? AND p.status = 'verified'`, b, a).Scan(&id)
	return id, err
}

// QuoteRecount counts the stored quotes, and the (demand, provider) pairs
// that hold more than one.
func (s *Store) QuoteRecount(ctx context.Context) (quotes, doubled int, err error) {
	err = s.queryRow(ctx, `SELECT COUNT(*), COUNT(*) - (SELECT COUNT(*) FROM (SELECT DISTINCT demand_id, provider_id FROM quotes) x) FROM quotes`).
		Scan(&quotes, &doubled)
	return
}
