-- The calls in flight (attempts without an outcome): at most the nodes' capacity, however many
-- attempts a campaign has made. Runners look for other nodes' calls in flight at every heartbeat
-- (TakeOver) and their own at start (Recover), and the live monitor lists them; without this
-- partial index each of those scanned every attempt ever made.
-- (outcome leads so that SQLite's planner searches it for "outcome IS NULL"; it holds only NULLs.)
CREATE INDEX call_attempt_in_flight ON call_attempt (outcome, node) WHERE outcome IS NULL;
