-- What an import wrote, so that an import interrupted by a crash can be rolled back instead of
-- staying half-applied (registry/import_undo.hpp). Written in the same transaction as the rows
-- it describes; deleted once the import is done or rolled back. import_job.state gains
-- 'rolled_back'.
CREATE TABLE import_undo (
  job_id BIGINT NOT NULL REFERENCES import_job (id),
  step BIGINT NOT NULL,                    -- order of writing; undone in reverse
  kind TEXT NOT NULL,                      -- created_households | created_residents | resident_before | head_set
  entity_id BIGINT,                        -- the resident (resident_before) or household (head_set)
  data TEXT NOT NULL,                      -- JSON: created ids, or the resident's rows before the update
  PRIMARY KEY (job_id, step)
);
