-- An enterprise's multi-valued facts (its key discharge lists, its main
-- pollutants) as rows, so that a filter on one value is an index lookup
-- in both databases instead of a LIKE walking the table until enough
-- rows match. The text columns stay as the record's copy. The town is
-- kept beside each row, so that a list filtered in one town (an
-- association's own) reads only that town's rows.
CREATE TABLE enterprise_facts (
    kind          TEXT NOT NULL,
    value         TEXT NOT NULL,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    region_id     BIGINT NOT NULL,
    PRIMARY KEY (kind, value, enterprise_id)
);
CREATE INDEX enterprise_facts_enterprise ON enterprise_facts(enterprise_id);
CREATE INDEX enterprise_facts_town ON enterprise_facts(kind, value, region_id, enterprise_id);
INSERT INTO enterprise_facts (kind, value, enterprise_id, region_id)
SELECT 'key_list', 'water', id, region_id FROM enterprises WHERE key_lists LIKE '%,water,%'
UNION ALL SELECT 'key_list', 'groundwater', id, region_id FROM enterprises WHERE key_lists LIKE '%,groundwater,%'
UNION ALL SELECT 'key_list', 'air', id, region_id FROM enterprises WHERE key_lists LIKE '%,air,%'
UNION ALL SELECT 'key_list', 'noise', id, region_id FROM enterprises WHERE key_lists LIKE '%,noise,%'
UNION ALL SELECT 'key_list', 'soil', id, region_id FROM enterprises WHERE key_lists LIKE '%,soil,%'
UNION ALL SELECT 'key_list', 'risk', id, region_id FROM enterprises WHERE key_lists LIKE '%,risk,%'
UNION ALL SELECT 'pollutant', 'cod', id, region_id FROM enterprises WHERE pollutants LIKE '%,cod,%'
UNION ALL SELECT 'pollutant', 'ammonia', id, region_id FROM enterprises WHERE pollutants LIKE '%,ammonia,%'
UNION ALL SELECT 'pollutant', 'phosphorus', id, region_id FROM enterprises WHERE pollutants LIKE '%,phosphorus,%'
UNION ALL SELECT 'pollutant', 'nitrogen', id, region_id FROM enterprises WHERE pollutants LIKE '%,nitrogen,%'
UNION ALL SELECT 'pollutant', 'heavy_metals', id, region_id FROM enterprises WHERE pollutants LIKE '%,heavy_metals,%'
UNION ALL SELECT 'pollutant', 'so2', id, region_id FROM enterprises WHERE pollutants LIKE '%,so2,%'
UNION ALL SELECT 'pollutant', 'nox', id, region_id FROM enterprises WHERE pollutants LIKE '%,nox,%'
UNION ALL SELECT 'pollutant', 'particulates', id, region_id FROM enterprises WHERE pollutants LIKE '%,particulates,%'
UNION ALL SELECT 'pollutant', 'vocs', id, region_id FROM enterprises WHERE pollutants LIKE '%,vocs,%'
UNION ALL SELECT 'pollutant', 'odour', id, region_id FROM enterprises WHERE pollutants LIKE '%,odour,%'
UNION ALL SELECT 'pollutant', 'hazardous_waste', id, region_id FROM enterprises WHERE pollutants LIKE '%,hazardous_waste,%'
UNION ALL SELECT 'pollutant', 'solid_waste', id, region_id FROM enterprises WHERE pollutants LIKE '%,solid_waste,%'
UNION ALL SELECT 'pollutant', 'noise', id, region_id FROM enterprises WHERE pollutants LIKE '%,noise,%';
