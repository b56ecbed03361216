-- The towns' self-inspection figures join the other town figures kept by
-- the sweep, so a home page never counts a province's enterprises.
ALTER TABLE region_stats ADD COLUMN green INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN yellow INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN red INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN unassessed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN overdue_tasks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN honesty_flags INTEGER NOT NULL DEFAULT 0;
