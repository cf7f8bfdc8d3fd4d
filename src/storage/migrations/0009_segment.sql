-- Saved segments (人群圈选): a named query with versions. Editing the query makes a new version;
-- the old versions stay, so a campaign or notice that used version 3 can always show what it
-- targeted. A deleted segment keeps its row and versions (deleted_at), for the same reason.
CREATE TABLE segment (
  id BIGINT PRIMARY KEY,
  name TEXT {{C}} NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  version BIGINT NOT NULL,                 -- the current (latest) version
  query_text TEXT NOT NULL,                -- canonical text of the current version
  created_by TEXT NOT NULL,                -- actor: user:<id>
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted_at BIGINT
);
CREATE INDEX segment_name ON segment (name);

CREATE TABLE segment_version (
  segment_id BIGINT NOT NULL REFERENCES segment (id),
  version BIGINT NOT NULL,
  query_text TEXT NOT NULL,                -- canonical text (segment::ToText)
  query_json TEXT NOT NULL,                -- the same tree as the console's JSON (segment::ToJson)
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (segment_id, version)
);
