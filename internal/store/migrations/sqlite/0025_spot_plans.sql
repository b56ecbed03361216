-- An association's (or the bureau's) plan of spot checks: which
-- enterprises of its town it will check in a month. A plan entry is done
-- when a spot check of the enterprise is submitted in that month.
CREATE TABLE spot_plans (
    id            INTEGER PRIMARY KEY,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    region_id     BIGINT NOT NULL REFERENCES regions(id),
    month         TEXT NOT NULL,
    planned_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (enterprise_id, month)
);
CREATE INDEX spot_plans_region ON spot_plans(month, region_id);
