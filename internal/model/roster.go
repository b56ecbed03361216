package model

// Sheets of the roster workbook.
const (
	SheetEnterprises = "企业名录"
	SheetManagers    = "环保管理员"
)

// RosterEnterprise is one enterprise row of an imported roster.
type RosterEnterprise struct {
	Row int // 1-based row in its sheet
	Enterprise
}

// RosterManager is one manager row, tied to an enterprise by credit code.
type RosterManager struct {
	Row  int
	USCC string
	Manager
}

// RowProblem is one bad cell: its sheet, row, field and message key.
type RowProblem struct {
	Sheet string `json:"sheet"`
	Row   int    `json:"row"`
	Field string `json:"field"`
	Key   string `json:"key"`
}

// ImportMode says what to do when some rows are bad.
type ImportMode string

const (
	ImportAllOrNothing ImportMode = "all"  // any bad row: import nothing
	ImportGoodRows     ImportMode = "good" // import the good rows, report the rest
)

// ImportResult counts what an import did.
type ImportResult struct {
	EnterprisesCreated   int          `json:"enterprises_created"`
	EnterprisesUpdated   int          `json:"enterprises_updated"`
	EnterprisesUnchanged int          `json:"enterprises_unchanged"`
	ManagersCreated      int          `json:"managers_created"`
	ManagersUpdated      int          `json:"managers_updated"`
	ManagersUnchanged    int          `json:"managers_unchanged"`
	Problems             []RowProblem `json:"problems"`
	Written              bool         `json:"written"` // false when bad rows stopped an all-or-nothing import
}
