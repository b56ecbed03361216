-- Beside each category a provider lists, the part of its score no demand
-- changes (model.ProviderBase): matching walks a category's providers best
-- first and stops where no one left can enter the ranking.
ALTER TABLE provider_facts ADD COLUMN rank_base INTEGER NOT NULL DEFAULT -1000;
CREATE INDEX provider_facts_rank ON provider_facts(kind, value, rank_base, provider_id);

-- A provider's market reads the open demands of its categories from this
-- index alone: what scoring needs is in it.
CREATE INDEX demands_fit ON demands(status, category, quote_deadline, open_to, pollutants, industry, region_id);
