-- An enterprise's main pollutants, as the key-unit lists: ",cod,nox,".
ALTER TABLE enterprises ADD COLUMN pollutants TEXT NOT NULL DEFAULT ',';

-- Cases of governance technology and pollution-control models. A case is
-- submitted, reviewed by the bureau and published; publishing pushes it to
-- the key discharge units it fits (recipients), whose reads and interests
-- are counted on the case in the same transactions.
CREATE TABLE tech_cases (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    industries   TEXT NOT NULL,
    pollutants   TEXT NOT NULL,
    technique    TEXT NOT NULL,
    figures      TEXT NOT NULL,
    investment   DOUBLE PRECISION,
    running_cost DOUBLE PRECISION,
    provider     TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL,
    status       TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    submitted_by BIGINT NOT NULL REFERENCES users(id),
    submitter    TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    published_at BIGINT,
    recipients   INTEGER NOT NULL DEFAULT 0,
    reads        INTEGER NOT NULL DEFAULT 0,
    interests    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tech_cases_status ON tech_cases(status, id);
CREATE INDEX tech_cases_submitter ON tech_cases(submitted_by, id);

CREATE TABLE tech_case_files (
    case_id      BIGINT NOT NULL REFERENCES tech_cases(id),
    n            INTEGER NOT NULL,
    name         TEXT NOT NULL,
    file         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (case_id, n)
);
CREATE INDEX tech_case_files_file ON tech_case_files(file);

CREATE TABLE tech_case_recipients (
    case_id       BIGINT NOT NULL REFERENCES tech_cases(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    region_id     BIGINT NOT NULL,
    read_at       BIGINT,
    PRIMARY KEY (case_id, enterprise_id)
);
CREATE INDEX tech_case_recipients_enterprise ON tech_case_recipients(enterprise_id, case_id);
CREATE INDEX tech_case_recipients_town ON tech_case_recipients(case_id, region_id);

-- An enterprise's interest in a case: the bureau's lead.
CREATE TABLE tech_case_interests (
    case_id       BIGINT NOT NULL REFERENCES tech_cases(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    region_id     BIGINT NOT NULL,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    note          TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (case_id, enterprise_id)
);
CREATE INDEX tech_case_interests_time ON tech_case_interests(created_at);
CREATE INDEX tech_case_interests_town ON tech_case_interests(region_id, created_at);
