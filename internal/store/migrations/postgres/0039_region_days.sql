-- The towns' figures are kept in the writing transactions from now on
-- (store/sums.go). Figures that depend on the day they are read (tasks
-- overdue today, inspections missed in the last 90 days) are kept per
-- town and due day, and summed over the days wanted when read.
CREATE TABLE region_days (
    region_id  BIGINT NOT NULL,
    day        TEXT NOT NULL,
    open_tasks INTEGER NOT NULL DEFAULT 0,
    missed     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (region_id, day)
);
INSERT INTO region_days (region_id, day, open_tasks, missed)
SELECT region_id, day, SUM(open_tasks), SUM(missed) FROM (
    SELECT e.region_id, t.due_on AS day, 1 AS open_tasks, 0 AS missed FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id WHERE t.status <> 'closed'
    UNION ALL
    SELECT e.region_id, o.due_on, 0, 1 FROM occurrences o JOIN enterprises e ON e.id = o.enterprise_id WHERE o.status = 'missed'
) x GROUP BY region_id, day;
-- The years whose town figures are kept (counted once, then kept by the
-- writes), whether or not any town has figures yet.
CREATE TABLE counted_years (
    year       INTEGER PRIMARY KEY,
    counted_at BIGINT NOT NULL
);
-- The town figures per year are rebuilt: kept by the writes from now on,
-- and in a few shards per town and year, so that parallel writes in one
-- town (a registration rush) do not all wait on one row; a read sums the
-- shards. They are counted afresh, once, when first read.
DROP TABLE region_stats;
CREATE TABLE region_stats (
    region_id        BIGINT NOT NULL REFERENCES regions(id),
    year             INTEGER NOT NULL,
    shard            INTEGER NOT NULL,
    enterprises      INTEGER NOT NULL DEFAULT 0,
    without_manager  INTEGER NOT NULL DEFAULT 0,
    green            INTEGER NOT NULL DEFAULT 0,
    yellow           INTEGER NOT NULL DEFAULT 0,
    red              INTEGER NOT NULL DEFAULT 0,
    unassessed       INTEGER NOT NULL DEFAULT 0,
    honesty_flags    INTEGER NOT NULL DEFAULT 0,
    managers         INTEGER NOT NULL DEFAULT 0,
    behind           INTEGER NOT NULL DEFAULT 0,
    hours            DOUBLE PRECISION NOT NULL DEFAULT 0,
    required         DOUBLE PRECISION NOT NULL DEFAULT 0,
    classes          INTEGER NOT NULL DEFAULT 0,
    seats            INTEGER NOT NULL DEFAULT 0,
    attended         INTEGER NOT NULL DEFAULT 0,
    feedback         INTEGER NOT NULL DEFAULT 0,
    feedback_sum     INTEGER NOT NULL DEFAULT 0,
    inspections_done INTEGER NOT NULL DEFAULT 0,
    notices          INTEGER NOT NULL DEFAULT 0,
    notices_read     INTEGER NOT NULL DEFAULT 0,
    demands          INTEGER NOT NULL DEFAULT 0,
    deals_active     INTEGER NOT NULL DEFAULT 0,
    deals_completed  INTEGER NOT NULL DEFAULT 0,
    saving           DOUBLE PRECISION NOT NULL DEFAULT 0,
    excellent        INTEGER NOT NULL DEFAULT 0,
    qualified        INTEGER NOT NULL DEFAULT 0,
    improve          INTEGER NOT NULL DEFAULT 0,
    unqualified      INTEGER NOT NULL DEFAULT 0,
    computed_at      BIGINT NOT NULL,
    PRIMARY KEY (region_id, year, shard)
);
