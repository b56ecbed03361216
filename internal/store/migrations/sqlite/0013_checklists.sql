-- Self-inspection checklists. Each row is one version; versions of a
-- checklist share family_id (the first version's id). A published version
-- never changes (the store refuses it); content holds its sections and
-- items as JSON, applies_to which enterprises it binds.
CREATE TABLE checklists (
    id            INTEGER PRIMARY KEY,
    family_id     BIGINT NOT NULL,
    version       INTEGER NOT NULL,
    scope         TEXT NOT NULL,
    region_id     BIGINT REFERENCES regions(id),
    enterprise_id BIGINT REFERENCES enterprises(id),
    title         TEXT NOT NULL,
    content       TEXT NOT NULL,
    applies_to    TEXT NOT NULL,
    status        TEXT NOT NULL,
    published_at  BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (family_id, version)
);
CREATE INDEX checklists_scope ON checklists(scope, status, region_id, enterprise_id);
-- At most one draft per checklist at a time.
CREATE UNIQUE INDEX checklists_one_draft ON checklists(family_id) WHERE status = 'draft';
