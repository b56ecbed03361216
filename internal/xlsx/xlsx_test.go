package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// read returns every sheet's rows as this package reads them, trailing
// empty rows dropped, keyed by sheet name.
func read(t *testing.T, data []byte) map[string][][]string {
	t.Helper()
	b, err := Open(data, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]string{}
	for _, s := range b.Sheets {
		rows, err := b.Rows(s)
		if err != nil {
			t.Fatal(err)
		}
		var all [][]string
		for rows.Next() {
			for len(all) < rows.Row()-1 {
				all = append(all, nil)
			}
			cells := append([]string(nil), rows.Cells()...)
			all = append(all, cells)
		}
		if rows.Err() != nil {
			t.Fatalf("%s: %v", s.Name, rows.Err())
		}
		rows.Close()
		out[s.Name] = trim(all)
	}
	return out
}

func trim(rows [][]string) [][]string {
	for i, r := range rows {
		for len(r) > 0 && r[len(r)-1] == "" {
			r = r[:len(r)-1]
		}
		if len(r) == 0 {
			r = nil
		}
		rows[i] = r
	}
	for len(rows) > 0 && rows[len(rows)-1] == nil {
		rows = rows[:len(rows)-1]
	}
	return rows
}

// excelizeRows is the same through excelize, the reference.
func excelizeRows(t *testing.T, data []byte) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		out[s] = trim(rows)
	}
	return out
}

// TestSameAsExcelize: workbooks written by excelize (shared strings, the
// stream writer's inline strings, rich text, numbers, dates, gaps,
// several sheets) read the same as excelize reads them.
func TestSameAsExcelize(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	words := []string{"海宁", "许村镇", "a&b", "<tag>", "\"quoted\"", "line\r\nbreak", "  spaced  ", "_x0041_ literal", "😀", "0573-87001111",
		"91330481MA2HN0X1", "化学需氧量、氨氮", "’", "tab\there"}
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "企业")
	for r := 1; r <= 300; r++ {
		if r%17 == 0 {
			continue // a gap
		}
		for c := 1; c <= 12; c++ {
			if rng.Intn(5) == 0 {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c, r)
			switch rng.Intn(4) {
			case 0:
				f.SetCellValue("企业", cell, rng.Intn(1e9))
			case 1:
				f.SetCellValue("企业", cell, 46568.5)
			default:
				f.SetCellValue("企业", cell, words[rng.Intn(len(words))]+fmt.Sprint(r))
			}
		}
	}
	f.SetCellRichText("企业", "M3", []excelize.RichTextRun{{Text: "粗体"}, {Text: "与常规", Font: &excelize.Font{Bold: true}}})
	f.SetCellFormula("企业", "N4", `CONCATENATE("a","b")`)
	f.NewSheet("人员")
	sw, err := f.NewStreamWriter("人员")
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= 200; r++ {
		cell, _ := excelize.CoordinatesToCellName(2, r)
		sw.SetRow(cell, []any{words[r%len(words)], r, float64(r) / 3, "", "末尾"})
	}
	sw.Flush()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, want := read(t, buf.Bytes()), excelizeRows(t, buf.Bytes())
	if len(want["企业"]) != 300 || len(want["人员"]) != 200 || len(got) != 2 {
		t.Fatalf("rows: excelize %d and %d, sheets read %d", len(want["企业"]), len(want["人员"]), len(got))
	}
	for name := range want {
		if !reflect.DeepEqual(got[name], want[name]) {
			for i := range max(len(got[name]), len(want[name])) {
				var g, w []string
				if i < len(got[name]) {
					g = got[name][i]
				}
				if i < len(want[name]) {
					w = want[name][i]
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("%s row %d:\n got %q\nwant %q", name, i+1, g, w)
					break
				}
			}
		}
	}
}

// TestTypes: text, numbers, booleans and numbers in date formats (built-in
// and custom, Chinese included) are told apart.
func TestTypes(t *testing.T) {
	f := excelize.NewFile()
	iso, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	cn := `yyyy"年"m"月"d"日"`
	chinese, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &cn})
	money := `"¥"#,##0.00`
	yuan, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &money})
	f.SetSheetRow("Sheet1", "A1", &[]any{"文本", 12.5, true, 46568, 46568, 1234.5})
	f.SetCellStyle("Sheet1", "D1", "D1", iso)
	f.SetCellStyle("Sheet1", "E1", "E1", chinese)
	f.SetCellStyle("Sheet1", "F1", "F1", yuan)
	f.SetCellFormula("Sheet1", "G1", `"a"&"b"`)
	f.SetCellValue("Sheet1", "G1", "ab")
	var buf bytes.Buffer
	f.Write(&buf)
	b, err := Open(buf.Bytes(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := b.Rows(b.Sheets[0])
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	want := []Type{Text, Number, Bool, Date, Date, Number, Text}
	if got := rows.Types(); !reflect.DeepEqual(got, want) {
		t.Errorf("types %v, want %v (cells %q)", got, want, rows.Cells())
	}
}

// zipOf builds a workbook from parts as given.
func zipOf(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return b.Bytes()
}

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`

// TestWhatOtherWritersWrite: the forms that other programs use and
// excelize does not write: namespace prefixes (the .NET Open XML SDK),
// cells without references (some exporters), phonetic guides, comments
// and CDATA, a '>' inside an attribute, absolute part names, a hidden
// sheet, the 1904 date system, booleans and a date cell.
func TestWhatOtherWritersWrite(t *testing.T) {
	data := zipOf(t, map[string]string{
		"_rels/.rels": rootRels,
		"xl/workbook.xml": `<?xml version="1.0"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<x:workbookPr date1904="1"/><x:sheets><x:sheet name="企业" sheetId="1" r:id="rId1"/><x:sheet name="旧" sheetId="2" state="hidden" r:id="rId2"/></x:sheets></x:workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/sharedStrings.xml": `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">
<si><t>统一社会信用代码</t></si><si><r><rPr><b/></rPr><t>企业</t></r><r><t xml:space="preserve"> 名称</t></r><rPh sb="0" eb="2"><t>きぎょう</t></rPh></si>
<si><t/></si><si><t>第一行_x000D_
第二行 &amp; &#x6D77;&#23425;</t></si></sst>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0"?><!-- written by hand --><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
<x:row r="1" spans="1:3" x14ac:dyDescent="0.25"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c></x:row>
<x:row><x:c t="inlineStr"><x:is><x:t>91330481MA2HN0X1</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:r><x:t>内联</x:t></x:r><x:r><x:t>富文本</x:t></x:r></x:is></x:c><x:c s="3"/><x:c t="b"><x:v>1</x:v></x:c></x:row>
<x:row r="5" customFormat="a>b"><x:c r="C5" t="s"><x:v>3</x:v></x:c><x:c r="D5" t="str"><x:f>A1</x:f><x:v>公式结果</x:v></x:c><x:c r="E5" t="d"><x:v>2027-06-30T00:00:00</x:v></x:c><x:c r="F5"><x:v><![CDATA[1.5E+17]]></x:v></x:c><x:c r="G5" t="s"><x:v>2</x:v></x:c></x:row>
<x:row r="6"/></x:sheetData></x:worksheet>`,
		"xl/worksheets/sheet2.xml": `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`,
	})
	b, err := Open(data, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Date1904 || len(b.Sheets) != 2 || b.Sheets[0].Name != "企业" || b.Sheets[0].Hidden || !b.Sheets[1].Hidden {
		t.Fatalf("book: 1904 %v, sheets %+v", b.Date1904, b.Sheets)
	}
	got := read(t, data)["企业"]
	want := [][]string{
		{"统一社会信用代码", "企业 名称"},
		{"91330481MA2HN0X1", "内联富文本", "", "TRUE"},
		nil, nil,
		{"", "", "第一行\r\n第二行 & 海宁", "公式结果", "2027-06-30 00:00:00", "1.5E+17"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}
}

// TestRefusesWhatIsNotAWorkbook: not a zip, a zip without a workbook,
// a sheet that is not XML, a shared string out of range, and a zip
// whose parts unpack past the limit.
func TestRefusesWhatIsNotAWorkbook(t *testing.T) {
	if _, err := Open([]byte("uscc,name\n"), 1<<20); err != ErrFormat {
		t.Errorf("csv: %v", err)
	}
	if _, err := Open(zipOf(t, map[string]string{"a.txt": "x"}), 1<<20); err != ErrFormat {
		t.Errorf("no workbook: %v", err)
	}
	wb := func(sheet string) []byte {
		return zipOf(t, map[string]string{
			"_rels/.rels":                rootRels,
			"xl/workbook.xml":            `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="企业" r:id="rId1"/></sheets></workbook>`,
			"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
			"xl/worksheets/sheet1.xml":   sheet,
		})
	}
	for name, sheet := range map[string]string{
		"unclosed tag":        `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="2"`,
		"string out of range": `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>`,
		"rows going back":     `<worksheet><sheetData><row r="5"/><row r="2"/></sheetData></worksheet>`,
		"bad reference":       `<worksheet><sheetData><row r="1"><c r="1A"><v>1</v></c></row></sheetData></worksheet>`,
	} {
		b, err := Open(wb(sheet), 1<<20)
		if err != nil {
			t.Fatalf("%s: open: %v", name, err)
		}
		rows, _ := b.Rows(b.Sheets[0])
		for rows.Next() {
		}
		if rows.Err() != ErrFormat {
			t.Errorf("%s: %v", name, rows.Err())
		}
	}
	big := strings.Repeat(`<row><c t="inlineStr"><is><t>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</t></is></c></row>`, 20000)
	data := wb(`<worksheet><sheetData>` + big + `</sheetData></worksheet>`)
	if _, err := Open(data, 1<<20); err != ErrTooBig {
		t.Errorf("past the limit: %v", err)
	}
}

// FuzzRows: whatever a sheet and its shared strings hold, reading ends
// (a row or an error) without a panic or a hang.
func FuzzRows(f *testing.F) {
	f.Add(`<sst><si><t>海宁</t></si><si><r><t>a</t></r><rPh><t>b</t></rPh></si></sst>`,
		`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c t="inlineStr"><is><t>x&amp;y_x000D_</t></is></c></row><!-- c --><row/></sheetData></worksheet>`)
	f.Fuzz(func(t *testing.T, sst, sheet string) {
		data := zipOf(t, map[string]string{
			"_rels/.rels":     rootRels,
			"xl/workbook.xml": `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="企业" r:id="rId1"/></sheets></workbook>`,
			"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/>` +
				`<Relationship Id="rId2" Type="x/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
			"xl/sharedStrings.xml":     sst,
			"xl/worksheets/sheet1.xml": sheet,
		})
		book, err := Open(data, 1<<20)
		if err != nil {
			return
		}
		rows, err := book.Rows(book.Sheets[0])
		if err != nil {
			return
		}
		for n := 0; rows.Next(); n++ {
			if n > len(sheet) {
				t.Fatalf("more rows than bytes")
			}
		}
		rows.Close()
	})
}
