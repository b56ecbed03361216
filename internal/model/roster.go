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
	// Has says which fields the sheet has a column for: a field whose
	// column is absent keeps its stored value (absent is not empty). Nil
	// (rows made by a program) means every column.
	Has map[string]bool
}

// RosterManager is one manager row, tied to an enterprise by credit code.
type RosterManager struct {
	Row  int
	USCC string
	// Reason is the row's 变更原因: a status change from a file needs one,
	// as on the manager's page, and it goes into the history.
	Reason string
	Manager
	// Has says which fields the sheet has a column for.
	Has map[string]bool
}

// RowProblem is one bad cell: its sheet, row, field and message key.
type RowProblem struct {
	Sheet string   `json:"sheet"`
	Row   int      `json:"row"`
	Field string   `json:"field"`
	Key   string   `json:"key"`
	Args  []string `json:"args,omitempty"` // fill the message (the row a duplicate repeats)
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
	// WouldClear counts the stored values empty cells would clear; those
	// rows wait for the user's confirmation (import again with clearing).
	WouldClear int `json:"would_clear"`
}

// KeepAbsent puts back the stored values of the fields whose columns the
// sheet lacks, so that a roster of a few columns changes only those.
func (r *RosterEnterprise) KeepAbsent(old *Enterprise) {
	if r.Has == nil {
		return
	}
	e, h := &r.Enterprise, r.Has
	keep := func(field string, dst, src any) {
		if !h[field] {
			switch d := dst.(type) {
			case *string:
				*d = *src.(*string)
			case *int64:
				*d = *src.(*int64)
			case *Date:
				*d = *src.(*Date)
			case *[]string:
				*d = append([]string{}, *src.(*[]string)...)
			}
		}
	}
	keep("kind", &e.Kind, &old.Kind)
	keep("region_id", &e.RegionID, &old.RegionID)
	keep("address", &e.Address, &old.Address)
	keep("industry_code", &e.IndustryCode, &old.IndustryCode)
	keep("legal_representative", &e.LegalRep, &old.LegalRep)
	keep("contact_name", &e.ContactName, &old.ContactName)
	keep("contact_phone", &e.ContactPhone, &old.ContactPhone)
	keep("permit_no", &e.PermitNo, &old.PermitNo)
	keep("permit_class", &e.PermitClass, &old.PermitClass)
	keep("permit_valid_until", &e.PermitValidTo, &old.PermitValidTo)
	keep("key_lists", &e.KeyLists, &old.KeyLists)
	keep("pollutants", &e.Pollutants, &old.Pollutants)
	keep("status", &e.Status, &old.Status)
}

// KeepAbsent puts back the stored values of the appointment's fields whose
// columns the sheet lacks.
func (r *RosterManager) KeepAbsent(old *Manager) {
	if r.Has == nil {
		return
	}
	m, h := &r.Manager, r.Has
	if !h["role"] {
		m.Role = old.Role
	}
	if !h["appointed_on"] {
		m.AppointedOn = old.AppointedOn
	}
	if !h["cert_no"] {
		m.CertNo = old.CertNo
	}
	if !h["cert_issued_on"] {
		m.CertIssuedOn = old.CertIssuedOn
	}
	if !h["cert_expires_on"] {
		m.CertExpiresOn = old.CertExpiresOn
	}
	if !h["status"] {
		m.Status = old.Status
	}
}

// RosterBatch is a run of rows read from one sheet of a roster, with
// the problems found in them: an import reads a workbook batch by batch,
// the enterprise sheet before the manager sheet, and never holds it all.
type RosterBatch struct {
	Enterprises []RosterEnterprise
	Managers    []RosterManager
	Problems    []RowProblem
	// ManagerNames, read ahead of the enterprises (on the first batch),
	// are the names the file's good manager rows appoint at each credit
	// code, revoked ones left out, in row order: a new enterprise is then
	// written with its search text whole, and not again once its
	// managers are.
	ManagerNames map[string][]string
}
