-- Files of the through train: a demand's attachments and a deal's evidence
-- of its costs, numbered from 1 per owner.
CREATE TABLE market_files (
    owner        TEXT NOT NULL,
    owner_id     BIGINT NOT NULL,
    n            INTEGER NOT NULL,
    name         TEXT NOT NULL,
    file         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (owner, owner_id, n)
);
CREATE INDEX market_files_file ON market_files(file);
