-- Import jobs: one row per import that writes, so an interrupted import is recognised (by the
-- file's SHA-256) and resumed from the last committed row instead of applied twice.
CREATE TABLE import_job (
  id BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,                      -- residents
  file_name TEXT NOT NULL,
  file_sha256 TEXT {{C}} NOT NULL,
  on_error TEXT NOT NULL,                  -- abort | skip
  state TEXT NOT NULL,                     -- applying | done | failed
  applied_through_row BIGINT NOT NULL,     -- the last sheet row whose changes are committed
  actor TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  result TEXT                              -- JSON summary when done
);
CREATE INDEX import_job_file ON import_job (file_sha256, state);

-- Residents created without an ID number, or matched by name and birth date only: to be reviewed
-- for duplicates.
CREATE TABLE resident_review (
  resident_id BIGINT NOT NULL REFERENCES resident (id),
  reason TEXT NOT NULL,                    -- no_id_number
  import_job_id BIGINT REFERENCES import_job (id),
  created_at BIGINT NOT NULL,
  resolved_at BIGINT,
  PRIMARY KEY (resident_id, reason)
);
