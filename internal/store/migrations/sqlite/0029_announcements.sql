-- Announcements of the bureau or an association to an audience: every
-- account the audience matched when it was published is a recipient row,
-- read when the account opens it; reads counts them.
CREATE TABLE announcements (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    audience     TEXT NOT NULL,
    cites        TEXT NOT NULL DEFAULT '[]',
    publisher    TEXT NOT NULL,
    region_id    BIGINT REFERENCES regions(id),
    published_by BIGINT,
    published_at BIGINT NOT NULL,
    recipients   INTEGER NOT NULL DEFAULT 0,
    reads        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX announcements_region ON announcements(region_id, id);

CREATE TABLE announcement_recipients (
    announcement_id BIGINT NOT NULL REFERENCES announcements(id),
    user_id         BIGINT NOT NULL REFERENCES users(id),
    enterprise_id   BIGINT,
    region_id       BIGINT,
    read_at         BIGINT,
    reminded_at     BIGINT,
    PRIMARY KEY (announcement_id, user_id)
);
CREATE INDEX announcement_recipients_user ON announcement_recipients(user_id, announcement_id);
CREATE INDEX announcement_recipients_region ON announcement_recipients(announcement_id, region_id);

-- The read-receipt table, one row per enterprise (its accounts together)
-- or per account that is not an enterprise's, kept in the transactions
-- that publish, read and remind, so the publisher's table is an index
-- range however many it reached.
CREATE TABLE announcement_receipts (
    announcement_id BIGINT NOT NULL REFERENCES announcements(id),
    unit            TEXT NOT NULL,
    enterprise_id   BIGINT,
    region_id       BIGINT,
    name            TEXT NOT NULL,
    accounts        INTEGER NOT NULL,
    reads           INTEGER NOT NULL DEFAULT 0,
    first_read_at   BIGINT,
    reminded_at     BIGINT,
    PRIMARY KEY (announcement_id, unit)
);
CREATE INDEX announcement_receipts_unread ON announcement_receipts(announcement_id, reads, unit);
CREATE INDEX announcement_receipts_town ON announcement_receipts(announcement_id, region_id, reads, unit);
