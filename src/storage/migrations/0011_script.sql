-- The script library (话术库): staff's own scripts, each save a new version of its name. Versions
-- are never changed or removed, so a campaign that recorded (script_name, script_version) can
-- always show the script it called with (it also keeps a copy in campaign.script_json).
-- Built-in templates are not stored here (version 0 in campaign.script_version).
CREATE TABLE script_version (
  name TEXT {{C}} NOT NULL,
  version BIGINT NOT NULL,                 -- 1, 2, ... per name
  title TEXT NOT NULL,
  script_json TEXT NOT NULL,               -- as campaign::ScriptToJson writes it; passed CheckScript
  created_by TEXT NOT NULL,                -- actor: user:<id>
  created_at BIGINT NOT NULL,
  PRIMARY KEY (name, version)
);
