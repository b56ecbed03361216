-- The catalogue's search uses the same Chinese substring index as the
-- directory (store.searchIndex): course titles and descriptions.
CREATE INDEX courses_search ON courses USING gin (search_text gin_trgm_ops);
