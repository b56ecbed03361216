-- Inspections against a checklist version: a self-inspection by the
-- enterprise or a spot check by its town's association. Answers are saved
-- one by one as they are given (a reload resumes); submitting scores the
-- inspection in one transaction, after which it never changes.
CREATE TABLE inspections (
    id            INTEGER PRIMARY KEY,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    checklist_id  BIGINT NOT NULL REFERENCES checklists(id),
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    started_by    TEXT NOT NULL,
    earned        INTEGER NOT NULL DEFAULT 0,
    max_score     INTEGER NOT NULL DEFAULT 0,
    score         REAL,
    passed        INTEGER,
    submitted_at  BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX inspections_enterprise ON inspections(enterprise_id, id);

CREATE TABLE inspection_answers (
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    code          TEXT NOT NULL,
    result        TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    photo_ids     TEXT NOT NULL DEFAULT '[]',
    answered_by   TEXT NOT NULL,
    answered_at   BIGINT NOT NULL,
    PRIMARY KEY (inspection_id, code)
);

CREATE TABLE inspection_photos (
    id            INTEGER PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    file_hash     TEXT NOT NULL,
    taken_at      BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX inspection_photos_inspection ON inspection_photos(inspection_id);

-- A rectification task for each problem an inspection found.
CREATE TABLE tasks (
    id            INTEGER PRIMARY KEY,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    code          TEXT NOT NULL,
    point         TEXT NOT NULL,
    severity      TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (inspection_id, code)
);
CREATE INDEX tasks_enterprise ON tasks(enterprise_id, status, due_on);
CREATE INDEX tasks_due ON tasks(status, due_on);
