-- Uploaded files live in the database, so that every instance serves every
-- file and a backup holds them all. A file is named by the SHA-256 of its
-- bytes (the same upload is stored once) and kept in chunks, so that it is
-- written and served a piece at a time. Rows that use a file (homes.photo,
-- lecturers.photo, course_materials.file, import jobs) hold its hash; the
-- names of files still on disk from before are moved in at start-up.

CREATE TABLE files (
    hash         TEXT PRIMARY KEY,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    chunks       INTEGER NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE file_chunks (
    hash TEXT NOT NULL REFERENCES files(hash) ON DELETE CASCADE,
    seq  INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (hash, seq)
);
