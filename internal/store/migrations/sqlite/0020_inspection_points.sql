-- Inspection points: an enterprise's outlets, treatment facilities and
-- hazardous-waste store, each with a QR label; scanning it opens the
-- items checked there, and each answer records the point it was given at.
CREATE TABLE inspection_points (
    id            INTEGER PRIMARY KEY,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    codes         TEXT NOT NULL DEFAULT '[]',
    created_at    BIGINT NOT NULL
);
CREATE INDEX inspection_points_enterprise ON inspection_points(enterprise_id, id);
ALTER TABLE inspection_answers ADD COLUMN point_id BIGINT REFERENCES inspection_points(id);
