-- One- and two-character searches served by an index (store/grams.go):
-- every piece of each enterprise's search text made of letters, digits
-- or non-ASCII characters, in an array with a GIN index.
CREATE TABLE enterprise_grams (
    id    BIGINT PRIMARY KEY REFERENCES enterprises(id),
    grams TEXT[] NOT NULL
);
INSERT INTO enterprise_grams (id, grams)
SELECT e.id, ARRAY(SELECT DISTINCT g FROM (
        SELECT substr(e.search_text, i, 1) AS g FROM generate_series(1, length(e.search_text)) i
        UNION SELECT substr(e.search_text, i, 2) FROM generate_series(1, length(e.search_text) - 1) i
    ) x WHERE g !~ '[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]')
FROM enterprises e;
CREATE INDEX enterprise_grams_gin ON enterprise_grams USING gin (grams);
