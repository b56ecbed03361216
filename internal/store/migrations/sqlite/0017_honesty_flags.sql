-- A spot check that finds a problem on an item the enterprise's last
-- self-inspection marked "ok": a self-reporting honesty signal.
CREATE TABLE honesty_flags (
    id                 INTEGER PRIMARY KEY,
    enterprise_id      BIGINT NOT NULL REFERENCES enterprises(id),
    spot_inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    self_inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    code               TEXT NOT NULL,
    point              TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    UNIQUE (spot_inspection_id, code)
);
CREATE INDEX honesty_flags_enterprise ON honesty_flags(enterprise_id, id);
