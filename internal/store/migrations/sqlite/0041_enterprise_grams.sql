-- One- and two-character searches served by an index (store/grams.go):
-- every piece of each enterprise's search text as a token of an FTS5
-- table with the ascii tokenizer, which keeps non-ASCII characters in
-- tokens and splits on ASCII punctuation and spaces. Only the token's
-- presence is needed: no positions, no sizes.
CREATE VIRTUAL TABLE enterprise_grams USING fts5(grams, tokenize='ascii', detail='none', columnsize=0);
INSERT INTO enterprise_grams (rowid, grams)
WITH RECURSIVE pos(id, t, i) AS (
    SELECT id, search_text, 1 FROM enterprises WHERE search_text <> ''
    UNION ALL
    SELECT id, t, i + 1 FROM pos WHERE i < length(t)
)
SELECT id, group_concat(substr(t, i, 1) || ' ' || substr(t, i, 2), ' ') FROM pos GROUP BY id;
