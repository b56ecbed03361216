-- An enterprise's multi-valued facts (its key discharge lists, its main
-- pollutants) as rows, so that a filter on one value is an index lookup
-- in both databases instead of a LIKE walking the table until enough
-- rows match. The text columns stay as the record's copy.
CREATE TABLE enterprise_facts (
    kind          TEXT NOT NULL,
    value         TEXT NOT NULL,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    PRIMARY KEY (kind, value, enterprise_id)
);
CREATE INDEX enterprise_facts_enterprise ON enterprise_facts(enterprise_id);
INSERT INTO enterprise_facts (kind, value, enterprise_id)
SELECT 'key_list', 'water', id FROM enterprises WHERE key_lists LIKE '%,water,%'
UNION ALL SELECT 'key_list', 'groundwater', id FROM enterprises WHERE key_lists LIKE '%,groundwater,%'
UNION ALL SELECT 'key_list', 'air', id FROM enterprises WHERE key_lists LIKE '%,air,%'
UNION ALL SELECT 'key_list', 'noise', id FROM enterprises WHERE key_lists LIKE '%,noise,%'
UNION ALL SELECT 'key_list', 'soil', id FROM enterprises WHERE key_lists LIKE '%,soil,%'
UNION ALL SELECT 'key_list', 'risk', id FROM enterprises WHERE key_lists LIKE '%,risk,%'
UNION ALL SELECT 'pollutant', 'cod', id FROM enterprises WHERE pollutants LIKE '%,cod,%'
UNION ALL SELECT 'pollutant', 'ammonia', id FROM enterprises WHERE pollutants LIKE '%,ammonia,%'
UNION ALL SELECT 'pollutant', 'phosphorus', id FROM enterprises WHERE pollutants LIKE '%,phosphorus,%'
UNION ALL SELECT 'pollutant', 'nitrogen', id FROM enterprises WHERE pollutants LIKE '%,nitrogen,%'
UNION ALL SELECT 'pollutant', 'heavy_metals', id FROM enterprises WHERE pollutants LIKE '%,heavy_metals,%'
UNION ALL SELECT 'pollutant', 'so2', id FROM enterprises WHERE pollutants LIKE '%,so2,%'
UNION ALL SELECT 'pollutant', 'nox', id FROM enterprises WHERE pollutants LIKE '%,nox,%'
UNION ALL SELECT 'pollutant', 'particulates', id FROM enterprises WHERE pollutants LIKE '%,particulates,%'
UNION ALL SELECT 'pollutant', 'vocs', id FROM enterprises WHERE pollutants LIKE '%,vocs,%'
UNION ALL SELECT 'pollutant', 'odour', id FROM enterprises WHERE pollutants LIKE '%,odour,%'
UNION ALL SELECT 'pollutant', 'hazardous_waste', id FROM enterprises WHERE pollutants LIKE '%,hazardous_waste,%'
UNION ALL SELECT 'pollutant', 'solid_waste', id FROM enterprises WHERE pollutants LIKE '%,solid_waste,%'
UNION ALL SELECT 'pollutant', 'noise', id FROM enterprises WHERE pollutants LIKE '%,noise,%';
