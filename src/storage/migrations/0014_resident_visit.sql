-- Door visits: the last time a grid worker visited a resident, recorded when a door-visit task
-- for them is marked done. The segment model's visited_within(…) reads it, as called_within reads
-- resident_contact.
CREATE TABLE resident_visit (
  resident_id BIGINT PRIMARY KEY,
  last_visited_at BIGINT NOT NULL,         -- Unix epoch milliseconds
  version BIGINT NOT NULL
);
