// Package sheets writes lists as Excel workbooks for download: one sheet,
// a header row, then the rows page by page through excelize's stream
// writer, so that a list of a million rows is never held in memory. Every
// list export (the directory today; credits, inspections and deals next)
// goes through Export.
package sheets

import (
	"io"

	"github.com/xuri/excelize/v2"
)

// Column is one column of a list: its header and its cell for a row.
// Values are written as they are: a string stays text, so codes with
// leading zeros or 18 digits are never turned into numbers.
type Column[T any] struct {
	Header string
	Width  float64 // in characters; 0 leaves Excel's default
	Value  func(T) any
}

// Export writes the rows that next returns, page after page until an empty
// page, to w as a workbook with one sheet named sheet.
func Export[T any](w io.Writer, sheet string, cols []Column[T], next func() ([]T, error)) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, c := range cols {
		if c.Width > 0 {
			if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
				return err
			}
		}
	}
	// The header stays in view while scrolling (set before any row).
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = c.Header
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	row := 2
	vals := make([]any, len(cols))
	for {
		page, err := next()
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for _, item := range page {
			for i, c := range cols {
				vals[i] = c.Value(item)
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(cell, vals); err != nil {
				return err
			}
			row++
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
