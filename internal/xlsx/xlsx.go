// Package xlsx reads .xlsx workbooks row by row without holding a sheet
// in memory: only the shared strings are kept (in one byte arena), and a
// sheet's XML is scanned as it is unzipped. It reads what Excel, WPS,
// LibreOffice, openpyxl (pandas), xlsxwriter and excelize write: shared
// and inline strings, rich text, formulas' cached values, namespace
// prefixes, rows and cells without references, the 1904 date system and
// hidden sheets. Cell values come raw (numbers and dates as stored).
//
// excelize reads a whole workbook into memory (a 100,000-row roster took
// 6 s and about 400 MiB); this reader takes a fraction of a second and
// holds the shared strings only.
package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strings"
)

// Errors a workbook is refused with.
var (
	ErrFormat = errors.New("xlsx: not an .xlsx workbook")
	ErrTooBig = errors.New("xlsx: the workbook unpacks past the limit")
)

// Sheet is one worksheet of a workbook.
type Sheet struct {
	Name   string
	Hidden bool // hidden or very hidden
	part   string
}

// Book is an open workbook.
type Book struct {
	zr       *zip.Reader
	Sheets   []Sheet
	Date1904 bool
	strings  table
	limit    int64  // what one part may unpack to
	dates    []bool // by cell format (the s of a cell): shows a date
}

// Type is what a cell holds.
type Type byte

// Cell types. A number in a date format is a Date (its value the serial
// number as stored).
const (
	Empty Type = iota
	Text
	Number
	Date
	Bool
	Error
)

// table is the shared strings: one arena and where each string ends.
type table struct {
	arena []byte
	ends  []uint32
}

func (t *table) get(i int) (string, bool) {
	if i < 0 || i >= len(t.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return string(t.arena[start:t.ends[i]]), true
}

// Open reads a workbook's structure and shared strings from data;
// maxUnpacked bounds everything it unpacks (a zip bomb is refused before
// it is unpacked, by the sizes the archive declares, and while unpacking).
func Open(data []byte, maxUnpacked int64) (*Book, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, ErrFormat
	}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
	}
	if declared > uint64(maxUnpacked) {
		return nil, ErrTooBig
	}
	b := &Book{zr: zr, limit: maxUnpacked}
	wbPart := "xl/workbook.xml"
	if rels, err := b.rels("_rels/.rels", ""); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPart = r.Target
			}
		}
	}
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"`
			ID    string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
			// Strict OOXML names the relationship in another namespace.
			StrictID string `xml:"http://purl.oclc.org/ooxml/officeDocument/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := b.decode(wbPart, &wb); err != nil {
		return nil, err
	}
	b.Date1904 = wb.Pr.Date1904 == "1" || strings.EqualFold(wb.Pr.Date1904, "true")
	rels, err := b.rels(path.Join(path.Dir(wbPart), "_rels", path.Base(wbPart)+".rels"), path.Dir(wbPart))
	if err != nil {
		return nil, err
	}
	byID := map[string]string{}
	sst := ""
	styles := ""
	for _, r := range rels {
		byID[r.ID] = r.Target
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			sst = r.Target
		}
		if strings.HasSuffix(r.Type, "/styles") {
			styles = r.Target
		}
	}
	if styles != "" {
		b.readStyles(styles)
	}
	for _, s := range wb.Sheets {
		id := s.ID
		if id == "" {
			id = s.StrictID
		}
		part, ok := byID[id]
		if !ok {
			continue // a chart sheet or a dangling entry
		}
		b.Sheets = append(b.Sheets, Sheet{Name: s.Name, Hidden: s.State == "hidden" || s.State == "veryHidden", part: part})
	}
	if sst != "" {
		if err := b.readStrings(sst); err != nil {
			return nil, err
		}
	}
	return b, nil
}

type rel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// rels reads a relationships part; targets come back as paths in the
// archive, relative ones resolved against dir.
func (b *Book) rels(name, dir string) ([]rel, error) {
	var doc struct {
		Rels []rel `xml:"Relationship"`
	}
	if err := b.decode(name, &doc); err != nil {
		return nil, err
	}
	for i, r := range doc.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join(dir, t)
		}
		doc.Rels[i].Target = t
	}
	return doc.Rels, nil
}

// open opens a part of the archive, counting what is unpacked against
// the limit. Part names match case-insensitively, as some writers differ
// in case between the relationships and the archive.
func (b *Book) open(name string) (io.ReadCloser, error) {
	for _, f := range b.zr.File {
		if strings.EqualFold(f.Name, name) {
			rc, err := f.Open()
			if err != nil {
				return nil, ErrFormat
			}
			return &counted{rc: rc, left: b.limit}, nil
		}
	}
	return nil, ErrFormat
}

// decode unmarshals a small part (the workbook, relationships).
func (b *Book) decode(name string, v any) error {
	rc, err := b.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		if errors.Is(err, ErrTooBig) {
			return ErrTooBig
		}
		return ErrFormat
	}
	return nil
}

// counted stops reading a part past the limit. The sum of the sizes the
// archive declares is checked when the book opens, and archive/zip refuses
// a part that unpacks past its declared size; this is the last guard, per
// reading (a sheet may be read more than once).
type counted struct {
	rc   io.ReadCloser
	left int64
}

func (c *counted) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, ErrTooBig
	}
	if err != nil && err != io.EOF {
		return n, ErrFormat
	}
	return n, err
}

func (c *counted) Close() error { return c.rc.Close() }

// readStrings keeps the shared strings: the text of each <si>, its rich
// text runs joined, phonetic guides (<rPh>) left out.
func (b *Book) readStrings(name string) error {
	rc, err := b.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	sc := newScanner(rc)
	t := &b.strings
	inSI, inT, ruby := false, false, 0
	for {
		tok, err := sc.next()
		if err != nil {
			return err
		}
		switch tok {
		case tokEOF:
			return nil
		case tokStart:
			switch string(sc.name) {
			case "si":
				inSI = true
			case "rPh":
				ruby++
			case "t":
				inT = inSI && ruby == 0 && !sc.selfClosing
			}
			if sc.selfClosing {
				if string(sc.name) == "si" {
					inSI = false
					t.ends = append(t.ends, uint32(len(t.arena)))
				}
				if string(sc.name) == "rPh" {
					ruby--
				}
			}
		case tokEnd:
			switch string(sc.name) {
			case "si":
				inSI = false
				t.ends = append(t.ends, uint32(len(t.arena)))
			case "rPh":
				ruby--
			case "t":
				inT = false
			}
		case tokText:
			if inT {
				t.arena = sc.appendText(t.arena)
				if len(t.arena) > 1<<31 {
					return ErrTooBig
				}
			}
		}
	}
}

// readStyles notes which cell formats show dates; a workbook whose
// styles cannot be read has its numbers read as numbers.
func (b *Book) readStyles(name string) {
	var doc struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmt int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if b.decode(name, &doc) != nil {
		return
	}
	custom := map[int]bool{}
	for _, f := range doc.NumFmts {
		custom[f.ID] = dateCode(f.Code)
	}
	b.dates = make([]bool, len(doc.Xfs))
	for i, x := range doc.Xfs {
		id := x.NumFmt
		isDate, ok := custom[id]
		if !ok {
			// The built-in date and time formats, the CJK ones included.
			isDate = (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58)
		}
		b.dates[i] = isDate
	}
}

// dateCode reports whether a number format shows a date: it has a day,
// month or year outside quotes and brackets (yyyy-mm-dd, yyyy"年"m"月"d"日").
func dateCode(code string) bool {
	quoted, bracket := false, false
	for _, r := range strings.ToLower(code) {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '[':
			bracket = true
		case r == ']':
			bracket = false
		case bracket:
		case r == 'y' || r == 'd' || r == 'm':
			return true
		}
	}
	return false
}

// Rows reads a sheet row by row.
type Rows struct {
	b     *Book
	rc    io.ReadCloser
	sc    *scanner
	row   int
	cells []string
	types []Type
	err   error
	done  bool
}

// Rows opens a sheet for reading.
func (b *Book) Rows(s Sheet) (*Rows, error) {
	rc, err := b.open(s.part)
	if err != nil {
		return nil, err
	}
	return &Rows{b: b, rc: rc, sc: newScanner(rc)}, nil
}

// Close releases the sheet.
func (r *Rows) Close() error { return r.rc.Close() }

// Err is the error that ended the rows, if any.
func (r *Rows) Err() error { return r.err }

// Row is the current row's number (1-based, as the sheet numbers it).
func (r *Rows) Row() int { return r.row }

// Cells are the current row's values by column (A is 0), raw: shared and
// inline strings as text, numbers and dates as stored. The slice is
// reused by the next call to Next.
func (r *Rows) Cells() []string { return r.cells }

// Types are the current row's cell types, beside Cells.
func (r *Rows) Types() []Type { return r.types }

// Next reads the next row that the sheet has; rows it skips are empty.
func (r *Rows) Next() bool {
	if r.done || r.err != nil {
		return false
	}
	sc := r.sc
	inRow, inCell, inV, inIS, inT, ruby := false, false, false, false, false, 0
	col, kind, style := 0, byte(0), -1
	var val []byte
	for {
		tok, err := sc.next()
		if err != nil {
			r.err = err
			return false
		}
		switch tok {
		case tokEOF:
			r.done = true
			return false
		case tokStart:
			switch string(sc.name) {
			case "row":
				inRow = true
				r.cells, r.types = r.cells[:0], r.types[:0]
				n, ok := intAttr(sc.attrs, "r")
				if !ok {
					n = r.row + 1
				}
				if n <= r.row || n > 1<<20 {
					r.err = ErrFormat
					return false
				}
				r.row = n
				col = 0
				if sc.selfClosing {
					return true
				}
			case "c":
				if !inRow {
					continue
				}
				if ref, ok := attr(sc.attrs, "r"); ok {
					c := columnOf(ref)
					if c < 0 || c < col {
						r.err = ErrFormat
						return false
					}
					col = c
				}
				kind, style = 0, -1
				if n, ok := intAttr(sc.attrs, "s"); ok {
					style = n
				}
				if t, ok := attr(sc.attrs, "t"); ok && len(t) > 0 {
					kind = t[0] // s(hared), b(oolean), i(nlineStr), str, n, e, d
					if string(t) == "str" {
						kind = 'S' // a formula's text
					}
				}
				val = val[:0]
				inCell = !sc.selfClosing
				if sc.selfClosing {
					col++
				}
			case "v":
				inV = inCell && !sc.selfClosing
			case "is":
				inIS = inCell && !sc.selfClosing
			case "rPh":
				if !sc.selfClosing {
					ruby++
				}
			case "t":
				inT = inIS && ruby == 0 && !sc.selfClosing
			}
		case tokText:
			if inV || inT {
				val = sc.appendText(val)
			}
		case tokEnd:
			switch string(sc.name) {
			case "v":
				inV = false
			case "t":
				inT = false
			case "is":
				inIS = false
			case "rPh":
				ruby--
			case "c":
				if !inCell {
					continue
				}
				inCell = false
				s, err := r.value(kind, val)
				if err != nil {
					r.err = err
					return false
				}
				if s != "" {
					for len(r.cells) < col {
						r.cells = append(r.cells, "")
						r.types = append(r.types, Empty)
					}
					r.cells = append(r.cells, s)
					r.types = append(r.types, r.b.typeOf(kind, style))
				}
				col++
			case "row":
				return true
			}
		}
	}
}

// typeOf is a cell's type from its t and s attributes.
func (b *Book) typeOf(kind byte, style int) Type {
	switch kind {
	case 's', 'i':
		return Text
	case 'b':
		return Bool
	case 'e':
		return Error
	case 'd':
		return Text // an ISO date as text, as a person types it
	case 0, 'n':
		if style >= 0 && style < len(b.dates) && b.dates[style] {
			return Date
		}
		return Number
	}
	return Text
}

// value turns a cell's stored text into its value.
func (r *Rows) value(kind byte, v []byte) (string, error) {
	switch kind {
	case 's':
		i, ok := atoi(bytes.TrimSpace(v))
		if !ok {
			return "", ErrFormat
		}
		s, ok := r.b.strings.get(i)
		if !ok {
			return "", ErrFormat
		}
		return s, nil
	case 'd':
		// An ISO 8601 date cell: as the date and time a person types.
		return strings.Replace(string(v), "T", " ", 1), nil
	case 'b':
		if string(v) == "1" {
			return "TRUE", nil
		}
		return "FALSE", nil
	}
	return string(v), nil
}

// columnOf is a cell reference's column, A being 0 ("AB12" is 27).
func columnOf(ref []byte) int {
	n := 0
	i := 0
	for ; i < len(ref); i++ {
		c := ref[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			break
		}
		n = n*26 + int(c-'A'+1)
		if n > 16384 {
			return -1
		}
	}
	if i == 0 {
		return -1
	}
	return n - 1
}

func intAttr(attrs []byte, name string) (int, bool) {
	v, ok := attr(attrs, name)
	if !ok {
		return 0, false
	}
	return atoi(v)
}

// atoi reads a small non-negative decimal number.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
