-- Who works for a unit (网格长, 专职网格员, 网格指导员, 楼栋长): people, not necessarily users.
-- Phones are sealed and masked like residents'. Ending an assignment sets valid_to (history kept).
CREATE TABLE unit_staff (
  id BIGINT PRIMARY KEY,
  unit_id BIGINT NOT NULL REFERENCES org_unit (id),
  role TEXT NOT NULL,                      -- grid_leader | grid_worker | grid_instructor | building_leader
  name TEXT NOT NULL,
  user_id BIGINT REFERENCES app_user (id), -- when the person signs in to Steward
  building_id BIGINT REFERENCES building (id),  -- building leaders: their building
  phone_sealed TEXT,
  phone_masked TEXT,
  valid_from TEXT {{C}} NOT NULL,
  valid_to TEXT {{C}},
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX unit_staff_unit ON unit_staff (unit_id, role);
