-- The managers' yearly appraisal: a manager's score and grade for a year
-- with the points and the facts behind them, as computed (draft),
-- confirmed by the association with its comment, and published by the
-- bureau; an unqualified manager's plan of courses.
CREATE TABLE appraisals (
    manager_id    BIGINT NOT NULL REFERENCES managers(id),
    year          INTEGER NOT NULL,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    region_id     BIGINT NOT NULL,
    score         REAL NOT NULL,
    grade         TEXT NOT NULL,
    points        TEXT NOT NULL,
    facts         TEXT NOT NULL,
    status        TEXT NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    confirmed_by  TEXT NOT NULL DEFAULT '',
    confirmed_at  BIGINT,
    published_at  BIGINT,
    computed_at   BIGINT NOT NULL,
    plan          TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (manager_id, year)
);
CREATE INDEX appraisals_town ON appraisals(year, region_id, score);
CREATE INDEX appraisals_enterprise ON appraisals(enterprise_id, year);
