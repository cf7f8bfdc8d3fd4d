-- Change log (also the history of every record) and the counter that orders it by commit.
CREATE TABLE change_counter (
  id INTEGER PRIMARY KEY,
  last_seq BIGINT NOT NULL
);
INSERT INTO change_counter (id, last_seq) VALUES (1, 0);

CREATE TABLE change_log (
  seq BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,            -- Unix epoch milliseconds
  actor TEXT NOT NULL,           -- user:<id> or system:<component>
  source TEXT NOT NULL,          -- console | import | field | call | demo | cli
  entity TEXT NOT NULL,          -- table name
  entity_id BIGINT NOT NULL,
  version BIGINT NOT NULL,       -- the record's version after the change
  op TEXT NOT NULL,              -- create | update | delete
  fields TEXT NOT NULL           -- JSON; personal fields hold sealed values only
);
CREATE INDEX change_log_entity ON change_log (entity, entity_id, seq);

-- The hierarchy. A row's parent and path never change: moves, splits and 村改居 retire the row
-- (valid_to) and create successors linked in org_unit_link.
CREATE TABLE org_unit (
  id BIGINT PRIMARY KEY,
  parent_id BIGINT REFERENCES org_unit (id),
  kind TEXT NOT NULL,                      -- city | street | community | grid | micro_grid
  subtype TEXT NOT NULL DEFAULT '',        -- 街道/镇/乡 for streets, 社区/村 for communities
  division_code TEXT {{C}} NOT NULL,
  name TEXT {{C}} NOT NULL,
  official_name TEXT {{C}} NOT NULL,
  path TEXT {{C}} NOT NULL,                -- '/<id>/<id>/.../' from the city down to this unit
  depth INTEGER NOT NULL,
  boundary TEXT,                           -- GeoJSON geometry, WGS-84
  valid_from TEXT {{C}} NOT NULL,          -- YYYY-MM-DD, inclusive
  valid_to TEXT {{C}},                     -- YYYY-MM-DD, exclusive; NULL while current
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX org_unit_path ON org_unit (path);
CREATE INDEX org_unit_parent ON org_unit (parent_id);
CREATE INDEX org_unit_code ON org_unit (division_code);
CREATE INDEX org_unit_kind ON org_unit (kind, valid_to);

CREATE TABLE org_unit_link (
  unit_id BIGINT NOT NULL REFERENCES org_unit (id),
  predecessor_id BIGINT NOT NULL REFERENCES org_unit (id),
  kind TEXT NOT NULL,                      -- split | merge | move | village_to_community
  effective TEXT {{C}} NOT NULL,
  PRIMARY KEY (unit_id, predecessor_id)
);
CREATE INDEX org_unit_link_predecessor ON org_unit_link (predecessor_id);

-- Places.
CREATE TABLE complex (
  id BIGINT PRIMARY KEY,
  unit_id BIGINT NOT NULL REFERENCES org_unit (id),   -- the community it lies in
  name TEXT {{C}} NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  property_company TEXT NOT NULL DEFAULT '',
  owners_committee TEXT NOT NULL DEFAULT '',
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX complex_unit ON complex (unit_id);

CREATE TABLE building (
  id BIGINT PRIMARY KEY,
  complex_id BIGINT REFERENCES complex (id),
  unit_id BIGINT NOT NULL REFERENCES org_unit (id),   -- the micro_grid it lies in
  name TEXT {{C}} NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  lon DOUBLE PRECISION,
  lat DOUBLE PRECISION,
  floors INTEGER,
  units INTEGER,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX building_unit ON building (unit_id);
CREATE INDEX building_complex ON building (complex_id);

CREATE TABLE household (
  id BIGINT PRIMARY KEY,
  building_id BIGINT NOT NULL REFERENCES building (id),
  unit_no TEXT NOT NULL DEFAULT '',        -- 单元
  room TEXT NOT NULL DEFAULT '',           -- 室
  head_resident_id BIGINT,
  assistance_type TEXT,                    -- subsistence_allowance | near_poverty | extreme_poverty
  assistance_from TEXT,
  assistance_to TEXT,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX household_building ON household (building_id);

-- People. ID number and phones are sealed (AES-256-GCM), with a keyed hash for exact lookup and a
-- masked form for display; the plain values are never stored.
CREATE TABLE resident (
  id BIGINT PRIMARY KEY,
  household_id BIGINT REFERENCES household (id),
  unit_id BIGINT NOT NULL REFERENCES org_unit (id),   -- the unit the resident counts under
  name TEXT {{C}} NOT NULL,
  gender TEXT NOT NULL,                    -- male | female
  birth_date TEXT {{C}},                   -- YYYY-MM-DD
  ethnicity TEXT NOT NULL DEFAULT '',
  id_number_sealed TEXT,
  id_number_hash TEXT,
  id_number_masked TEXT,
  hukou_address TEXT NOT NULL DEFAULT '',
  residence_status TEXT NOT NULL,          -- both | resident_only | registered_only
  relation_to_head TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  deleted_at BIGINT,
  deleted_reason TEXT,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX resident_unit ON resident (unit_id);
CREATE INDEX resident_household ON resident (household_id);
CREATE INDEX resident_name ON resident (name);
CREATE UNIQUE INDEX resident_id_number ON resident (id_number_hash)
  WHERE id_number_hash IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE resident_phone (
  resident_id BIGINT NOT NULL REFERENCES resident (id),
  position INTEGER NOT NULL,
  kind TEXT NOT NULL,                      -- mobile | landline
  phone_sealed TEXT NOT NULL,
  phone_hash TEXT NOT NULL,
  phone_masked TEXT NOT NULL,
  PRIMARY KEY (resident_id, position)
);
CREATE INDEX resident_phone_hash ON resident_phone (phone_hash);

-- The tag dictionary (extensible) and residents' tags.
CREATE TABLE tag (
  code TEXT {{C}} PRIMARY KEY,
  name TEXT NOT NULL,
  sensitive INTEGER NOT NULL DEFAULT 0,
  builtin INTEGER NOT NULL DEFAULT 0,
  sort_order INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tag (code, name, sensitive, builtin, sort_order) VALUES
  ('lives_alone', '独居', 0, 1, 10),
  ('disabled', '残疾', 1, 1, 20),
  ('subsistence_allowance', '低保', 1, 1, 30),
  ('near_poverty', '低边', 1, 1, 40),
  ('extreme_poverty', '特困', 1, 1, 50),
  ('veteran', '退役军人', 0, 1, 60),
  ('party_member', '党员', 0, 1, 70),
  ('pregnant', '孕产妇', 1, 1, 80),
  ('key_group', '重点人群', 1, 1, 90),
  ('migrant', '流动人口', 0, 1, 100),
  ('elderly_and_children', '一老一小', 0, 1, 110);

CREATE TABLE resident_tag (
  resident_id BIGINT NOT NULL REFERENCES resident (id),
  tag_code TEXT {{C}} NOT NULL REFERENCES tag (code),
  PRIMARY KEY (resident_id, tag_code)
);
CREATE INDEX resident_tag_code ON resident_tag (tag_code, resident_id);

-- Facts about the deployment (e.g. that the demo city was built completely).
CREATE TABLE meta (
  key TEXT {{C}} PRIMARY KEY,
  value TEXT NOT NULL
);
