-- Carbon accounting: factors with their sources, enterprises' monthly
-- activity, and the sums the dashboards read, kept in the writing
-- transactions.

CREATE TABLE emission_factors (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    name           TEXT NOT NULL,
    year           INTEGER NOT NULL,
    scope          TEXT NOT NULL DEFAULT '',
    region         TEXT NOT NULL DEFAULT '',
    value          REAL NOT NULL DEFAULT 0,
    unit           TEXT NOT NULL,
    ncv            REAL NOT NULL DEFAULT 0,
    carbon_content REAL NOT NULL DEFAULT 0,
    oxidation      REAL NOT NULL DEFAULT 0,
    source         TEXT NOT NULL,
    announced_on   TEXT NOT NULL DEFAULT '',
    superseded_by  BIGINT REFERENCES emission_factors(id),
    uses           INTEGER NOT NULL DEFAULT 0,
    created_by     BIGINT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX emission_factors_kind ON emission_factors(kind, year);

-- The grid factors of REFERENCE.md, exactly as given. Announcement dates
-- are left empty where they could not be checked against the original.
INSERT INTO emission_factors (kind, name, year, scope, region, value, unit, source, announced_on, created_at) VALUES
 ('electricity', '2021年全国电力平均二氧化碳排放因子', 2021, '全国电力平均', '全国', 0.5568, 'kgCO2/kWh',
  '生态环境部、国家统计局《关于发布2021年电力二氧化碳排放因子的公告》', '', 1764460800000),
 ('electricity', '2022年全国电力平均二氧化碳排放因子', 2022, '全国电力平均', '全国', 0.5366, 'kgCO2/kWh',
  '生态环境部、国家统计局《关于发布2022年电力二氧化碳排放因子的公告》', '', 1764460800000),
 ('electricity', '2022年全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量）', 2022, '不包括市场化交易的非化石能源电量', '全国', 0.5856, 'kgCO2/kWh',
  '生态环境部、国家统计局《关于发布2022年电力二氧化碳排放因子的公告》', '', 1764460800000),
 ('electricity', '2022年全国化石能源电力二氧化碳排放因子', 2022, '化石能源电力', '全国', 0.8325, 'kgCO2/kWh',
  '生态环境部、国家统计局《关于发布2022年电力二氧化碳排放因子的公告》', '', 1764460800000),
 ('electricity', '2022年华东区域电力平均二氧化碳排放因子', 2022, '区域电力平均', '华东', 0.5617, 'kgCO2/kWh',
  '生态环境部、国家统计局《关于发布2022年电力二氧化碳排放因子的公告》', '', 1764460800000),
 ('electricity', '全国碳市场2022年度排放报告用电网排放因子', 2022, '碳排放权交易报告', '全国', 0.5703, 'tCO2/MWh',
  '生态环境部办公厅《关于做好2023—2025年发电行业企业温室气体排放报告管理有关工作的通知》', '', 1764460800000);

-- A month of an enterprise's activity: its totals by scope (the sum of
-- its lines) and its output value, 万元, where given.
CREATE TABLE activity_months (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    month         TEXT NOT NULL,
    output_value  REAL,
    scope1        REAL NOT NULL,
    scope2        REAL NOT NULL,
    updated_by    BIGINT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, month)
);

CREATE TABLE activity_lines (
    enterprise_id BIGINT NOT NULL,
    month         TEXT NOT NULL,
    n             INTEGER NOT NULL,
    source        TEXT NOT NULL,
    factor_id     BIGINT REFERENCES emission_factors(id),
    amount        REAL NOT NULL,
    unit          TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    t_co2         REAL NOT NULL,
    PRIMARY KEY (enterprise_id, month, n),
    FOREIGN KEY (enterprise_id, month) REFERENCES activity_months(enterprise_id, month)
);
CREATE INDEX activity_lines_factor ON activity_lines(factor_id);

-- An enterprise's year and a town's year, kept with every month written:
-- the dashboards read these, never the lines.
CREATE TABLE carbon_years (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    year          INTEGER NOT NULL,
    region_id     BIGINT NOT NULL,
    scope1        REAL NOT NULL,
    scope2        REAL NOT NULL,
    months        INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, year)
);
CREATE INDEX carbon_years_region ON carbon_years(region_id, year);

CREATE TABLE region_carbon (
    region_id   BIGINT NOT NULL,
    year        INTEGER NOT NULL,
    scope1      REAL NOT NULL,
    scope2      REAL NOT NULL,
    enterprises INTEGER NOT NULL,
    PRIMARY KEY (region_id, year)
);

-- A deal of the through train may name the emissions it cuts a year.
ALTER TABLE deals ADD COLUMN co2_cut REAL;
