-- Each enterprise's compliance colour beside its record, written in the
-- transaction that records a change of colour, so that a list filtered by
-- colour pages along an index however rare the colour ('' = never
-- computed).
ALTER TABLE enterprises ADD COLUMN color TEXT NOT NULL DEFAULT '';
UPDATE enterprises SET color = (SELECT c.color FROM compliance c WHERE c.enterprise_id = enterprises.id)
    WHERE id IN (SELECT enterprise_id FROM compliance);
CREATE INDEX enterprises_color ON enterprises(color, id);
CREATE INDEX enterprises_region_color ON enterprises(region_id, color, id);
