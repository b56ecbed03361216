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
-- The lists hold codes and pollutant names (letters, digits, '_'), so
-- that each one becomes a JSON string as it stands.
INSERT INTO case_facts (kind, value, case_id)
SELECT DISTINCT 'industry', j.value, c.id FROM tech_cases c, json_each('["' || replace(trim(c.industries, ','), ',', '","') || '"]') j
UNION
SELECT DISTINCT 'pollutant', j.value, c.id FROM tech_cases c, json_each('["' || replace(trim(c.pollutants, ','), ',', '","') || '"]') j WHERE j.value <> '';
