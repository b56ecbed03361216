-- Each rectification task carries its enterprise's town, so that a town's
-- list of tasks by status pages along an index however few tasks the town
-- has; a trigger keeps it when an enterprise moves town.
ALTER TABLE tasks ADD COLUMN region_id BIGINT;
UPDATE tasks SET region_id = (SELECT e.region_id FROM enterprises e WHERE e.id = tasks.enterprise_id);
CREATE INDEX tasks_status_id ON tasks(status, id);
CREATE INDEX tasks_region ON tasks(region_id, status, id);
CREATE FUNCTION tasks_follow_region() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tasks SET region_id = NEW.region_id WHERE enterprise_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER tasks_follow_region AFTER UPDATE OF region_id ON enterprises
    FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id) EXECUTE FUNCTION tasks_follow_region();
