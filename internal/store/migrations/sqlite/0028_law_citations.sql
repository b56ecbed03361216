-- What cites each article of the law library: the items of published
-- checklists (written when a version is published; ref_id is the
-- checklist's family, so a new version replaces its family's rows) and
-- courses (written when a course is saved).
CREATE TABLE law_citations (
    law_id   BIGINT NOT NULL REFERENCES laws(id),
    akey     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    ref_id   BIGINT NOT NULL,
    ref_code TEXT NOT NULL DEFAULT ''
);
CREATE INDEX law_citations_article ON law_citations(law_id, akey);
CREATE INDEX law_citations_ref ON law_citations(kind, ref_id);
