-- Reminders of calendar duties at 30, 7 and 1 days (the last stage sent,
-- 0 for none) and the escalation of overdue rectifications (1: the
-- enterprise told; 2: its association told).
ALTER TABLE obligations ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;
