-- The dashboards' figures per town and year, beside the workbench's:
-- classes held in the town's Homes, their seats, bookings and attendance,
-- feedback, self-inspections submitted, open rectifications, notices to
-- the town's enterprises and their reads, demands, deals and savings.
ALTER TABLE region_stats ADD COLUMN classes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN seats INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN booked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN attended INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN feedback INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN feedback_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN inspections_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN tasks_open INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN notices INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN notices_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN demands INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN deals_active INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN deals_completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN saving REAL NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN missed_year INTEGER NOT NULL DEFAULT 0;

-- An enterprise's dashboard reads its receipts, deals and demands by the
-- enterprise.
CREATE INDEX announcement_receipts_enterprise ON announcement_receipts(enterprise_id, announcement_id);

-- The managers' grades of the year (confirmed or published), by town.
ALTER TABLE region_stats ADD COLUMN excellent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN qualified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN improve INTEGER NOT NULL DEFAULT 0;
ALTER TABLE region_stats ADD COLUMN unqualified INTEGER NOT NULL DEFAULT 0;
