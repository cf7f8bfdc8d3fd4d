-- Background jobs of the API (src/http/jobs.hpp): resident imports (upload, preview, dry run,
-- commit) and exports, with their progress and result. An import's own bookkeeping (import_job,
-- import_undo) stays the registry's; this is what the console follows. A job left 'running' by a
-- process that stopped is marked 'failed' at the next start.
CREATE TABLE api_job (
  id BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,                      -- import_residents | export_residents
  state TEXT NOT NULL,                     -- uploaded | running | done | failed | cancelled
  step TEXT NOT NULL,                      -- preview | dry_run | commit | export
  user_id BIGINT NOT NULL REFERENCES app_user (id),  -- the owner
  file_name TEXT NOT NULL,                 -- as uploaded, or the export's download name
  input_path TEXT,                         -- the stored upload
  output_path TEXT,                        -- the report workbook, or the exported file
  options TEXT NOT NULL,                   -- JSON
  progress DOUBLE PRECISION NOT NULL,      -- 0..1 of the current step
  rows_done BIGINT NOT NULL,
  result TEXT,                             -- JSON: the last finished step's result
  error TEXT,                              -- why the last step failed ("中文 / English")
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX api_job_user ON api_job (user_id, created_at);
CREATE INDEX api_job_state ON api_job (state);
