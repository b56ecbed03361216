-- A technology case's industries and pollutants as rows, so that the
-- library's filters are index lookups instead of LIKE over the text
-- columns (which stay as the record's copy). A case for every industry
-- has the row ('industry', '').
CREATE TABLE case_facts (
    kind    TEXT NOT NULL,
    value   TEXT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES tech_cases(id),
    PRIMARY KEY (kind, value, case_id)
);
CREATE INDEX case_facts_case ON case_facts(case_id);
INSERT INTO case_facts (kind, value, case_id)
SELECT DISTINCT 'industry', v, id FROM tech_cases,
    unnest(CASE WHEN btrim(industries, ',') = '' THEN ARRAY[''] ELSE string_to_array(btrim(industries, ','), ',') END) AS v
UNION
SELECT DISTINCT 'pollutant', v, id FROM tech_cases, unnest(string_to_array(btrim(pollutants, ','), ',')) AS v WHERE v <> '';
