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
-- The sweep's figures are counted afresh, once, when first read.
DELETE FROM region_stats;
ALTER TABLE region_stats DROP COLUMN overdue_tasks;
ALTER TABLE region_stats DROP COLUMN missed_inspections;
ALTER TABLE region_stats DROP COLUMN tasks_open;
ALTER TABLE region_stats DROP COLUMN missed_year;
