-- The workbenches' figures per town, for a year: computed in the
-- background (every few minutes, by any instance) so that a home page
-- reads a row per town instead of counting a province's tables.
CREATE TABLE region_stats (
    region_id       BIGINT NOT NULL REFERENCES regions(id),
    year            INTEGER NOT NULL,
    enterprises     INTEGER NOT NULL,
    without_manager INTEGER NOT NULL,
    managers        INTEGER NOT NULL,
    behind          INTEGER NOT NULL,
    hours           REAL NOT NULL,
    required        REAL NOT NULL,
    computed_at     BIGINT NOT NULL,
    PRIMARY KEY (region_id, year)
);
