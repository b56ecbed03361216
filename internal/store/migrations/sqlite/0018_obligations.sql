-- The compliance calendar: what an enterprise's obligations are derived
-- from (beside its record), and the obligations themselves, one row per
-- kind and period, kept when done.
CREATE TABLE obligation_facts (
    enterprise_id           BIGINT PRIMARY KEY REFERENCES enterprises(id),
    report_frequency        TEXT NOT NULL DEFAULT '',
    permit_issued_on        TEXT NOT NULL DEFAULT '',
    disclosure_required     INTEGER NOT NULL DEFAULT 0,
    emergency_plan_filed_on TEXT NOT NULL DEFAULT '',
    updated_at              BIGINT NOT NULL
);

CREATE TABLE obligations (
    id            INTEGER PRIMARY KEY,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    kind          TEXT NOT NULL,
    period        TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    done_at       BIGINT,
    done_ref      TEXT NOT NULL DEFAULT '',
    UNIQUE (enterprise_id, kind, period)
);
CREATE INDEX obligations_due ON obligations(done_at, due_on);
