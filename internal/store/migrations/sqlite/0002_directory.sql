-- Directory: region kinds, associations, Homes and rooms, the full
-- enterprise record, people and their appointments as environmental
-- managers with history, search, and persistent background jobs.

ALTER TABLE regions ADD COLUMN kind TEXT NOT NULL DEFAULT 'town';

CREATE TABLE associations (
    id            INTEGER PRIMARY KEY,
    region_id     INTEGER NOT NULL UNIQUE REFERENCES regions(id),
    name          TEXT NOT NULL,
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE homes (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    region_id     INTEGER NOT NULL REFERENCES regions(id),
    address       TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    opening_hours TEXT NOT NULL DEFAULT '',
    photo         TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX homes_region ON homes(region_id, id);

CREATE TABLE home_rooms (
    id      INTEGER PRIMARY KEY,
    home_id INTEGER NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    seats   INTEGER NOT NULL CHECK (seats > 0),
    UNIQUE (home_id, name)
);

ALTER TABLE enterprises ADD COLUMN kind TEXT NOT NULL DEFAULT 'company';
ALTER TABLE enterprises ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN industry_code TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN legal_rep TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN permit_no TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN permit_class TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN permit_valid_to TEXT NOT NULL DEFAULT '';
-- Key-unit lists as ",air,water," so one list is found with LIKE '%,air,%'.
ALTER TABLE enterprises ADD COLUMN key_lists TEXT NOT NULL DEFAULT ',';
ALTER TABLE enterprises ADD COLUMN association_id INTEGER REFERENCES associations(id);
ALTER TABLE enterprises ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
-- Name, credit code and manager names, lower case, for search.
ALTER TABLE enterprises ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN manager_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX enterprises_kind ON enterprises(kind, id);
CREATE INDEX enterprises_permit ON enterprises(permit_class, id);
CREATE INDEX enterprises_industry ON enterprises(industry_code, id);

-- Chinese substring search: FTS5 with the trigram tokenizer over
-- search_text, rowid = enterprise id. The store keeps it in step in batches
-- (Dialect.syncSearch), not by triggers: FTS5 flushes its buffer at every
-- statement, so a trigger per row makes a large import ten times slower.
CREATE VIRTUAL TABLE enterprise_search USING fts5(search_text, tokenize='trigram');
INSERT INTO enterprise_search(rowid, search_text) SELECT id, search_text FROM enterprises;

CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    mobile     TEXT NOT NULL UNIQUE,
    id_card    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE managers (
    id              INTEGER PRIMARY KEY,
    enterprise_id   INTEGER NOT NULL REFERENCES enterprises(id),
    person_id       INTEGER NOT NULL REFERENCES people(id),
    role            TEXT NOT NULL,
    appointed_on    TEXT NOT NULL DEFAULT '',
    appointment_doc TEXT NOT NULL DEFAULT '',
    cert_no         TEXT NOT NULL DEFAULT '',
    cert_issued_on  TEXT NOT NULL DEFAULT '',
    cert_expires_on TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (enterprise_id, person_id)
);
CREATE INDEX managers_person ON managers(person_id);
CREATE INDEX managers_status ON managers(status, enterprise_id);

CREATE TABLE manager_history (
    id         INTEGER PRIMARY KEY,
    manager_id INTEGER NOT NULL REFERENCES managers(id),
    at         BIGINT NOT NULL,
    actor_name TEXT NOT NULL,
    field      TEXT NOT NULL,
    old_value  TEXT NOT NULL,
    new_value  TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX manager_history_manager ON manager_history(manager_id, id);

-- Background work that survives a restart: a worker leases a job by setting
-- lease_until; a lease that runs out (a crash) makes the job due again.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    progress    INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    result      TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    user_id     INTEGER REFERENCES users(id),
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease_until BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs(status, lease_until);
