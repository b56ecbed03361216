// Package roster reads and writes the directory's Excel workbooks: the
// import template, imported rosters with per-cell problems, the marked-up
// problem report and exports of enterprise lists. It knows the columns and
// their Chinese headers; the store does the writing.
package roster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/sheets"
	"github.com/envhome/envhome/internal/xlsx"
)

// Limits on what an upload may be.
const (
	MaxFileBytes  = 32 << 20  // the .xlsx as uploaded
	MaxUnzipBytes = 256 << 20 // everything inside it, unpacked: stops zip bombs
	MaxRows       = 1_100_000
)

// Column is one column of a sheet: its Chinese header and the field it fills.
type Column struct {
	Header, Field string
}

// EnterpriseColumns and ManagerColumns are the template's columns in order.
var (
	EnterpriseColumns = []Column{
		{"统一社会信用代码", "uscc"}, {"企业名称", "name"}, {"类型", "kind"}, {"所属镇街", "region_id"}, {"地址", "address"},
		{"行业代码", "industry_code"}, {"法定代表人", "legal_representative"}, {"联系人", "contact_name"}, {"联系电话", "contact_phone"},
		{"排污许可证编号", "permit_no"}, {"许可管理类别", "permit_class"}, {"许可证有效期至", "permit_valid_until"},
		{"重点单位名录", "key_lists"}, {"主要污染物", "pollutants"}, {"状态", "status"},
	}
	ManagerColumns = []Column{
		{"统一社会信用代码", "uscc"}, {"姓名", "name"}, {"手机号", "mobile"}, {"身份证号", "id_card"}, {"职务", "role"},
		{"任命日期", "appointed_on"}, {"证书编号", "cert_no"}, {"发证日期", "cert_issued_on"}, {"证书到期日期", "cert_expires_on"}, {"状态", "status"},
		{"变更原因", "reason"},
	}
)

// headerVariants are the other ways staff head a column: older templates,
// the government's own forms, or what people type.
var headerVariants = map[string][]string{
	"uscc":          {"统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "USCC"},
	"name":          {"企业名称", "单位名称", "公司名称", "名称", "姓名", "管理员姓名"},
	"kind":          {"类型", "企业类型", "单位类型"},
	"region_id":     {"所属镇街", "镇街", "所属镇（街道）", "所在镇街", "镇（街道）", "属地"},
	"address":       {"地址", "单位地址", "企业地址", "详细地址"},
	"industry_code": {"行业代码", "国民经济行业代码", "行业类别代码"},
	"contact_phone": {"联系电话", "电话", "联系方式"},
	"mobile":        {"手机号", "手机号码", "手机", "移动电话"},
	"id_card":       {"身份证号", "身份证号码", "身份证"},
	"role":          {"职务", "岗位"},
	"status":        {"状态", "在岗状态", "经营状态"},
	"reason":        {"变更原因", "状态变更原因", "原因", "备注"},
	"pollutants":    {"主要污染物", "污染物", "特征污染物", "主要污染物种类"},
}

// lineBreaks turns CRLF and CR (Excel, LibreOffice) into LF.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// headerKey folds a header cell for matching: full width, spaces, a
// required-mark star and a note in brackets (统一社会信用代码（18位）) do not
// count.
func headerKey(h string) string {
	h = strings.TrimSpace(model.FoldWidth(h))
	for _, open := range []string{"(", "（"} {
		if i := strings.Index(h, open); i > 0 {
			h = h[:i]
		}
	}
	return strings.ToUpper(strings.Join(strings.Fields(strings.Trim(h, "*＊ ")), ""))
}

// fieldOf finds the field a header cell names among cols.
func fieldOf(h string, cols []Column) (string, bool) {
	k := headerKey(h)
	if k == "" {
		return "", false
	}
	for _, c := range cols {
		if headerKey(c.Header) == k {
			return c.Field, true
		}
	}
	for _, c := range cols {
		for _, v := range headerVariants[c.Field] {
			if headerKey(v) == k {
				return c.Field, true
			}
		}
	}
	return "", false
}

// exampleUSCC is the credit code of the template's example rows.
var exampleUSCC, _ = model.BuildUSCC("91330481", "MA2HN0X1")

// headerRows is how far down a sheet the header row is looked for (a
// title, a date line or a two-level header may stand above it).
const headerRows = 10

// Labels map the Chinese words of the sheets to model values.
var (
	kindLabels   = map[string]string{"企业": model.KindCompany, "公司": model.KindCompany, "商户": model.KindShop, "个体": model.KindShop}
	permitLabels = map[string]string{"重点管理": model.PermitKey, "重点": model.PermitKey, "简化管理": model.PermitSimplified, "简化": model.PermitSimplified,
		"排污登记": model.PermitRegistration, "登记": model.PermitRegistration, "登记管理": model.PermitRegistration}
	listLabels = map[string]string{"水": "water", "水环境": "water", "地下水": "groundwater", "大气": "air", "大气环境": "air",
		"噪声": "noise", "声环境": "noise", "土壤": "soil", "环境风险": "risk", "风险": "risk"}
	// pollutantLabels: the names on permits and in statistics, and the
	// abbreviations staff type.
	pollutantLabels = map[string]string{"化学需氧量": "cod", "cod": "cod", "codcr": "cod", "氨氮": "ammonia", "nh3-n": "ammonia",
		"总磷": "phosphorus", "tp": "phosphorus", "总氮": "nitrogen", "tn": "nitrogen", "重金属": "heavy_metals",
		"二氧化硫": "so2", "so2": "so2", "氮氧化物": "nox", "nox": "nox", "颗粒物": "particulates", "烟粉尘": "particulates",
		"粉尘": "particulates", "烟尘": "particulates", "挥发性有机物": "vocs", "vocs": "vocs", "voc": "vocs", "恶臭": "odour",
		"臭气": "odour", "臭气浓度": "odour", "危险废物": "hazardous_waste", "危废": "hazardous_waste", "一般工业固废": "solid_waste",
		"一般固废": "solid_waste", "固废": "solid_waste", "噪声": "noise"}
	statusLabels = map[string]string{"正常": model.StatusActive, "在营": model.StatusActive, "关停": model.StatusClosed, "已关停": model.StatusClosed}

	// The words an export writes, one per value.
	kindNames      = map[string]string{model.KindCompany: "企业", model.KindShop: "商户"}
	permitNames    = map[string]string{model.PermitKey: "重点管理", model.PermitSimplified: "简化管理", model.PermitRegistration: "排污登记"}
	listNames      = map[string]string{"water": "水", "groundwater": "地下水", "air": "大气", "noise": "噪声", "soil": "土壤", "risk": "环境风险"}
	statusNames    = map[string]string{model.StatusActive: "正常", model.StatusClosed: "关停"}
	pollutantNames = map[string]string{"cod": "化学需氧量", "ammonia": "氨氮", "phosphorus": "总磷", "nitrogen": "总氮",
		"heavy_metals": "重金属", "so2": "二氧化硫", "nox": "氮氧化物", "particulates": "颗粒物", "vocs": "挥发性有机物",
		"odour": "恶臭", "hazardous_waste": "危险废物", "solid_waste": "一般工业固废", "noise": "噪声"}
	mroleLabels   = map[string]string{"环保管理员": model.ManagerAdministrator, "管理员": model.ManagerAdministrator, "首席环保官": model.ManagerChiefOfficer}
	mstatusLabels = map[string]string{"在岗": model.ManagerActive, "正常": model.ManagerActive, "暂停": model.ManagerSuspended, "撤销": model.ManagerRevoked}
)

// listSep separates the values of a multi-valued cell.
func listSep(r rune) bool { return strings.ContainsRune(",，、;；/ \n", r) }

// names writes a multi-valued cell.
func names(m map[string]string, values []string) string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = m[v]
	}
	return strings.Join(out, "、")
}

func label(m map[string]string, s string) string {
	s = strings.TrimSpace(model.FoldWidth(s))
	if v, ok := m[s]; ok {
		return v
	}
	return strings.ToLower(s) // English values pass through; validation judges them
}

// Towns are the names of the towns (regions under the county) in order,
// for the template's town drop-down.
func Towns(regions []model.Region) []string {
	var out []string
	for _, r := range regions {
		if r.ParentID != nil {
			out = append(out, r.Name)
		}
	}
	return out
}

// TownSheet lists the towns a template's town column offers.
const TownSheet = "镇街列表"

// Template returns the import template: both sheets with headers, one
// example row each and drop-down lists where the values are fixed; the town
// column offers towns (listed on a sheet of their own, as a drop-down
// written inline holds 255 characters at most).
func Template(towns []string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", model.SheetEnterprises); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(model.SheetManagers); err != nil {
		return nil, err
	}
	header, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEFE5"}}})
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": codes and numbers stay text
	example := exampleUSCC
	town := "海昌街道"
	if len(towns) > 0 {
		town = towns[0]
	}
	sheets := []struct {
		name  string
		cols  []Column
		row   []any
		lists map[int][]string
	}{
		{model.SheetEnterprises, EnterpriseColumns,
			[]any{example, "海宁示例新材料有限公司", "企业", town, "海宁市海昌街道示例路 1 号", "C3985", "张三", "李四", "0573-87000000",
				example + "001P", "简化管理", "2028-06-30", "水、大气", "化学需氧量、挥发性有机物", "正常"},
			map[int][]string{2: {"企业", "商户"}, 10: {"重点管理", "简化管理", "排污登记"}, 14: {"正常", "关停"}}},
		{model.SheetManagers, ManagerColumns,
			[]any{example, "王五", "13800000000", "", "环保管理员", "2026-01-05", "HN-2026-0001", "2026-01-05", "2029-01-04", "在岗", ""},
			map[int][]string{4: {"环保管理员", "首席环保官"}, 9: {"在岗", "暂停", "撤销"}}},
	}
	for _, s := range sheets {
		for i, c := range s.cols {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			f.SetCellValue(s.name, cell, c.Header)
		}
		last, _ := excelize.ColumnNumberToName(len(s.cols))
		f.SetCellStyle(s.name, "A1", last+"1", header)
		f.SetColStyle(s.name, "A:"+last, text) // a column style, not 100,000 styled cells
		f.SetColWidth(s.name, "A", last, 18)
		f.SetSheetRow(s.name, "A2", &s.row)
		for col, opts := range s.lists {
			dv := excelize.NewDataValidation(true)
			name, _ := excelize.ColumnNumberToName(col + 1)
			dv.Sqref = name + "2:" + name + "100000"
			if err := dv.SetDropList(opts); err != nil {
				return nil, err
			}
			f.AddDataValidation(s.name, dv)
		}
	}
	if len(towns) > 0 {
		if _, err := f.NewSheet(TownSheet); err != nil {
			return nil, err
		}
		for i, t := range towns {
			f.SetCellStr(TownSheet, "A"+strconv.Itoa(i+1), t)
		}
		f.SetColWidth(TownSheet, "A", "A", 24)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = "D2:D100000"
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$A$1:$A$%d", TownSheet, len(towns)))
		f.AddDataValidation(model.SheetEnterprises, dv)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ErrNotXLSX and ErrTooBig are the file-level refusals.
var (
	ErrNotXLSX = errors.New("not an .xlsx workbook")
	ErrTooBig  = errors.New("workbook too large")
	ErrSheets  = errors.New("workbook lacks the roster sheets")
)

// Roster is a parsed workbook: its rows and their problems.
type Roster struct {
	Enterprises []model.RosterEnterprise
	Managers    []model.RosterManager
	Problems    []model.RowProblem
}

// Parse reads a whole roster workbook into memory: for small files and
// tests; an import streams it with Open.
func Parse(data []byte, regions []model.Region, progress func(rows int)) (*Roster, error) {
	rd, err := Open(data, regions, progress)
	if err != nil {
		return nil, err
	}
	out := &Roster{}
	for {
		b, err := rd.Next(5000)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return out, nil
		}
		out.Enterprises = append(out.Enterprises, b.Enterprises...)
		out.Managers = append(out.Managers, b.Managers...)
		out.Problems = append(out.Problems, b.Problems...)
	}
}

// Reader reads a roster workbook a batch of rows at a time, the
// enterprise sheet first whatever the workbook's order, so that managers
// find the enterprises named before them. It keeps what spans batches
// only: the credit codes and (code, mobile) pairs seen, to report a row
// that repeats another.
type Reader struct {
	book     *xlsx.Book
	byName   map[string]int64
	progress func(rows int)
	sheets   []*sheetReader
	pending  []model.RowProblem // workbook-level problems, given with the first batch
	seen     int
	codes    map[string]int // credit code → first enterprise row
	pairs    map[string]int // code/mobile → first manager row
	started  bool           // the manager names were read ahead
}

// sheetReader is one roster sheet being read.
type sheetReader struct {
	sheet        xlsx.Sheet
	name         string
	cols         []Column
	isEnterprise bool
	rows         *xlsx.Rows
	index        map[string]int  // field → column position, from the header row
	has          map[string]bool // the same, as a set for the store
	headerRow    int
	noHeader     bool
	done         bool
}

// Open checks a roster workbook and finds its sheets. regions resolves
// the town column (name or division code). progress, if not nil, is told
// the rows read so far.
func Open(data []byte, regions []model.Region, progress func(rows int)) (*Reader, error) {
	if len(data) > MaxFileBytes {
		return nil, ErrTooBig
	}
	book, err := xlsx.Open(data, MaxUnzipBytes)
	if err != nil {
		return nil, fileError(err)
	}
	rd := &Reader{book: book, byName: townNames(regions), progress: progress, codes: map[string]int{}, pairs: map[string]int{}}
	// A visible sheet is read; a hidden one only when it is the only one of
	// its name, and a hidden copy beside a visible one is reported (it is
	// often a stale copy that Excel users cannot see).
	visible := map[string]bool{}
	for _, sh := range book.Sheets {
		if !sh.Hidden {
			visible[strings.TrimSpace(sh.Name)] = true
		}
	}
	var ents, mgrs []*sheetReader
	for _, sh := range book.Sheets {
		var cols []Column
		switch strings.TrimSpace(sh.Name) {
		case model.SheetEnterprises:
			cols = EnterpriseColumns
		case model.SheetManagers:
			cols = ManagerColumns
		default:
			continue
		}
		if sh.Hidden && visible[strings.TrimSpace(sh.Name)] {
			rd.pending = append(rd.pending, model.RowProblem{Sheet: sh.Name, Row: 1, Field: "sheet", Key: "err.roster.hidden_copy"})
			continue
		}
		rows, err := book.Rows(sh)
		if err != nil {
			rd.Close()
			return nil, fileError(err)
		}
		sr := &sheetReader{sheet: sh, name: sh.Name, cols: cols, isEnterprise: len(cols) == len(EnterpriseColumns), rows: rows,
			index: map[string]int{}, has: map[string]bool{}}
		if sr.isEnterprise {
			ents = append(ents, sr)
		} else {
			mgrs = append(mgrs, sr)
		}
	}
	rd.sheets = append(ents, mgrs...)
	if len(rd.sheets) == 0 {
		return nil, ErrSheets
	}
	return rd, nil
}

// fileError is the roster's refusal for a workbook the reader refused.
func fileError(err error) error {
	if errors.Is(err, xlsx.ErrTooBig) {
		return ErrTooBig
	}
	return ErrNotXLSX
}

// ManagerNames reads the manager sheet ahead (a second pass over it, with
// nothing kept but names): see model.RosterBatch.
func (rd *Reader) ManagerNames() (map[string][]string, error) {
	ahead := &Reader{book: rd.book, byName: rd.byName, codes: map[string]int{}, pairs: map[string]int{}}
	out := map[string][]string{}
	for _, sr := range rd.sheets {
		if sr.isEnterprise {
			continue
		}
		rows, err := rd.book.Rows(sr.sheet)
		if err != nil {
			return nil, fileError(err)
		}
		again := &sheetReader{sheet: sr.sheet, name: sr.name, cols: sr.cols, rows: rows, index: map[string]int{}, has: map[string]bool{}}
		for {
			var b model.RosterBatch
			more, err := ahead.row(again, &b)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if !more {
				break
			}
			if len(b.Problems) > 0 {
				continue
			}
			for _, m := range b.Managers {
				if m.Status != model.ManagerRevoked {
					out[m.USCC] = append(out[m.USCC], m.Name)
				}
			}
		}
		rows.Close()
	}
	return out, nil
}

// Batches reads batches of n rows on a goroutine of its own, one batch
// ahead of the caller: the next batch is parsed while the store writes
// this one (two in hand at most). next returns nil at the end; stop must
// be called when the caller is done, before Rows or Close.
func (rd *Reader) Batches(n int) (next func() (*model.RosterBatch, error), stop func()) {
	type result struct {
		b   *model.RosterBatch
		err error
	}
	out := make(chan result, 1)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			b, err := rd.Next(n)
			select {
			case out <- result{b, err}:
			case <-done:
				return
			}
			if b == nil || err != nil {
				return
			}
		}
	}()
	ended := false
	next = func() (*model.RosterBatch, error) {
		if ended {
			return nil, nil
		}
		r := <-out
		ended = r.b == nil || r.err != nil
		return r.b, r.err
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			close(done)
			<-finished
		}
	}
	return next, stop
}

// Rows counts the rows read so far, blank ones not counted.
func (rd *Reader) Rows() int { return rd.seen }

// Close releases the sheets not read to the end.
func (rd *Reader) Close() {
	for _, sr := range rd.sheets {
		if !sr.done {
			sr.rows.Close()
			sr.done = true
		}
	}
}

// Next returns up to n rows of one sheet and their problems, or nil when
// every sheet has been read.
func (rd *Reader) Next(n int) (*model.RosterBatch, error) {
	var names map[string][]string
	if !rd.started {
		rd.started = true
		var err error
		if names, err = rd.ManagerNames(); err != nil {
			rd.Close()
			return nil, err
		}
	}
	for _, sr := range rd.sheets {
		if sr.done {
			continue
		}
		b := &model.RosterBatch{Problems: rd.pending, ManagerNames: names}
		rd.pending = nil
		for len(b.Enterprises)+len(b.Managers) < n {
			more, err := rd.row(sr, b)
			if err != nil {
				rd.Close()
				return nil, err
			}
			if !more {
				sr.done = true
				sr.rows.Close()
				if sr.headerRow == 0 && !sr.noHeader {
					b.Problems = append(b.Problems, model.RowProblem{Sheet: strings.TrimSpace(sr.name), Row: 1, Field: "header", Key: "err.roster.no_header"})
				}
				break
			}
		}
		return b, nil
	}
	if len(rd.pending) > 0 {
		b := &model.RosterBatch{Problems: rd.pending}
		rd.pending = nil
		return b, nil
	}
	return nil, nil
}

// row reads one row of the sheet into the batch; false at the sheet's end.
func (rd *Reader) row(sr *sheetReader, out *model.RosterBatch) (bool, error) {
	if sr.noHeader || !sr.rows.Next() {
		if err := sr.rows.Err(); err != nil {
			return false, fileError(err)
		}
		return false, nil
	}
	rowNo, cells := sr.rows.Row(), sr.rows.Cells()
	// Problems name the sheet as the store and the messages know it (a
	// sheet named " 企业名录 " is read as 企业名录).
	sheet := model.SheetManagers
	if sr.isEnterprise {
		sheet = model.SheetEnterprises
	}
	cols, index, has := sr.cols, sr.index, sr.has
	if sr.headerRow == 0 {
		if named, ok := headerOf(cells, cols); ok && rowNo <= headerRows {
			sr.headerRow = rowNo
			for f, i := range named {
				index[f] = i
				has[f] = true
			}
			for _, c := range cols {
				if _, ok := index[c.Field]; !ok && (c.Field == "uscc" || c.Field == "name") {
					out.Problems = append(out.Problems, model.RowProblem{Sheet: sheet, Row: rowNo, Field: c.Field, Key: "err.roster.missing_column"})
				}
			}
			return true, nil
		}
		if rowNo < headerRows {
			return true, nil
		}
		out.Problems = append(out.Problems, model.RowProblem{Sheet: sheet, Row: 1, Field: "header", Key: "err.roster.no_header"})
		sr.noHeader = true
		return false, nil
	}
	// Cells are read as written (full-width punctuation in names and
	// addresses stays), line breaks as LF whatever saved the file;
	// codes, labels and numbers are folded where they are matched.
	get := func(field string) string {
		i, ok := index[field]
		if !ok || i >= len(cells) {
			return ""
		}
		v := cells[i]
		if strings.Contains(v, "\r") {
			v = lineBreaks.Replace(v)
		}
		switch field {
		case "name", "address", "legal_representative", "contact_name", "region_id":
			return strings.TrimSpace(v)
		}
		return strings.TrimSpace(model.FoldWidth(v))
	}
	if blank(cells) {
		return true, nil
	}
	rd.seen++
	if rd.seen > MaxRows {
		return false, ErrTooBig
	}
	if rd.progress != nil && rd.seen%1000 == 0 {
		rd.progress(rd.seen)
	}
	problem := func(field, key string) {
		out.Problems = append(out.Problems, model.RowProblem{Sheet: sheet, Row: rowNo, Field: field, Key: key})
	}
	date := func(field string) model.Date {
		s := get(field)
		if s == "" {
			return ""
		}
		if n, err := strconv.ParseFloat(s, 64); err == nil && n > 20000 && n < 80000 {
			// A date cell, read raw: days since 1900 (or 1904).
			t, err := excelize.ExcelDateToTime(n, rd.book.Date1904)
			if err == nil {
				return model.Date(t.Format("2006-01-02"))
			}
		}
		d, ok := model.ParseDate(s)
		if !ok {
			problem(field, "err.field.date")
		}
		return d
	}
	if model.NormalizeUSCC(get("uscc")) == exampleUSCC {
		// The template's example row is never a real enterprise.
		problem("uscc", "err.roster.example_row")
		return true, nil
	}
	if sr.isEnterprise {
		e := model.Enterprise{USCC: get("uscc"), Name: get("name"), Kind: label(kindLabels, get("kind")), Address: get("address"),
			IndustryCode: get("industry_code"), LegalRep: get("legal_representative"), ContactName: get("contact_name"),
			ContactPhone: get("contact_phone"), PermitNo: get("permit_no"), PermitValidTo: date("permit_valid_until")}
		if s := get("permit_class"); s != "" {
			e.PermitClass = label(permitLabels, s)
		}
		if s := get("status"); s != "" {
			e.Status = label(statusLabels, s)
		}
		for _, l := range strings.FieldsFunc(get("key_lists"), listSep) {
			e.KeyLists = append(e.KeyLists, label(listLabels, l))
		}
		for _, l := range strings.FieldsFunc(get("pollutants"), listSep) {
			e.Pollutants = append(e.Pollutants, label(pollutantLabels, strings.ToLower(model.FoldWidth(l))))
		}
		skip := ""
		if numberLost(get("uscc")) && !model.ValidUSCC(e.USCC) {
			problem("uscc", "err.roster.code_as_number")
			skip = "uscc"
		}
		if ref := get("region_id"); ref != "" {
			if id, ok := rd.byName[strings.TrimSpace(model.FoldWidth(ref))]; ok {
				e.RegionID = id
			} else {
				problem("region_id", "err.field.no_such_region")
				skip = "region_id"
			}
		}
		e.Normalize()
		report(problem, e.Validate(), skip, has)
		// A credit code twice in the sheet: the later row repeats the first.
		if first := rd.codes[e.USCC]; first > 0 && e.USCC != "" {
			out.Problems = append(out.Problems, model.RowProblem{Sheet: model.SheetEnterprises, Row: rowNo, Field: "uscc", Key: "err.roster.duplicate_row",
				Args: []string{strconv.Itoa(first)}})
		} else {
			rd.codes[e.USCC] = rowNo
		}
		out.Enterprises = append(out.Enterprises, model.RosterEnterprise{Row: rowNo, Enterprise: e, Has: has})
		return true, nil
	}
	m := model.Manager{Name: get("name"), Mobile: get("mobile"), IDCard: get("id_card"),
		CertNo: get("cert_no"), AppointedOn: date("appointed_on"), CertIssuedOn: date("cert_issued_on"), CertExpiresOn: date("cert_expires_on")}
	if s := get("role"); s != "" {
		m.Role = label(mroleLabels, s)
	}
	if s := get("status"); s != "" {
		m.Status = label(mstatusLabels, s)
	}
	uscc := model.NormalizeUSCC(get("uscc"))
	switch {
	case !model.ValidUSCC(uscc) && numberLost(get("uscc")):
		problem("uscc", "err.roster.code_as_number")
	case !model.ValidUSCC(uscc):
		problem("uscc", "err.field.uscc")
	}
	m.Normalize()
	skip := ""
	if numberLost(get("id_card")) && m.Validate() != nil {
		if e, ok := m.Validate().(*model.Error); ok && e.Fields["id_card"] != "" {
			problem("id_card", "err.roster.id_as_number")
			skip = "id_card"
		}
	}
	report(problem, m.Validate(), skip, has)
	reason := get("reason")
	if len([]rune(reason)) > 200 {
		problem("reason", "err.field.too_long")
	}
	// A mobile twice for one enterprise: the later row repeats the first.
	if k := uscc + "/" + m.Mobile; rd.pairs[k] > 0 && m.Mobile != "" {
		out.Problems = append(out.Problems, model.RowProblem{Sheet: model.SheetManagers, Row: rowNo, Field: "mobile", Key: "err.roster.duplicate_row",
			Args: []string{strconv.Itoa(rd.pairs[k])}})
	} else {
		rd.pairs[k] = rowNo
	}
	out.Managers = append(out.Managers, model.RosterManager{Row: rowNo, USCC: uscc, Reason: reason, Manager: m, Has: has})
	return true, nil
}

// townNames maps what staff write in the town column to the region: the
// full name, the code, or the name without 镇, 街道 or 乡 (许村 for 许村镇)
// where no other town shares it.
func townNames(regions []model.Region) map[string]int64 {
	names := map[string]int64{}
	short := map[string][]int64{}
	for _, r := range regions {
		names[r.Name] = r.ID
		names[r.Code] = r.ID
		for _, suffix := range []string{"街道", "镇", "乡"} {
			if s, ok := strings.CutSuffix(r.Name, suffix); ok && s != "" {
				short[s] = append(short[s], r.ID)
			}
		}
	}
	for s, ids := range short {
		if _, taken := names[s]; !taken && len(ids) == 1 {
			names[s] = ids[0]
		}
	}
	return names
}

// numberLost reports whether a cell that should hold an 18-character
// code holds a number instead: Excel keeps 15 significant digits, so such
// a code has lost its last digits (or shows as 1.23E+17).
func numberLost(raw string) bool {
	if raw == "" {
		return false
	}
	if _, err := strconv.ParseFloat(raw, 64); err != nil {
		return false
	}
	return strings.ContainsAny(raw, "eE.") || len(raw) >= 15
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// report adds a validation error's fields as problems; skip names a field
// already reported with a better message. A field whose column the sheet
// lacks is not reported here: an existing row keeps its stored value, and
// the store checks a new row again once it knows which it is.
func report(problem func(field, key string), err error, skip string, has map[string]bool) {
	var e *model.Error
	if !errors.As(err, &e) {
		return
	}
	for f, k := range e.Fields {
		if f != skip && has[f] {
			problem(f, k)
		}
	}
}

// columnOf returns the 1-based column of a field in a sheet, 1 if unknown.
func columnOf(sheet, field string) int {
	cols := EnterpriseColumns
	if sheet == model.SheetManagers {
		cols = ManagerColumns
	}
	for i, c := range cols {
		if c.Field == field {
			return i + 1
		}
	}
	return 1
}

// headerColumns finds, as Parse does, the columns (1-based) of a sheet's
// header row, so that a mark lands on the cell where the value is.
func headerColumns(book *xlsx.Book, sh xlsx.Sheet) (map[string]int, int) {
	cols := EnterpriseColumns
	if strings.TrimSpace(sh.Name) == model.SheetManagers {
		cols = ManagerColumns
	}
	rows, err := book.Rows(sh)
	if err != nil {
		return nil, 0
	}
	defer rows.Close()
	for rows.Next() && rows.Row() <= headerRows {
		if named, ok := headerOf(rows.Cells(), cols); ok {
			for f := range named {
				named[f]++ // 1-based, as excelize numbers columns
			}
			return named, rows.Row()
		}
	}
	return nil, 0
}

// headerOf reads a row as a header: the field each cell names (the
// first cell naming it), by position from 0. A header row names the
// credit code column and another of the sheet's; it is looked for within
// the first ten rows (a title, a date line or a two-level header may
// stand above it).
func headerOf(cells []string, cols []Column) (map[string]int, bool) {
	named := map[string]int{}
	for i, h := range cells {
		if f, ok := fieldOf(h, cols); ok {
			if _, dup := named[f]; !dup {
				named[f] = i
			}
		}
	}
	_, ok := named["uscc"]
	return named, ok && len(named) >= 2
}

// HeaderOf is the Chinese header of a field, for messages.
func HeaderOf(sheet, field string) string {
	cols := EnterpriseColumns
	if strings.TrimSpace(sheet) == model.SheetManagers {
		cols = ManagerColumns
	}
	for _, c := range cols {
		if c.Field == field {
			return c.Header
		}
	}
	return field
}

// ProblemArgs are a problem's message arguments.
func ProblemArgs(p model.RowProblem) []any {
	args := make([]any, len(p.Args))
	for i, a := range p.Args {
		args[i] = a
	}
	return args
}

// maxComments bounds the notes a report puts on cells: each is a shape
// in the workbook, and the problem column says the same for every row.
const maxComments = 2000

// Report returns the uploaded workbook's values with every bad cell
// filled red, a note on it saying what is wrong and, at the end of each
// row with problems, a column saying the same, in the user's language.
// The workbook is read and written as streams, a row at a time: a
// 100,000-row report no longer loads the upload whole (it took 15 s and
// 1.4 GiB with excelize). What is kept of the upload is its values: text
// as text, numbers as numbers, dates as dates; its formatting is not.
func Report(data []byte, problems []model.RowProblem, translate func(key string, args ...any) string) ([]byte, error) {
	book, err := xlsx.Open(data, MaxUnzipBytes)
	if err != nil {
		return nil, fileError(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	bad, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F8C9C4"}},
		Font: &excelize.Font{Color: "9B1C1C", Bold: true}})
	if err != nil {
		return nil, err
	}
	note, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "9B1C1C"}, Alignment: &excelize.Alignment{WrapText: true}})
	if err != nil {
		return nil, err
	}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return nil, err
	}
	bySheet := map[string][]model.RowProblem{}
	for _, p := range problems {
		bySheet[p.Sheet] = append(bySheet[p.Sheet], p)
	}
	comments := 0
	for i, sh := range book.Sheets {
		// The first sheet of a new workbook exists already.
		if i == 0 {
			err = f.SetSheetName("Sheet1", sh.Name)
		} else {
			_, err = f.NewSheet(sh.Name)
		}
		if err != nil {
			return nil, ErrNotXLSX // a name Excel itself would refuse
		}
		if sh.Hidden {
			f.SetSheetVisible(sh.Name, false)
		}
		// Where each problem's cell is, and what is said of each row.
		found, headerRow := headerColumns(book, sh)
		notes := map[[2]int][]string{} // (row, column) → messages
		var order [][2]int
		rowNotes := map[int][]string{}
		lastCol := 0
		// A sheet's problems name it as read (trimmed), a hidden copy's
		// as it is.
		mine := bySheet[sh.Name]
		if name := strings.TrimSpace(sh.Name); name != sh.Name && !sh.Hidden {
			mine = append(mine, bySheet[name]...)
		}
		for _, p := range mine {
			col, ok := found[p.Field]
			if !ok {
				col = columnOf(p.Sheet, p.Field)
			}
			msg := translate(p.Key, ProblemArgs(p)...)
			at := [2]int{p.Row, col}
			if _, ok := notes[at]; !ok {
				order = append(order, at)
			}
			notes[at] = append(notes[at], msg)
			rowNotes[p.Row] = append(rowNotes[p.Row], HeaderOf(p.Sheet, p.Field)+"："+msg)
			lastCol = max(lastCol, col)
		}
		// Notes go on before the rows stream: the stream writer keeps the
		// sheet's drawing part as it stands when it starts.
		for _, at := range order {
			if comments == maxComments {
				break
			}
			cell, _ := excelize.CoordinatesToCellName(at[1], at[0])
			if err := f.AddComment(sh.Name, excelize.Comment{Author: "envhome", Cell: cell, Text: strings.Join(notes[at], "\n")}); err != nil {
				return nil, err
			}
			comments++
		}
		if err := copySheet(f, book, sh, notes, rowNotes, headerRow, lastCol, styles{bad, note, date}); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// styles are the report's cell styles.
type styles struct{ bad, note, date int }

// copySheet streams a sheet's values into f, marking the cells in notes
// and adding a problem column after the widest of the sheet's rows (its
// header on the header row, or on row 1).
func copySheet(f *excelize.File, book *xlsx.Book, sh xlsx.Sheet, notes map[[2]int][]string, rowNotes map[int][]string,
	headerRow, lastCol int, st styles) error {
	rows, err := book.Rows(sh)
	if err != nil {
		return fileError(err)
	}
	defer func() { rows.Close() }()
	// A first pass finds how wide the sheet is, so that the problem column
	// stands clear of every value.
	width := lastCol
	if len(rowNotes) > 0 {
		for rows.Next() {
			width = max(width, len(rows.Cells()))
		}
		if err := rows.Err(); err != nil {
			return fileError(err)
		}
		rows.Close()
		if rows, err = book.Rows(sh); err != nil {
			return fileError(err)
		}
	}
	if headerRow == 0 {
		headerRow = 1
	}
	sw, err := f.NewStreamWriter(sh.Name)
	if err != nil {
		return err
	}
	problemCol := width + 1
	// The rows to write whether or not the sheet has them (a problem on
	// an empty row cannot be, but the problem column's header can), and
	// the marked columns of each row.
	var needed []int
	marked := map[int][]int{}
	for at := range notes {
		marked[at[0]] = append(marked[at[0]], at[1])
	}
	if len(rowNotes) > 0 {
		if err := sw.SetColWidth(problemCol, problemCol, 48); err != nil {
			return err
		}
		needed = append(needed, headerRow)
		for r := range rowNotes {
			needed = append(needed, r)
		}
		slices.Sort(needed)
		needed = slices.Compact(needed)
	}
	var vals []any
	writeRow := func(row int, cells []string, types []xlsx.Type) error {
		vals = vals[:0]
		for i, v := range cells {
			var val any = v
			switch types[i] {
			case xlsx.Number:
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					val = n
				}
			case xlsx.Date:
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					if t, err := excelize.ExcelDateToTime(n, book.Date1904); err == nil {
						val = excelize.Cell{StyleID: st.date, Value: t}
					}
				}
			}
			vals = append(vals, val)
		}
		// A marked cell is filled red, also one the row leaves empty.
		for _, col := range marked[row] {
			for len(vals) < col {
				vals = append(vals, nil)
			}
			v := vals[col-1]
			if c, ok := v.(excelize.Cell); ok {
				v = c.Value
			}
			vals[col-1] = excelize.Cell{StyleID: st.bad, Value: v}
		}
		switch {
		case len(rowNotes[row]) > 0:
			for len(vals) < problemCol-1 {
				vals = append(vals, nil)
			}
			vals = append(vals, excelize.Cell{StyleID: st.note, Value: strings.Join(rowNotes[row], "；")})
		case row == headerRow && len(rowNotes) > 0:
			for len(vals) < problemCol-1 {
				vals = append(vals, nil)
			}
			vals = append(vals, excelize.Cell{StyleID: st.bad, Value: "问题说明"})
		}
		if len(vals) == 0 {
			return nil
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, vals)
	}
	next := 0 // the first of needed not yet passed
	for rows.Next() {
		for next < len(needed) && needed[next] < rows.Row() {
			if err := writeRow(needed[next], nil, nil); err != nil {
				return err
			}
			next++
		}
		if next < len(needed) && needed[next] == rows.Row() {
			next++
		}
		if err := writeRow(rows.Row(), rows.Cells(), rows.Types()); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fileError(err)
	}
	for ; next < len(needed); next++ {
		if err := writeRow(needed[next], nil, nil); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// Export writes enterprises to an .xlsx with the template's columns, so an
// export can be edited and imported again. next returns the following page
// of enterprises, empty at the end.
func Export(w io.Writer, regionName func(int64) string, next func() ([]*model.Enterprise, error)) error {
	type E = *model.Enterprise
	// In EnterpriseColumns' order; codes go out as text.
	cells := []func(E) any{
		func(e E) any { return e.USCC }, func(e E) any { return e.Name }, func(e E) any { return kindNames[e.Kind] },
		func(e E) any { return regionName(e.RegionID) }, func(e E) any { return e.Address }, func(e E) any { return e.IndustryCode },
		func(e E) any { return e.LegalRep }, func(e E) any { return e.ContactName }, func(e E) any { return e.ContactPhone },
		func(e E) any { return e.PermitNo }, func(e E) any { return permitNames[e.PermitClass] },
		func(e E) any { return string(e.PermitValidTo) }, func(e E) any { return names(listNames, e.KeyLists) },
		func(e E) any { return names(pollutantNames, e.Pollutants) }, func(e E) any { return statusNames[e.Status] },
	}
	cols := make([]sheets.Column[E], len(EnterpriseColumns))
	for i, c := range EnterpriseColumns {
		cols[i] = sheets.Column[E]{Header: c.Header, Width: max(12, float64(len([]rune(c.Header)))*2+2), Value: cells[i]}
	}
	return sheets.Export(w, model.SheetEnterprises, cols, next)
}

// Write writes enterprises and managers as a roster workbook in the
// template's layout (for tests, benchmarks and round trips).
func Write(w io.Writer, regionName func(int64) string, ents []model.RosterEnterprise, mgrs []model.RosterManager) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", model.SheetEnterprises); err != nil {
		return err
	}
	if _, err := f.NewSheet(model.SheetManagers); err != nil {
		return err
	}
	write := func(sheet string, cols []Column, n int, row func(i int) []any) error {
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		head := make([]any, len(cols))
		for i, c := range cols {
			head[i] = c.Header
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, row(i)); err != nil {
				return err
			}
		}
		return sw.Flush()
	}
	err := write(model.SheetEnterprises, EnterpriseColumns, len(ents), func(i int) []any {
		e := &ents[i].Enterprise
		return []any{e.USCC, e.Name, kindNames[e.Kind], regionName(e.RegionID), e.Address, e.IndustryCode, e.LegalRep,
			e.ContactName, e.ContactPhone, e.PermitNo, permitNames[e.PermitClass], string(e.PermitValidTo),
			names(listNames, e.KeyLists), names(pollutantNames, e.Pollutants), statusNames[e.Status]}
	})
	if err != nil {
		return err
	}
	mroles := map[string]string{model.ManagerAdministrator: "环保管理员", model.ManagerChiefOfficer: "首席环保官"}
	mstat := map[string]string{model.ManagerActive: "在岗", model.ManagerSuspended: "暂停", model.ManagerRevoked: "撤销"}
	err = write(model.SheetManagers, ManagerColumns, len(mgrs), func(i int) []any {
		m := &mgrs[i]
		return []any{m.USCC, m.Name, m.Mobile, m.IDCard, mroles[m.Role], string(m.AppointedOn), m.CertNo,
			string(m.CertIssuedOn), string(m.CertExpiresOn), mstat[m.Status]}
	})
	if err != nil {
		return err
	}
	return f.Write(w)
}
