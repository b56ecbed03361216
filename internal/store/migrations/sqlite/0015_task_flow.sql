-- Rectification: an owner (one of the enterprise's managers), evidence
-- (files kept in the database and a note), and every step in the task's
-- history: open → submitted → closed by a verifier, or reopened.
ALTER TABLE tasks ADD COLUMN owner_manager_id BIGINT REFERENCES managers(id);
ALTER TABLE tasks ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tasks ADD COLUMN evidence_note TEXT NOT NULL DEFAULT '';

CREATE TABLE task_events (
    id         INTEGER PRIMARY KEY,
    task_id    BIGINT NOT NULL REFERENCES tasks(id),
    at         BIGINT NOT NULL,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX task_events_task ON task_events(task_id, id);
