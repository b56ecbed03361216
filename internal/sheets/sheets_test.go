package sheets_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/envhome/envhome/internal/sheets"
)

// TestExportPages writes pages of rows under a header and keeps codes as
// text.
func TestExportPages(t *testing.T) {
	type row struct {
		code string
		n    int
	}
	pages := [][]row{{{"000123", 1}, {"91330481MA2B0CAA5X", 2}}, {{"3", 3}}, nil}
	var b bytes.Buffer
	cols := []sheets.Column[row]{
		{Header: "代码", Width: 20, Value: func(r row) any { return r.code }},
		{Header: "数量", Value: func(r row) any { return r.n }},
	}
	if err := sheets.Export(&b, "清单", cols, func() ([]row, error) { p := pages[0]; pages = pages[1:]; return p, nil }); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("清单")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rows); got != "[[代码 数量] [000123 1] [91330481MA2B0CAA5X 2] [3 3]]" {
		t.Errorf("rows: %s", got)
	}
	if typ, _ := f.GetCellType("清单", "A2"); typ == excelize.CellTypeNumber {
		t.Error("a code was written as a number")
	}
}
