package model

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Carbon accounting after GB/T 32150-2015: scope 1 is fuel combustion
// (activity × net calorific value × carbon content × oxidation × 44/12)
// plus the process emissions an enterprise declares; scope 2 is purchased
// minus exported electricity and heat, each times its factor.

// Factor kinds: a grid electricity factor, a heat factor, or a fuel's
// parameters.
const (
	FactorElectricity = "electricity"
	FactorHeat        = "heat"
	FactorFuel        = "fuel"
)

// FactorKinds lists the kinds of factors.
var FactorKinds = []string{FactorElectricity, FactorHeat, FactorFuel}

// Activity sources: the lines of a month's activity data.
const (
	SourceElectricityIn  = "electricity_in"
	SourceElectricityOut = "electricity_out"
	SourceHeatIn         = "heat_in"
	SourceHeatOut        = "heat_out"
	SourceFuel           = "fuel"
	SourceProcess        = "process"
)

// ActivitySources lists the sources in the order a report shows them.
var ActivitySources = []string{SourceFuel, SourceProcess, SourceElectricityIn, SourceElectricityOut, SourceHeatIn, SourceHeatOut}

// SourceKind is the factor kind a source needs ("" for declared process
// emissions, which carry their own tonnes).
func SourceKind(source string) string {
	switch source {
	case SourceElectricityIn, SourceElectricityOut:
		return FactorElectricity
	case SourceHeatIn, SourceHeatOut:
		return FactorHeat
	case SourceFuel:
		return FactorFuel
	}
	return ""
}

// SourceScope is 1 or 2.
func SourceScope(source string) int {
	if source == SourceFuel || source == SourceProcess {
		return 1
	}
	return 2
}

// Units of factors and of activity amounts. A factor's unit for
// electricity and heat is tonnes of CO2 per unit of energy; a fuel's is the
// unit its activity is counted in, which its calorific value is per.
const (
	UnitTPerMWh  = "tCO2/MWh"
	UnitKgPerKWh = "kgCO2/kWh" // the same number as tCO2/MWh
	UnitTPerGJ   = "tCO2/GJ"
	UnitTonne    = "t"
	UnitKg       = "kg"
	UnitWanNm3   = "万Nm3"
	UnitNm3      = "Nm3"
	UnitMWh      = "MWh"
	UnitKWh      = "kWh"
	UnitWanKWh   = "万kWh"
	UnitGJ       = "GJ"
	UnitTCO2     = "tCO2"
)

// FactorUnits lists the units a factor of each kind may have.
var FactorUnits = map[string][]string{
	FactorElectricity: {UnitTPerMWh, UnitKgPerKWh},
	FactorHeat:        {UnitTPerGJ},
	FactorFuel:        {UnitTonne, UnitWanNm3},
}

// activityUnits: for each factor unit (and "" for process lines), the
// units an amount may be given in and what one of them is in the
// factor's unit.
var activityUnits = map[string]map[string]float64{
	UnitTPerMWh:  {UnitMWh: 1, UnitKWh: 0.001, UnitWanKWh: 10},
	UnitKgPerKWh: {UnitMWh: 1, UnitKWh: 0.001, UnitWanKWh: 10},
	UnitTPerGJ:   {UnitGJ: 1},
	UnitTonne:    {UnitTonne: 1, UnitKg: 0.001},
	UnitWanNm3:   {UnitWanNm3: 1, UnitNm3: 0.0001},
	"":           {UnitTCO2: 1},
}

// UnitFactor is what one unit of an amount is in the factor's unit (0
// when the units do not go together).
func UnitFactor(factorUnit, unit string) float64 { return activityUnits[factorUnit][unit] }

// AmountUnits lists the units an amount may be given in against a factor
// of unit factorUnit ("" for process lines).
func AmountUnits(factorUnit string) []string {
	m := activityUnits[factorUnit]
	out := make([]string, 0, len(m))
	for u := range m {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return m[out[i]] > m[out[j]] || (m[out[i]] == m[out[j]] && out[i] < out[j]) })
	return out
}

// Factor is an emission factor or a fuel's parameters, with where it comes
// from. Its numbers never change once a report uses it: a correction is a
// new factor that supersedes it, and old reports keep the one they used.
type Factor struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Year   int    `json:"year"`
	Scope  string `json:"scope"`  // what the factor covers: 全国平均, 不含市场化交易的非化石能源 …
	Region string `json:"region"` // 全国, 华东 …
	// Electricity and heat: tonnes of CO2 per unit of energy.
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	// Fuels: net calorific value (GJ per unit), carbon content (tC/GJ),
	// oxidation rate (0–1).
	NCV           float64   `json:"ncv"`
	CarbonContent float64   `json:"carbon_content"`
	Oxidation     float64   `json:"oxidation"`
	Source        string    `json:"source"`       // the announcement or table
	AnnouncedOn   Date      `json:"announced_on"` // "" where not verified
	SupersededBy  *int64    `json:"superseded_by"`
	Uses          int       `json:"uses"` // activity lines that use it
	CreatedAt     time.Time `json:"created_at"`
}

// PerUnit is the tonnes of CO2 one unit of activity (in the factor's
// unit) emits.
func (f *Factor) PerUnit() float64 {
	if f.Kind == FactorFuel {
		return f.NCV * f.CarbonContent * f.Oxidation * 44 / 12
	}
	return f.Value
}

// Current reports whether reports may still choose the factor.
func (f *Factor) Current() bool { return f.SupersededBy == nil }

// SameNumbers reports whether g computes as f does.
func (f *Factor) SameNumbers(g *Factor) bool {
	return f.Kind == g.Kind && f.Unit == g.Unit && f.Value == g.Value && f.NCV == g.NCV &&
		f.CarbonContent == g.CarbonContent && f.Oxidation == g.Oxidation
}

// FactorInput is a factor as the bureau enters it.
type FactorInput struct {
	Kind          string  `json:"kind"`
	Name          string  `json:"name"`
	Year          int     `json:"year"`
	Scope         string  `json:"scope"`
	Region        string  `json:"region"`
	Value         float64 `json:"value"`
	Unit          string  `json:"unit"`
	NCV           float64 `json:"ncv"`
	CarbonContent float64 `json:"carbon_content"`
	Oxidation     float64 `json:"oxidation"`
	Source        string  `json:"source"`
	AnnouncedOn   Date    `json:"announced_on"`
}

// Validate checks a factor; bounds are wide (any published factor passes)
// but refuse a unit slip, such as kg entered as tonnes.
func (in *FactorInput) Validate(today Date) error {
	v := Validation{}
	in.Name, in.Scope, in.Region, in.Source = strings.TrimSpace(in.Name), strings.TrimSpace(in.Scope), strings.TrimSpace(in.Region), strings.TrimSpace(in.Source)
	if !slices.Contains(FactorKinds, in.Kind) {
		v.Add("kind", "err.field.choice")
	}
	textField(v, "name", in.Name, 1, 100)
	textField(v, "scope", in.Scope, 0, 50)
	textField(v, "region", in.Region, 0, 50)
	textField(v, "source", in.Source, 1, 300)
	thisYear, _ := strconv.Atoi(string(today)[:4])
	if in.Year < 1990 || in.Year > thisYear {
		v.Add("year", "err.carbon.year")
	}
	if in.AnnouncedOn != "" {
		if _, ok := ParseDate(string(in.AnnouncedOn)); !ok {
			v.Add("announced_on", "err.field.date")
		} else if in.AnnouncedOn > today {
			v.Add("announced_on", "err.carbon.announced_future")
		}
	}
	if in.Kind != "" && !slices.Contains(FactorUnits[in.Kind], in.Unit) {
		v.Add("unit", "err.carbon.unit")
	}
	between := func(field string, x, lo, hi float64) {
		if math.IsNaN(x) || x <= lo || x > hi {
			v.Add(field, "err.carbon.factor_range")
		}
	}
	switch in.Kind {
	case FactorElectricity:
		between("value", in.Value, 0, 2) // coal-only grids stay under 1.2
		in.NCV, in.CarbonContent, in.Oxidation = 0, 0, 0
	case FactorHeat:
		between("value", in.Value, 0, 1) // coal boilers ≈ 0.1–0.15
		in.NCV, in.CarbonContent, in.Oxidation = 0, 0, 0
	case FactorFuel:
		maxNCV := 100.0 // GJ/t: hydrogen ≈ 120 is no fossil fuel; coals 10–30, oils 40–50
		if in.Unit == UnitWanNm3 {
			maxNCV = 2000 // GJ/万Nm3: natural gas ≈ 390, coke-oven gas ≈ 170
		}
		between("ncv", in.NCV, 0, maxNCV)
		between("carbon_content", in.CarbonContent, 0, 0.05) // tC/GJ: coals ≈ 0.026–0.03
		between("oxidation", in.Oxidation, 0, 1)
		in.Value = 0
	}
	return v.Err()
}

// textField checks a trimmed text's length in characters.
func textField(v Validation, field, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	switch {
	case n < min:
		v.Add(field, "err.field.required")
	case n > max:
		v.Add(field, "err.field.too_long")
	}
}

// ActivityLine is one line of a month's activity: an amount of a source,
// counted against a factor (none for declared process emissions).
type ActivityLine struct {
	Source   string  `json:"source"`
	FactorID *int64  `json:"factor_id"`
	Amount   float64 `json:"amount"`
	Unit     string  `json:"unit"`
	Note     string  `json:"note"`
	// Computed when stored.
	TCO2    float64 `json:"t_co2"`
	Formula string  `json:"formula"`
}

// Activity is one enterprise's month: its lines and, when given, its
// output value (万元) for the intensity.
type Activity struct {
	EnterpriseID int64          `json:"enterprise_id"`
	Month        string         `json:"month"` // yyyy-mm
	OutputValue  *float64       `json:"output_value"`
	Lines        []ActivityLine `json:"lines"`
	Scope1       float64        `json:"scope1"`
	Scope2       float64        `json:"scope2"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// ActivityInput is a month's activity as the enterprise enters it.
// Confirm accepts amounts the check calls unusual.
type ActivityInput struct {
	OutputValue *float64       `json:"output_value"`
	Lines       []ActivityLine `json:"lines"`
	Confirm     bool           `json:"confirm"`
}

// MaxActivityLines bounds a month's lines.
const MaxActivityLines = 50

// ParseMonth checks a yyyy-mm month.
func ParseMonth(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01", s)
	return t, err == nil && len(s) == 7
}

// CheckMonth refuses a malformed month, one before 2000 and one after
// the current month (China time).
func CheckMonth(month string, now time.Time) error {
	t, ok := ParseMonth(month)
	if !ok || t.Year() < 2000 {
		return &Error{Code: ErrInvalid, Message: "err.invalid", Fields: map[string]string{"month": "err.carbon.month"}}
	}
	if month > now.In(ChinaTime).Format("2006-01") {
		return &Error{Code: ErrInvalid, Message: "err.invalid", Fields: map[string]string{"month": "err.carbon.future_month"}}
	}
	return nil
}

// Ceilings beyond which a month's amount is asked to be confirmed: each
// is well above the largest plants of a county (a 1 GW power plant burns
// about 200,000 t of coal a month).
var absurdAmounts = map[string]float64{
	UnitTPerMWh: 500_000, UnitKgPerKWh: 500_000, // MWh
	UnitTPerGJ: 5_000_000, // GJ
	UnitTonne:  1_000_000, UnitWanNm3: 50_000,
	"": 1_000_000, // tCO2 declared
}

// unusualRatio is how many times an enterprise's median month an amount
// may be before it is asked to be confirmed.
const unusualRatio = 10

// Check validates a month's lines against the factors they name
// (factors maps id to factor) and computes each line's tonnes and formula.
// history holds the enterprise's other months' amounts per source and
// factor unit (in the factor's unit), for the unusual-amount check, which
// asks for Confirm rather than refusing.
func (in *ActivityInput) Check(factors map[int64]*Factor, history map[string][]float64) error {
	v := Validation{}
	if len(in.Lines) > MaxActivityLines {
		v.Add("lines", "err.carbon.too_many_lines")
		return v.Err()
	}
	if in.OutputValue != nil && (math.IsNaN(*in.OutputValue) || *in.OutputValue < 0) {
		v.Add("output_value", "err.carbon.negative")
	} else if in.OutputValue != nil && *in.OutputValue > 10_000_000 && !in.Confirm {
		v.Add("output_value", "err.carbon.check_amount") // 1,000 亿元 a month
	}
	for i := range in.Lines {
		l := &in.Lines[i]
		f := func(name string) string { return fmt.Sprintf("lines.%d.%s", i, name) }
		l.Note, l.Unit = strings.TrimSpace(l.Note), strings.TrimSpace(l.Unit)
		if utf8.RuneCountInString(l.Note) > 100 {
			v.Add(f("note"), "err.field.too_long")
		}
		if !slices.Contains(ActivitySources, l.Source) {
			v.Add(f("source"), "err.field.choice")
			continue
		}
		if math.IsNaN(l.Amount) || math.IsInf(l.Amount, 0) || l.Amount <= 0 {
			v.Add(f("amount"), "err.carbon.negative")
			continue
		}
		factorUnit := ""
		var fa *Factor
		if kind := SourceKind(l.Source); kind != "" {
			if l.FactorID == nil || factors[*l.FactorID] == nil || factors[*l.FactorID].Kind != kind {
				v.Add(f("factor_id"), "err.carbon.factor")
				continue
			}
			fa = factors[*l.FactorID]
			factorUnit = fa.Unit
		} else {
			l.FactorID = nil
			if l.Note == "" {
				v.Add(f("note"), "err.carbon.process_note")
			}
		}
		per, ok := activityUnits[factorUnit][l.Unit]
		if !ok {
			v.Add(f("unit"), "err.carbon.unit_mismatch")
			continue
		}
		qty := l.Amount * per
		if !in.Confirm && (qty > absurdAmounts[factorUnit] || unusual(qty, history[l.Source+"|"+factorUnit])) {
			v.Add(f("amount"), "err.carbon.check_amount")
		}
		l.TCO2, l.Formula = LineEmissions(l.Source, l.Amount, l.Unit, per, fa)
	}
	if err := v.Err(); err != nil {
		e := err.(*Error)
		for _, k := range e.Fields {
			if k != "err.carbon.check_amount" {
				return e
			}
		}
		e.Message = "err.carbon.confirm"
		return e
	}
	return nil
}

// unusual reports whether qty is more than unusualRatio times the median
// of at least three earlier amounts.
func unusual(qty float64, earlier []float64) bool {
	if len(earlier) < 3 {
		return false
	}
	s := slices.Clone(earlier)
	slices.Sort(s)
	med := s[len(s)/2]
	return med > 0 && qty > med*unusualRatio
}

// LineEmissions computes a line's tonnes of CO2 (negative for exports)
// and the formula that shows how; per converts the amount's unit to the
// factor's.
func LineEmissions(source string, amount float64, unit string, per float64, f *Factor) (float64, string) {
	sign, signText := 1.0, ""
	if source == SourceElectricityOut || source == SourceHeatOut {
		sign, signText = -1, "−"
	}
	if f == nil {
		return amount, fmt.Sprintf("%s %s（申报）", num(amount), unit)
	}
	qty := amount * per
	t := sign * qty * f.PerUnit()
	conv := fmt.Sprintf("%s %s", num(amount), unit)
	if unit != f.Unit && per != 1 {
		conv = fmt.Sprintf("%s %s = %s %s", num(amount), unit, num(qty), baseUnit(f.Unit))
	}
	if f.Kind == FactorFuel {
		return t, fmt.Sprintf("%s%s × %s GJ/%s × %s tC/GJ × %s%% × 44/12 = %s tCO2", signText, conv, num(f.NCV), f.Unit,
			num(f.CarbonContent), num(f.Oxidation*100), num(t))
	}
	return t, fmt.Sprintf("%s%s × %s %s = %s tCO2", signText, conv, num(f.Value), f.Unit, num(t))
}

// baseUnit is the energy unit a factor is per.
func baseUnit(factorUnit string) string {
	switch factorUnit {
	case UnitTPerMWh, UnitKgPerKWh:
		return UnitMWh
	case UnitTPerGJ:
		return UnitGJ
	}
	return factorUnit
}

// num prints a number without trailing zeros, at most six significant
// decimals.
func num(x float64) string {
	return strconv.FormatFloat(Round(x, 6), 'f', -1, 64)
}

// Round rounds x to n decimals.
func Round(x float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(x*p) / p
}

// ScopeTotals sums a month's lines by scope.
func ScopeTotals(lines []ActivityLine) (scope1, scope2 float64) {
	for _, l := range lines {
		if SourceScope(l.Source) == 1 {
			scope1 += l.TCO2
		} else {
			scope2 += l.TCO2
		}
	}
	return Round(scope1, 6), Round(scope2, 6)
}

// EmissionLine is a year's emissions of one source against one factor.
type EmissionLine struct {
	Source   string  `json:"source"`
	Amount   float64 `json:"amount"`
	Unit     string  `json:"unit"`
	FactorID *int64  `json:"factor_id"`
	Factor   string  `json:"factor"` // the factor's name
	TCO2     float64 `json:"t_co2"`
	Formula  string  `json:"formula"`
	Current  bool    `json:"current"` // its factor has not been superseded
}

// MonthEmissions is one month's figures.
type MonthEmissions struct {
	Month       string   `json:"month"`
	Scope1      float64  `json:"scope1"`
	Scope2      float64  `json:"scope2"`
	OutputValue *float64 `json:"output_value"`
}

// Emissions is an enterprise's year: scope 1 and 2, its lines and months,
// the intensity where output values were given, and last year's totals.
type Emissions struct {
	EnterpriseID int64            `json:"enterprise_id"`
	Year         int              `json:"year"`
	Scope1       float64          `json:"scope1"`
	Scope2       float64          `json:"scope2"`
	Total        float64          `json:"total"`
	Lines        []EmissionLine   `json:"lines"`
	Months       []MonthEmissions `json:"months"`
	OutputValue  *float64         `json:"output_value"` // 万元, months that gave one
	Intensity    *float64         `json:"intensity"`    // tCO2 per 万元 over those months
	LastYear     *YearTotals      `json:"last_year"`
	Change       *float64         `json:"change"`   // total against last year, as a fraction
	Outdated     int              `json:"outdated"` // lines whose factor has been superseded
	// RecommendClasses: the year reaches CarbonClassThreshold, so the
	// course supermarket's carbon classes are recommended.
	RecommendClasses bool `json:"recommend_classes"`
}

// CarbonClassThreshold is the year's tonnes of CO2 from which an
// enterprise is recommended the carbon classes: about what 400 t of
// standard coal emits, where a manager starts to need the accounting.
const CarbonClassThreshold = 1000

// YearTotals is a year's two scopes.
type YearTotals struct {
	Year   int     `json:"year"`
	Scope1 float64 `json:"scope1"`
	Scope2 float64 `json:"scope2"`
	Total  float64 `json:"total"`
}

// YearLines sums a year's stored lines by source, factor and unit, with
// one formula over the sum (factors maps id to factor).
func YearLines(lines []ActivityLine, factors map[int64]*Factor) []EmissionLine {
	type key struct {
		source string
		factor int64
		unit   string
	}
	sums := map[key]*EmissionLine{}
	var order []key
	for _, l := range lines {
		k := key{l.Source, 0, l.Unit}
		if l.FactorID != nil {
			k.factor = *l.FactorID
		}
		s := sums[k]
		if s == nil {
			s = &EmissionLine{Source: l.Source, Unit: l.Unit, FactorID: l.FactorID, Current: true}
			sums[k] = s
			order = append(order, k)
		}
		s.Amount += l.Amount
		s.TCO2 += l.TCO2
	}
	out := make([]EmissionLine, 0, len(order))
	for _, k := range order {
		s := sums[k]
		s.Amount, s.TCO2 = Round(s.Amount, 6), Round(s.TCO2, 6)
		if f := factors[k.factor]; f != nil {
			s.Factor, s.Current = f.Name, f.Current()
			_, s.Formula = LineEmissions(s.Source, s.Amount, s.Unit, activityUnits[f.Unit][s.Unit], f)
		} else {
			_, s.Formula = LineEmissions(s.Source, s.Amount, s.Unit, 1, nil)
		}
		out = append(out, *s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return slices.Index(ActivitySources, out[i].Source) < slices.Index(ActivitySources, out[j].Source)
	})
	return out
}

// Finish fills a year's totals, intensity and change from its months and
// last year.
func (e *Emissions) Finish() {
	var s1, s2, out float64
	var outS float64
	given := false
	for _, m := range e.Months {
		s1 += m.Scope1
		s2 += m.Scope2
		if m.OutputValue != nil {
			given = true
			out += *m.OutputValue
			outS += m.Scope1 + m.Scope2
		}
	}
	e.Scope1, e.Scope2 = Round(s1, 3), Round(s2, 3)
	e.Total = Round(s1+s2, 3)
	if given {
		o := Round(out, 2)
		e.OutputValue = &o
		if out > 0 {
			in := Round(outS/out, 4)
			e.Intensity = &in
		}
	}
	if e.LastYear != nil && e.LastYear.Total != 0 {
		c := Round((e.Total-e.LastYear.Total)/math.Abs(e.LastYear.Total), 4)
		e.Change = &c
	}
	e.RecommendClasses = e.Total >= CarbonClassThreshold
	for _, l := range e.Lines {
		if !l.Current {
			e.Outdated++
		}
	}
}

// MayEnterActivity reports whether the actor keeps enterprise id's
// activity data: its own accounts only.
func (a Actor) MayEnterActivity(enterpriseID int64) bool {
	return a.Scope().EnterpriseID == enterpriseID && enterpriseID != 0
}

// Grouped prints x with n decimals and a comma every three digits.
func Grouped(x float64, n int) string {
	s := strconv.FormatFloat(math.Abs(Round(x, n)), 'f', n, 64)
	whole, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		whole, frac = s[:i], s[i:]
	}
	var b strings.Builder
	if x < 0 && Round(x, n) != 0 {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + frac
}
