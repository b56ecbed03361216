package sheets

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/envhome/envhome/internal/model"
)

// The carbon workbook follows the sheets bureaus hand out: a summary
// sheet (the enterprise, the year, then scope 1 and 2 by month with the
// output value) and an activity sheet, one row per line with its factor,
// formula and tonnes. Import reads the activity sheet's month, source,
// amount, unit, factor number and note, and the summary's output values;
// the computed columns are written for reading and ignored on the way in.

// Sheet names and the activity sheet's headers.
const (
	CarbonSummarySheet  = "排放汇总"
	CarbonActivitySheet = "活动数据"
)

var carbonHeaders = []string{"月份", "排放源类别", "活动数据", "单位", "排放因子编号", "排放因子", "计算式", "排放量(tCO2)", "说明"}

// SourceNames are the Chinese names of activity sources on the sheets.
var SourceNames = map[string]string{
	model.SourceFuel: "化石燃料燃烧", model.SourceProcess: "过程排放", model.SourceElectricityIn: "外购电力",
	model.SourceElectricityOut: "输出电力", model.SourceHeatIn: "外购热力", model.SourceHeatOut: "输出热力",
}

// sourceLabels: what people write for each source.
var sourceLabels = map[string]string{
	"化石燃料燃烧": model.SourceFuel, "燃料燃烧": model.SourceFuel, "化石燃料": model.SourceFuel,
	"过程排放": model.SourceProcess, "工业生产过程": model.SourceProcess,
	"外购电力": model.SourceElectricityIn, "购入电力": model.SourceElectricityIn, "外购电": model.SourceElectricityIn,
	"输出电力": model.SourceElectricityOut, "外供电力": model.SourceElectricityOut, "输出电": model.SourceElectricityOut,
	"外购热力": model.SourceHeatIn, "购入热力": model.SourceHeatIn,
	"输出热力": model.SourceHeatOut, "外供热力": model.SourceHeatOut,
}

// CarbonBook is what the workbook shows: the enterprise, the year, and
// each month's activity with its computed lines.
type CarbonBook struct {
	Enterprise string
	USCC       string
	Year       int
	Months     []*model.Activity
	Factors    map[int64]*model.Factor
}

// WriteCarbon writes the workbook.
func WriteCarbon(w io.Writer, b CarbonBook) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", CarbonSummarySheet); err != nil {
		return err
	}
	set := func(sheet string, row int, vals ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return f.SetSheetRow(sheet, cell, &vals)
	}
	if err := set(CarbonSummarySheet, 1, "企业名称", b.Enterprise); err != nil {
		return err
	}
	set(CarbonSummarySheet, 2, "统一社会信用代码", b.USCC)
	set(CarbonSummarySheet, 3, "核算年度", b.Year)
	set(CarbonSummarySheet, 4, "核算依据", "GB/T 32150-2015；燃料燃烧排放 = 活动数据 × 低位发热量 × 单位热值含碳量 × 碳氧化率 × 44/12")
	set(CarbonSummarySheet, 6, "月份", "产值(万元)", "范围一(tCO2)", "范围二(tCO2)", "合计(tCO2)")
	row := 7
	var s1, s2 float64
	for _, m := range b.Months {
		var out any = ""
		if m.OutputValue != nil {
			out = *m.OutputValue
		}
		set(CarbonSummarySheet, row, m.Month, out, model.Round(m.Scope1, 3), model.Round(m.Scope2, 3), model.Round(m.Scope1+m.Scope2, 3))
		s1 += m.Scope1
		s2 += m.Scope2
		row++
	}
	set(CarbonSummarySheet, row, "全年", "", model.Round(s1, 3), model.Round(s2, 3), model.Round(s1+s2, 3))
	f.SetColWidth(CarbonSummarySheet, "A", "A", 18)
	f.SetColWidth(CarbonSummarySheet, "B", "E", 14)

	if _, err := f.NewSheet(CarbonActivitySheet); err != nil {
		return err
	}
	heads := make([]any, len(carbonHeaders))
	for i, h := range carbonHeaders {
		heads[i] = h
	}
	set(CarbonActivitySheet, 1, heads...)
	row = 2
	for _, m := range b.Months {
		for _, l := range m.Lines {
			var fid, fname any = "", ""
			if l.FactorID != nil {
				fid = *l.FactorID
				if fa := b.Factors[*l.FactorID]; fa != nil {
					fname = fa.Name
				}
			}
			set(CarbonActivitySheet, row, m.Month, SourceNames[l.Source], l.Amount, l.Unit, fid, fname, l.Formula, model.Round(l.TCO2, 4), l.Note)
			row++
		}
	}
	f.SetColWidth(CarbonActivitySheet, "A", "B", 12)
	f.SetColWidth(CarbonActivitySheet, "F", "G", 40)
	return f.Write(w)
}

// CarbonImport is what a workbook holds: each month's input, in the order
// the months first appear.
type CarbonImport struct {
	Months []string
	Inputs map[string]*model.ActivityInput
	// Rows maps "month/line index" to the activity sheet's row, for
	// reporting a line's problem where the user can find it.
	Rows map[string]int
}

// ReadCarbon reads a carbon workbook. A workbook without the activity
// sheet or its columns is refused as a whole; a bad cell is reported by
// its row.
func ReadCarbon(data []byte) (*CarbonImport, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, model.Errorf(model.ErrInvalid, "err.carbon.not_workbook")
	}
	defer f.Close()
	rows, err := f.GetRows(CarbonActivitySheet)
	if err != nil {
		return nil, model.Errorf(model.ErrInvalid, "err.carbon.layout", CarbonActivitySheet, strings.Join(carbonHeaders[:5], "、"))
	}
	col := map[string]int{}
	headerRow := -1
	for i := 0; i < len(rows) && i < 10 && headerRow < 0; i++ {
		for j, c := range rows[i] {
			k := strings.ReplaceAll(strings.TrimSpace(model.FoldWidth(c)), " ", "")
			for _, h := range carbonHeaders {
				if k == h || (h == "排放源类别" && (k == "排放源" || k == "类别")) {
					col[h] = j
					headerRow = i
				}
			}
		}
	}
	for _, h := range carbonHeaders[:4] {
		if _, ok := col[h]; !ok {
			return nil, model.Errorf(model.ErrInvalid, "err.carbon.layout", CarbonActivitySheet, strings.Join(carbonHeaders[:5], "、"))
		}
	}
	out := &CarbonImport{Inputs: map[string]*model.ActivityInput{}, Rows: map[string]int{}}
	v := model.Validation{}
	cell := func(r []string, h string) string {
		j, ok := col[h]
		if !ok || j >= len(r) {
			return ""
		}
		return strings.TrimSpace(model.FoldWidth(r[j]))
	}
	month := func(s string) string {
		m := monthPattern.FindStringSubmatch(s)
		if m == nil {
			return ""
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if mo < 1 || mo > 12 {
			return ""
		}
		return fmt.Sprintf("%04d-%02d", y, mo)
	}
	input := func(m string) *model.ActivityInput {
		in := out.Inputs[m]
		if in == nil {
			in = &model.ActivityInput{Lines: []model.ActivityLine{}}
			out.Inputs[m] = in
			out.Months = append(out.Months, m)
		}
		return in
	}
	for i := headerRow + 1; i < len(rows); i++ {
		r := rows[i]
		n := i + 1
		if strings.TrimSpace(strings.Join(r, "")) == "" {
			continue
		}
		field := func(name string) string { return fmt.Sprintf("rows.%d.%s", n, name) }
		m := month(cell(r, "月份"))
		if m == "" {
			v.Add(field("month"), "err.carbon.month")
			continue
		}
		source, ok := sourceLabels[cell(r, "排放源类别")]
		if !ok {
			v.Add(field("source"), "err.carbon.source")
			continue
		}
		amount, ok := number(cell(r, "活动数据"))
		if !ok {
			v.Add(field("amount"), "err.field.number")
			continue
		}
		l := model.ActivityLine{Source: source, Amount: amount, Unit: cell(r, "单位"), Note: cell(r, "说明")}
		if s := cell(r, "排放因子编号"); s != "" {
			id, err := strconv.ParseInt(strings.TrimSuffix(s, ".0"), 10, 64)
			if err != nil {
				v.Add(field("factor_id"), "err.carbon.factor")
				continue
			}
			l.FactorID = &id
		}
		in := input(m)
		out.Rows[fmt.Sprintf("%s/%d", m, len(in.Lines))] = n
		in.Lines = append(in.Lines, l)
	}
	// Output values from the summary sheet, where it has them.
	if sum, err := f.GetRows(CarbonSummarySheet); err == nil {
		for i, r := range sum {
			if len(r) < 2 {
				continue
			}
			m := month(strings.TrimSpace(r[0]))
			if m == "" || strings.TrimSpace(r[1]) == "" {
				continue
			}
			x, ok := number(strings.TrimSpace(model.FoldWidth(r[1])))
			if !ok {
				v.Add(fmt.Sprintf("summary.%d.output_value", i+1), "err.field.number")
				continue
			}
			input(m).OutputValue = &x
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(out.Months) == 0 {
		return nil, model.Errorf(model.ErrInvalid, "err.carbon.empty_import")
	}
	if len(out.Months) > 120 {
		return nil, model.Errorf(model.ErrInvalid, "err.carbon.too_many_months")
	}
	return out, nil
}

// monthPattern: 2026-03, 2026/3, 2026.03, 2026年3月, 202603, and a full
// date of the month.
var monthPattern = regexp.MustCompile(`^(\d{4})(?:[-/.年]?)(\d{1,2})(?:月|[-/.]\d{1,2}(?:日)?)?$`)

// number reads an amount as people type it: thousands separators allowed.
func number(s string) (float64, bool) {
	s = strings.ReplaceAll(s, ",", "")
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}
