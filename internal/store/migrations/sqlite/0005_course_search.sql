-- The catalogue's search uses the same Chinese substring index as the
-- directory (store.searchIndex): course titles and descriptions.
CREATE VIRTUAL TABLE course_search USING fts5(search_text, tokenize='trigram');
INSERT INTO course_search(rowid, search_text) SELECT id, search_text FROM courses;
