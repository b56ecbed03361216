package roster

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/envhome/envhome/internal/model"
)

var regions = []model.Region{{ID: 1, Code: "330481", Name: "海宁市"}, {ID: 2, Code: "330481003", Name: "海昌街道"}}

func build(t *testing.T, edit func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", model.SheetEnterprises)
	head := []any{}
	for _, c := range EnterpriseColumns {
		head = append(head, c.Header)
	}
	f.SetSheetRow(model.SheetEnterprises, "A1", &head)
	edit(f)
	var b bytes.Buffer
	f.Write(&b)
	return b.Bytes()
}

func problemsAt(r *Roster, row int) map[string]string {
	out := map[string]string{}
	for _, p := range r.Problems {
		if p.Row == row {
			out[p.Field] = p.Key
		}
	}
	return out
}

// TestMessyCells: what spreadsheets really hold.
func TestMessyCells(t *testing.T) {
	code, _ := model.BuildUSCC("91330481", "MA2HN0X3")
	code2, _ := model.BuildUSCC("91330481", "MA2HN0X2")
	data := build(t, func(f *excelize.File) {
		s := model.SheetEnterprises
		// Full-width code, trailing spaces, a date cell, a mobile stored as a number.
		f.SetSheetRow(s, "A2", &[]any{toFullWidth(code), "  全角与空格有限公司  ", "企业", "海昌街道", "", "ｃ３９８５", "", "", 13800001111, "", "简化", "", "水，大气", "ＣＯＤ、氨氮 VOCs", "正常"})
		f.SetCellValue(s, "L2", excelDate(t))
		// An empty row, then a row merged across the name columns.
		f.SetSheetRow(s, "A4", &[]any{code2, "合并单元格公司", "企业", "海昌街道"})
		f.MergeCell(s, "B4", "C4")
		// A code written as a number, and no name.
		f.SetSheetRow(s, "A5", &[]any{123456789012345678, "", "企业", "330481003"})
	})
	r, err := Parse(data, regions, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Enterprises) != 3 {
		t.Fatalf("rows: %d (the empty row must be skipped)", len(r.Enterprises))
	}
	e := r.Enterprises[0]
	if e.USCC != code || e.Name != "全角与空格有限公司" || e.IndustryCode != "C3985" || e.ContactPhone != "13800001111" ||
		e.PermitClass != model.PermitSimplified || e.PermitValidTo != "2027-06-30" || strings.Join(e.KeyLists, ",") != "water,air" || e.RegionID != 2 ||
		strings.Join(e.Pollutants, ",") != "cod,ammonia,vocs" {
		t.Errorf("normalised row: %+v", e.Enterprise)
	}
	if p := problemsAt(r, 2); len(p) != 0 {
		t.Errorf("row 2 problems: %v", p)
	}
	// The merged row: the kind cell is empty (merged into B), so it defaults.
	if p := problemsAt(r, 4); len(p) != 0 || r.Enterprises[1].Kind != model.KindCompany {
		t.Errorf("merged row: %v %+v", p, r.Enterprises[1].Enterprise)
	}
	p := problemsAt(r, 5)
	if p["uscc"] != "err.roster.code_as_number" || p["name"] != "err.field.required" {
		t.Errorf("row 5 problems: %v", p)
	}
}

func excelDate(t *testing.T) float64 { return 46568 } // 2027-06-30

func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '!' && r <= '~' {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestRefusals(t *testing.T) {
	if _, err := Parse([]byte("uscc,name\n"), regions, nil); err != ErrNotXLSX {
		t.Errorf("csv: %v", err)
	}
	if _, err := Parse([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls"), regions, nil); err != ErrNotXLSX {
		t.Errorf("xls: %v", err)
	}
	f := excelize.NewFile()
	var b bytes.Buffer
	f.Write(&b)
	if _, err := Parse(b.Bytes(), regions, nil); err != ErrSheets {
		t.Errorf("no roster sheets: %v", err)
	}
}

// TestZipBomb: a small file that unpacks past the limit is refused before
// it is unpacked.
func TestZipBomb(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	good := build(t, func(*excelize.File) {})
	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	w, _ := zw.Create("xl/media/padding.bin")
	chunk := make([]byte, 1<<20)
	for range MaxUnzipBytes>>20 + 1 {
		w.Write(chunk)
	}
	zw.Close()
	if b.Len() > MaxFileBytes {
		t.Fatalf("bomb is %d bytes, bigger than the upload limit", b.Len())
	}
	if _, err := Parse(b.Bytes(), regions, nil); err != ErrTooBig {
		t.Errorf("zip bomb (%d bytes): %v", b.Len(), err)
	}
}

func TestTemplateParses(t *testing.T) {
	b, err := Template([]string{"海昌街道", "许村镇"})
	if err != nil {
		t.Fatal(err)
	}
	// The town column offers the towns, listed on a sheet of their own.
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	dvs, _ := f.GetDataValidations(model.SheetEnterprises)
	found := false
	for _, dv := range dvs {
		if dv.Sqref == "D2:D100000" && strings.Contains(dv.Formula1, TownSheet) {
			found = true
		}
	}
	towns, _ := f.GetCols(TownSheet)
	if !found || len(towns) != 1 || strings.Join(towns[0], ",") != "海昌街道,许村镇" {
		t.Errorf("town drop-down: %v, towns %v", found, towns)
	}
	r, err := Parse(b, []model.Region{{ID: 7, Code: "330481003", Name: "海昌街道"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The example rows show how to fill the sheets and are never imported.
	if len(r.Enterprises) != 0 || len(r.Managers) != 0 || len(r.Problems) != 2 ||
		r.Problems[0].Key != "err.roster.example_row" || r.Problems[1].Key != "err.roster.example_row" {
		t.Errorf("the template's example rows: %d enterprises, %d managers, problems %v", len(r.Enterprises), len(r.Managers), r.Problems)
	}
}

func FuzzParse(f *testing.F) {
	b, _ := Template(nil)
	f.Add(b)
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data, regions, nil)
		if err == nil && r == nil {
			t.Fatal("nil roster without error")
		}
	})
}

// TestHeaderWhereStaffPutIt: a title row, a pandas index column, headers
// in other words and another order; no header at all gives one message;
// a hidden stale copy of a sheet is refused, the visible one read.
func TestHeaderWhereStaffPutIt(t *testing.T) {
	code, _ := model.BuildUSCC("91330481", "MA2HN0X4")
	f := excelize.NewFile()
	s := model.SheetEnterprises
	f.SetSheetName("Sheet1", s)
	f.SetSheetRow(s, "A1", &[]any{"2026年海昌街道企业环保名册"})
	f.MergeCell(s, "A1", "E1")
	f.SetSheetRow(s, "A2", &[]any{"制表日期：2026-03-01"})
	f.SetSheetRow(s, "A3", &[]any{"", "单位名称", "所在镇街", "统一社会信用代码（18位）", "联系电话"})
	f.SetSheetRow(s, "A4", &[]any{0, "标题行下的公司", "海昌街道", code, "0573-87001111"})
	f.NewSheet(model.SheetManagers)
	f.SetSheetRow(model.SheetManagers, "A1", &[]any{"手机号码", "姓名", "统一社会信用代码"})
	f.SetSheetRow(model.SheetManagers, "A2", &[]any{"13900002222", "钱七", code})
	// A hidden, stale copy of the manager sheet.
	f.NewSheet(model.SheetManagers + " ")
	f.SetSheetRow(model.SheetManagers+" ", "A1", &[]any{"统一社会信用代码", "姓名", "手机号"})
	f.SetSheetRow(model.SheetManagers+" ", "A2", &[]any{code, "过期的人", "13900003333"})
	f.SetSheetVisible(model.SheetManagers+" ", false)
	var b bytes.Buffer
	f.Write(&b)
	r, err := Parse(b.Bytes(), regions, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Enterprises) != 1 || r.Enterprises[0].Name != "标题行下的公司" || r.Enterprises[0].USCC != code || r.Enterprises[0].ContactPhone != "057387001111" ||
		r.Enterprises[0].Row != 4 {
		t.Errorf("enterprises: %+v", r.Enterprises)
	}
	if len(r.Managers) != 1 || r.Managers[0].Name != "钱七" || r.Managers[0].Mobile != "13900002222" {
		t.Errorf("managers: %+v", r.Managers)
	}
	if len(r.Problems) != 1 || r.Problems[0].Key != "err.roster.hidden_copy" {
		t.Errorf("problems: %v", r.Problems)
	}

	g := excelize.NewFile()
	g.SetSheetName("Sheet1", s)
	for i := 1; i <= 12; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		g.SetSheetRow(s, cell, &[]any{"某个数据", i})
	}
	var c bytes.Buffer
	g.Write(&c)
	r, err = Parse(c.Bytes(), regions, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != 1 || r.Problems[0].Key != "err.roster.no_header" {
		t.Errorf("no header: %v", r.Problems)
	}
}

// TestReportMarksWhereTheValueIs: with the columns reordered under a title
// row and a pandas index column, the red marks land on the cells that hold
// the bad values, and a duplicate names the row it repeats.
func TestReportMarksWhereTheValueIs(t *testing.T) {
	code, _ := model.BuildUSCC("91330481", "MA2HN0X5")
	f := excelize.NewFile()
	s := model.SheetEnterprises
	f.SetSheetName("Sheet1", s)
	f.SetSheetRow(s, "A1", &[]any{"企业名册"})
	f.SetSheetRow(s, "A2", &[]any{"", "所属镇街", "企业名称", "统一社会信用代码", "联系电话"})
	f.SetSheetRow(s, "A3", &[]any{0, "海昌街道", "甲公司", code, "12345"})
	f.SetSheetRow(s, "A4", &[]any{1, "海昌街道", "乙公司", code, ""})
	f.SetSheetRow(s, "A5", &[]any{2, "不存在镇", "丙公司", "not a code", ""})
	var b bytes.Buffer
	f.Write(&b)
	r, err := Parse(b.Bytes(), regions, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Report(b.Bytes(), r.Problems, func(key string, args ...any) string { return key + fmt.Sprint(args) })
	if err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(bytes.NewReader(rep))
	if err != nil {
		t.Fatal(err)
	}
	comments, _ := g.GetComments(s)
	at := map[string]string{}
	for _, c := range comments {
		at[c.Cell] = c.Text
	}
	for cell, want := range map[string]string{
		"E3": "err.field.phone",             // the phone is in E, not in the template's I
		"D4": "err.roster.duplicate_row[3]", // repeats row 3
		"B5": "err.field.no_such_region",
		"D5": "err.field.uscc",
	} {
		if !strings.Contains(at[cell], want) {
			t.Errorf("%s: %q, want %s (all: %v)", cell, at[cell], want, at)
		}
		// The bad cell is filled red.
		style, _ := g.GetCellStyle(s, cell)
		if st, err := g.GetStyle(style); err != nil || len(st.Fill.Color) == 0 || st.Fill.Color[0] != "F8C9C4" {
			t.Errorf("%s: not filled red: %v %v", cell, st, err)
		}
	}
	// After the widest row, a problem column says the same per row, headed
	// on the header row; the values are kept (the pandas index as numbers).
	rows, _ := g.GetRows(s)
	if len(rows) != 5 || len(rows[1]) != 6 || rows[1][5] != "问题说明" || !strings.Contains(rows[2][5], "联系电话：err.field.phone") ||
		!strings.Contains(rows[4][5], "所属镇街：err.field.no_such_region") || !strings.Contains(rows[4][5], "统一社会信用代码：err.field.uscc") {
		t.Errorf("problem column: %q", rows)
	}
	if v, _ := g.GetCellType(s, "A4"); v != excelize.CellTypeNumber && v != excelize.CellTypeUnset {
		t.Errorf("A4 (a number) is now %v", v)
	}
	// Fixed and uploaded again, the report reads as the original did.
	again, err := Parse(rep, regions, nil)
	if err != nil || len(again.Enterprises) != len(r.Enterprises) || len(again.Problems) != len(r.Problems) {
		t.Errorf("the report parsed again: %v, %d rows and %v", err, len(again.Enterprises), again.Problems)
	}
}

// TestReportOfALargeFile: a bad cell in every 5th of 12,000 rows; every
// row is kept, every bad one marked in the problem column, the notes on
// cells stop at their limit, and a date stays a date.
func TestReportOfALargeFile(t *testing.T) {
	const n = 12_000
	f := excelize.NewFile()
	s := model.SheetEnterprises
	f.SetSheetName("Sheet1", s)
	sw, _ := f.NewStreamWriter(s)
	head := []any{}
	for _, c := range EnterpriseColumns {
		head = append(head, c.Header)
	}
	sw.SetRow("A1", head)
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	var problems []model.RowProblem
	for i := 2; i <= n+1; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		sw.SetRow(cell, []any{fmt.Sprintf("code%d", i), "某公司", "企业", "海昌街道", "", "", "", "", "0573", "", "", excelize.Cell{StyleID: date, Value: 46568}})
		if i%5 == 0 {
			problems = append(problems, model.RowProblem{Sheet: s, Row: i, Field: "contact_phone", Key: "err.field.phone"})
		}
	}
	sw.Flush()
	var b bytes.Buffer
	f.Write(&b)
	rep, err := Report(b.Bytes(), problems, func(key string, args ...any) string { return key })
	if err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(bytes.NewReader(rep))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := g.GetRows(s)
	marked := 0
	for _, r := range rows[1:] {
		if len(r) == 16 && r[15] == "联系电话：err.field.phone" {
			marked++
		}
	}
	comments, _ := g.GetComments(s)
	if len(rows) != n+1 || marked != len(problems) || len(comments) != min(len(problems), maxComments) {
		t.Errorf("%d rows, %d marked of %d, %d notes", len(rows), marked, len(problems), len(comments))
	}
	if v, _ := g.GetCellValue(s, "L12000"); v != "06-30-27" && v != "2027-06-30" {
		t.Errorf("a date cell reads %q", v)
	}
}

// TestCellsAsStaffWriteThem: a town by its short name, full-width brackets
// kept in a name, CRLF from a re-saved file as LF, a text date with a time.
func TestCellsAsStaffWriteThem(t *testing.T) {
	code, _ := model.BuildUSCC("91330481", "MA2HN0X6")
	data := build(t, func(f *excelize.File) {
		f.SetSheetRow(model.SheetEnterprises, "A2", &[]any{code, "海宁（示例）新材料有限公司", "企业", "海昌", "海昌路 1 号\r\n3 号楼", "C3985", "", "", "", "",
			"简化管理", "2028-06-30 00:00:00", "", ""})
	})
	r, err := Parse(data, regions, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Enterprises) != 1 || len(r.Problems) != 0 {
		t.Fatalf("rows %d, problems %v", len(r.Enterprises), r.Problems)
	}
	e := r.Enterprises[0]
	if e.RegionID != 2 || e.Name != "海宁（示例）新材料有限公司" || e.Address != "海昌路 1 号\n3 号楼" || e.PermitValidTo != "2028-06-30" {
		t.Errorf("row: region %d, name %q, address %q, permit %q", e.RegionID, e.Name, e.Address, e.PermitValidTo)
	}
}

// TestWorkbooksFromOtherWriters: files saved by openpyxl (what pandas'
// to_excel uses): inline strings with numeric character references, an
// empty inline cell, a real date cell; and openpyxl's write-only mode with
// the manager sheet before the enterprise sheet, which is read second.
func TestWorkbooksFromOtherWriters(t *testing.T) {
	const code = "91330481MA2HN0X87B"
	read := func(name string) *Roster {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(data, regions, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return r
	}
	r := read("openpyxl.xlsx")
	if len(r.Enterprises) != 1 || len(r.Managers) != 1 || len(r.Problems) != 0 {
		t.Fatalf("openpyxl: %d enterprises, %d managers, problems %v", len(r.Enterprises), len(r.Managers), r.Problems)
	}
	e, m := r.Enterprises[0], r.Managers[0]
	if e.USCC != code || e.Name != "openpyxl 写的公司 & <有限>" || e.Address != "海昌路 1 号\n3 号楼" || e.ContactPhone != "13800001111" ||
		e.PermitValidTo != "2027-06-30" || e.PermitClass != model.PermitSimplified || strings.Join(e.KeyLists, ",") != "water,air" ||
		strings.Join(e.Pollutants, ",") != "cod,ammonia" || e.RegionID != 2 || e.Row != 2 {
		t.Errorf("openpyxl enterprise: %+v", e)
	}
	if m.USCC != code || m.Name != "王五" || m.Mobile != "13900002222" || m.AppointedOn != "2026-03-01" || m.Role != model.ManagerAdministrator {
		t.Errorf("openpyxl manager: %+v", m)
	}
	rd, err := Open(mustRead(t, "openpyxl-write-only.xlsx"), regions, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, err := rd.Next(100)
	if err != nil || len(first.Enterprises) != 1 || first.Enterprises[0].Name != "只写模式公司" || len(first.Managers) != 0 {
		t.Fatalf("write-only: the enterprise sheet comes first: %+v %v", first, err)
	}
	second, err := rd.Next(100)
	if err != nil || len(second.Managers) != 1 || second.Managers[0].Name != "赵六" {
		t.Fatalf("write-only: then the managers: %+v %v", second, err)
	}
	if end, err := rd.Next(100); end != nil || err != nil {
		t.Errorf("write-only: after the last sheet %+v %v", end, err)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSheetNameWithSpaces: a sheet named " 企业名录 " is read, and its
// problems name it as the store and the messages know it, so that the
// store skips the bad row and the report marks it.
func TestSheetNameWithSpaces(t *testing.T) {
	code, _ := model.BuildUSCC("91330481", "MA2HN0X9")
	f := excelize.NewFile()
	s := " " + model.SheetEnterprises + " "
	f.SetSheetName("Sheet1", s)
	f.SetSheetRow(s, "A1", &[]any{"统一社会信用代码", "企业名称", "所属镇街", "联系电话"})
	f.SetSheetRow(s, "A2", &[]any{code, "空格表名公司", "海昌街道", "12345"})
	var b bytes.Buffer
	f.Write(&b)
	r, err := Parse(b.Bytes(), regions, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Enterprises) != 1 || len(r.Problems) != 1 || r.Problems[0].Sheet != model.SheetEnterprises || r.Problems[0].Field != "contact_phone" {
		t.Fatalf("rows %d, problems %+v", len(r.Enterprises), r.Problems)
	}
	rep, err := Report(b.Bytes(), r.Problems, func(key string, args ...any) string { return key })
	if err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(bytes.NewReader(rep))
	if err != nil {
		t.Fatal(err)
	}
	if comments, _ := g.GetComments(s); len(comments) != 1 || comments[0].Cell != "D2" {
		t.Errorf("the bad phone is not marked: %+v", comments)
	}
}

// TestBatchesReadAhead: batches read on their own goroutine give what
// Next gives, and stopping early (an import that failed) releases the
// reader.
func TestBatchesReadAhead(t *testing.T) {
	data := build(t, func(f *excelize.File) {
		for i := 2; i <= 40; i++ {
			code, _ := model.BuildUSCC("91330481", fmt.Sprintf("MA2H%04d", i))
			cell, _ := excelize.CoordinatesToCellName(1, i)
			f.SetSheetRow(model.SheetEnterprises, cell, &[]any{code, fmt.Sprint("公司", i), "企业", "海昌街道"})
		}
	})
	want, err := Parse(data, regions, nil)
	if err != nil || len(want.Enterprises) != 39 {
		t.Fatalf("parse: %v, %d rows", err, len(want.Enterprises))
	}
	rd, err := Open(data, regions, nil)
	if err != nil {
		t.Fatal(err)
	}
	next, stop := rd.Batches(7)
	var got []model.RosterEnterprise
	for {
		b, err := next()
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		got = append(got, b.Enterprises...)
	}
	stop()
	if len(got) != 39 || got[38].Name != want.Enterprises[38].Name || rd.Rows() != 39 {
		t.Errorf("read ahead: %d rows, %d counted", len(got), rd.Rows())
	}
	rd, _ = Open(data, regions, nil)
	next, stop = rd.Batches(5)
	if b, err := next(); err != nil || len(b.Enterprises) != 5 {
		t.Fatalf("first batch: %v", err)
	}
	stop() // the reader goroutine, a batch ahead, ends
	stop()
	rd.Close()
}
