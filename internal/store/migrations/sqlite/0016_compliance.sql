-- Each enterprise's compliance colour as last computed, and every change
-- of it: recomputed whenever a fact behind it changes (an inspection
-- submitted, a task moved) and when it is read.
CREATE TABLE compliance (
    enterprise_id BIGINT PRIMARY KEY REFERENCES enterprises(id),
    color         TEXT NOT NULL,
    since         BIGINT NOT NULL,
    computed_at   BIGINT NOT NULL
);
CREATE INDEX compliance_color ON compliance(color, enterprise_id);

CREATE TABLE compliance_history (
    id            INTEGER PRIMARY KEY,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    at            BIGINT NOT NULL,
    color         TEXT NOT NULL,
    reasons       TEXT NOT NULL
);
CREATE INDEX compliance_history_enterprise ON compliance_history(enterprise_id, id);
