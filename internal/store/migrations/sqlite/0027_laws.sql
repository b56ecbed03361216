-- The law library: documents with their dates (the status is computed
-- from them), versions of their text, and each version's articles. An
-- article's key ("102", "10-1" for 第十条之一) is stable across versions,
-- so its URL is. current marks the articles of each document's version in
-- force, which search reads.
CREATE TABLE laws (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    short_title    TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL,
    issuer         TEXT NOT NULL DEFAULT '',
    doc_number     TEXT NOT NULL DEFAULT '',
    adopted_on     TEXT NOT NULL DEFAULT '',
    promulgated_on TEXT NOT NULL DEFAULT '',
    effective_on   TEXT NOT NULL,
    repealed_on    TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    search_text    TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX laws_kind ON laws(kind, id);

CREATE TABLE law_versions (
    id           INTEGER PRIMARY KEY,
    law_id       BIGINT NOT NULL REFERENCES laws(id),
    label        TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    warnings     TEXT NOT NULL DEFAULT '[]',
    articles     INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX law_versions_law ON law_versions(law_id, effective_on);

CREATE TABLE law_articles (
    id          INTEGER PRIMARY KEY,
    law_id      BIGINT NOT NULL REFERENCES laws(id),
    version_id  BIGINT NOT NULL REFERENCES law_versions(id),
    akey        TEXT NOT NULL,
    label       TEXT NOT NULL,
    chapter     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    current     INTEGER NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL,
    UNIQUE (version_id, akey)
);
CREATE INDEX law_articles_law ON law_articles(law_id, current, seq);
-- Chinese substring search over articles and titles (store.searchIndex).
CREATE VIRTUAL TABLE law_search USING fts5(search_text, tokenize='trigram');
CREATE VIRTUAL TABLE law_title_search USING fts5(search_text, tokenize='trigram');
