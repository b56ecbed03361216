-- The "Environmental protection +" through train: providers, demands,
-- sealed quotes and deals.

-- A provider account's organisation.
ALTER TABLE users ADD COLUMN provider_id BIGINT;

CREATE TABLE providers (
    id            INTEGER PRIMARY KEY,
    uscc          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    categories    TEXT NOT NULL,
    pollutants    TEXT NOT NULL,
    industries    TEXT NOT NULL,
    region_ids    TEXT NOT NULL,
    licences      TEXT NOT NULL,
    contact_name  TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    contact_email TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    verified_at   BIGINT,
    verified_by   BIGINT,
    grade         TEXT NOT NULL DEFAULT '',
    grade_reason  TEXT NOT NULL DEFAULT '',
    rating_sum    INTEGER NOT NULL DEFAULT 0,
    rating_count  INTEGER NOT NULL DEFAULT 0,
    deals_done    INTEGER NOT NULL DEFAULT 0,
    cases         INTEGER NOT NULL DEFAULT 0,
    created_by    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- What a provider offers, one row a fact, so that matching starts from an
-- index: kind is category (a category it serves now, licence in force),
-- pollutant, industry or town.
CREATE TABLE provider_facts (
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (provider_id, kind, value)
);
CREATE INDEX provider_facts_value ON provider_facts(kind, value, provider_id);

CREATE TABLE provider_licences (
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    n           INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    number      TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    notified_on TEXT,
    PRIMARY KEY (provider_id, n)
);
CREATE INDEX provider_licences_expiry ON provider_licences(valid_until);

-- An account's declared tie to a provider: it never reviews or verifies
-- that provider's affairs.
CREATE TABLE provider_ties (
    user_id     BIGINT NOT NULL REFERENCES users(id),
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, provider_id)
);

CREATE TABLE demands (
    id             INTEGER PRIMARY KEY,
    enterprise_id  BIGINT NOT NULL REFERENCES enterprises(id),
    region_id      BIGINT NOT NULL,
    title          TEXT NOT NULL,
    category       TEXT NOT NULL,
    pollutants     TEXT NOT NULL,
    description    TEXT NOT NULL,
    flow           DOUBLE PRECISION,
    flow_unit      TEXT NOT NULL DEFAULT '',
    targets        TEXT NOT NULL,
    standard       TEXT NOT NULL DEFAULT '',
    budget_min     DOUBLE PRECISION,
    budget_max     DOUBLE PRECISION,
    quote_deadline BIGINT NOT NULL,
    open_to        TEXT NOT NULL,
    source         TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    published_at   BIGINT,
    closed_at      BIGINT,
    quotes         INTEGER NOT NULL DEFAULT 0,
    created_by     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX demands_open ON demands(status, category, quote_deadline);
CREATE INDEX demands_enterprise ON demands(enterprise_id, id);
CREATE INDEX demands_town ON demands(region_id, status, id);

CREATE TABLE demand_invites (
    demand_id   BIGINT NOT NULL REFERENCES demands(id),
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    PRIMARY KEY (demand_id, provider_id)
);
CREATE INDEX demand_invites_provider ON demand_invites(provider_id, demand_id);

CREATE TABLE quotes (
    id            INTEGER PRIMARY KEY,
    demand_id     BIGINT NOT NULL REFERENCES demands(id),
    provider_id   BIGINT NOT NULL REFERENCES providers(id),
    price         DOUBLE PRECISION NOT NULL,
    includes      TEXT NOT NULL,
    timeline_days INTEGER NOT NULL,
    outcome       TEXT NOT NULL,
    revision      INTEGER NOT NULL DEFAULT 1,
    status        TEXT NOT NULL,
    sent_at       BIGINT NOT NULL,
    UNIQUE (demand_id, provider_id)
);
CREATE INDEX quotes_provider ON quotes(provider_id, id);

CREATE TABLE quote_revisions (
    quote_id      BIGINT NOT NULL REFERENCES quotes(id),
    revision      INTEGER NOT NULL,
    price         DOUBLE PRECISION NOT NULL,
    includes      TEXT NOT NULL,
    timeline_days INTEGER NOT NULL,
    outcome       TEXT NOT NULL,
    sent_at       BIGINT NOT NULL,
    PRIMARY KEY (quote_id, revision)
);

CREATE TABLE deals (
    id            INTEGER PRIMARY KEY,
    demand_id     BIGINT NOT NULL UNIQUE REFERENCES demands(id),
    quote_id      BIGINT NOT NULL UNIQUE REFERENCES quotes(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    provider_id   BIGINT NOT NULL REFERENCES providers(id),
    region_id     BIGINT NOT NULL,
    price         DOUBLE PRECISION NOT NULL,
    milestones    TEXT NOT NULL,
    baseline_cost DOUBLE PRECISION,
    baseline_note TEXT NOT NULL DEFAULT '',
    achieved_cost DOUBLE PRECISION,
    achieved_note TEXT NOT NULL DEFAULT '',
    saving        DOUBLE PRECISION,
    status        TEXT NOT NULL,
    completed_at  BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX deals_town ON deals(region_id, status);
CREATE INDEX deals_provider ON deals(provider_id, id);
CREATE INDEX deals_enterprise ON deals(enterprise_id, id);

CREATE TABLE deal_ratings (
    deal_id    BIGINT NOT NULL REFERENCES deals(id),
    side       TEXT NOT NULL,
    score      INTEGER NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    rated_by   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (deal_id, side)
);

-- A technology case may name its provider.
ALTER TABLE tech_cases ADD COLUMN provider_id BIGINT;
