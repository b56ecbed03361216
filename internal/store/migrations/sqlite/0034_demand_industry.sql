-- A demand keeps its enterprise's industry code, so that ranking demands
-- for a provider reads each candidate row alone.
ALTER TABLE demands ADD COLUMN industry TEXT NOT NULL DEFAULT '';
UPDATE demands SET industry = (SELECT e.industry_code FROM enterprises e WHERE e.id = demands.enterprise_id);
