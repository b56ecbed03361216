-- A submitted inspection never changes: a correction is a new revision
-- (a draft with the same checklist version and the answers copied) made
-- with a reason, which supersedes the original when it is submitted.
ALTER TABLE inspections ADD COLUMN revision_of BIGINT REFERENCES inspections(id);
ALTER TABLE inspections ADD COLUMN revision_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE inspections ADD COLUMN superseded_by BIGINT REFERENCES inspections(id);
-- At most one revision of an inspection.
CREATE UNIQUE INDEX inspections_one_revision ON inspections(revision_of);
