-- Which checklists each enterprise must do and how often, derived from
-- its directory facts by the sweep (SyncSchedules) unless set by hand
-- (adjusted), and the periods in which each is due. An occurrence is
-- unique by schedule and period, so instances deriving at once never make
-- one twice.
CREATE TABLE schedules (
    id            INTEGER PRIMARY KEY,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    family_id     BIGINT NOT NULL,
    frequency     TEXT NOT NULL,
    adjusted      INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (enterprise_id, family_id)
);
CREATE INDEX schedules_frequency ON schedules(frequency, active);

CREATE TABLE occurrences (
    id            INTEGER PRIMARY KEY,
    schedule_id   BIGINT NOT NULL REFERENCES schedules(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    family_id     BIGINT NOT NULL,
    period_start  TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    status        TEXT NOT NULL,
    inspection_id BIGINT REFERENCES inspections(id),
    completed_at  BIGINT,
    created_at    BIGINT NOT NULL,
    UNIQUE (schedule_id, period_start)
);
CREATE INDEX occurrences_enterprise ON occurrences(enterprise_id, family_id, period_start);
CREATE INDEX occurrences_status ON occurrences(status, due_on);

-- The derivation reads the enterprises changed since its last run.
CREATE INDEX enterprises_updated ON enterprises(updated_at);

ALTER TABLE region_stats ADD COLUMN missed_inspections INTEGER NOT NULL DEFAULT 0;

-- An enterprise's compliance calendar as an iCalendar feed: the address
-- is the secret (calendar apps send no credentials), stored hashed.
CREATE TABLE duty_feeds (
    enterprise_id BIGINT PRIMARY KEY REFERENCES enterprises(id),
    token         TEXT NOT NULL UNIQUE
);
