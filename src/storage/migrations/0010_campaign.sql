-- Campaigns (外呼任务) of the AI social worker: a script version and a segment version called
-- under a schedule and a policy. Starting a campaign snapshots its audience into campaign_target:
-- one row per targeted resident and round, which is also the ledger (电子台账) row. Phones are
-- copied sealed, with their lookup hash (duplicates, the do-not-call list) and masked form.
CREATE TABLE campaign (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  script_name TEXT {{C}} NOT NULL,
  script_version BIGINT NOT NULL,          -- 0 for a built-in template
  script_json TEXT NOT NULL,               -- the script as it was when the campaign was made
  segment_id BIGINT,                       -- the saved segment, when one was used
  segment_version BIGINT,
  segment_query TEXT NOT NULL,             -- canonical text of the query that was evaluated
  fields_json TEXT NOT NULL,               -- campaign field values: {"date": "12月8日", ...}
  schedule_json TEXT NOT NULL,
  policy_json TEXT NOT NULL,
  channel TEXT NOT NULL,                   -- sim | sip
  state TEXT NOT NULL,                     -- draft | running | paused | completed | cancelled
  priority INTEGER NOT NULL DEFAULT 0,
  targeted BIGINT NOT NULL DEFAULT 0,
  current_round INTEGER NOT NULL DEFAULT 0,
  version BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT
);
CREATE INDEX campaign_state ON campaign (state);

-- The audience as it was at the start (round 0), then copied for each later round.
CREATE TABLE campaign_target (
  campaign_id BIGINT NOT NULL REFERENCES campaign (id),
  round INTEGER NOT NULL,
  resident_id BIGINT NOT NULL REFERENCES resident (id),
  seq INTEGER NOT NULL,                    -- order within the round (resident id order)
  unit_id BIGINT NOT NULL,                 -- the resident's unit at the start
  address TEXT NOT NULL,                   -- the form of address: 王阿姨, 李先生
  phone_sealed TEXT,
  phone_hash TEXT,
  phone_masked TEXT,
  state TEXT NOT NULL,                     -- pending | retry | in_call | done
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at BIGINT NOT NULL,                 -- earliest time of the next attempt (epoch ms)
  last_outcome TEXT,
  outcome TEXT,                            -- the final outcome, once done
  claimed_by TEXT,                         -- the node placing the current attempt
  talk_ms BIGINT NOT NULL DEFAULT 0,       -- answered time over all attempts
  finished_at BIGINT,
  PRIMARY KEY (campaign_id, round, resident_id)
);
CREATE INDEX campaign_target_due ON campaign_target (campaign_id, state, next_at);

-- One row per call placed, inserted before it is dialled (outcome NULL while it is in flight).
CREATE TABLE call_attempt (
  id BIGINT PRIMARY KEY,
  campaign_id BIGINT NOT NULL REFERENCES campaign (id),
  round INTEGER NOT NULL,
  resident_id BIGINT NOT NULL,
  attempt INTEGER NOT NULL,                -- 1, 2, ... for this target
  node TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  answered_at BIGINT,
  ended_at BIGINT,
  outcome TEXT,
  last_node TEXT,
  transcript_sealed TEXT                   -- the transcript (JSON), sealed: it may hold personal data
);
CREATE INDEX call_attempt_campaign ON call_attempt (campaign_id, round, resident_id);
CREATE INDEX call_attempt_resident ON call_attempt (resident_id, started_at);

-- Answers, each committed before the next prompt plays.
CREATE TABLE call_answer (
  attempt_id BIGINT NOT NULL REFERENCES call_attempt (id),
  slot TEXT NOT NULL,
  campaign_id BIGINT NOT NULL,
  round INTEGER NOT NULL,
  resident_id BIGINT NOT NULL,
  node_id TEXT NOT NULL,
  value TEXT NOT NULL,
  via TEXT NOT NULL,                       -- keypad | speech
  raw_sealed TEXT NOT NULL,                -- the key pressed or the words heard, sealed
  tries INTEGER NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (attempt_id, slot)
);
CREATE INDEX call_answer_campaign ON call_answer (campaign_id, round, resident_id);

-- One do-not-call list for every campaign, by phone lookup hash.
CREATE TABLE do_not_call (
  phone_hash TEXT PRIMARY KEY,
  resident_id BIGINT,
  source TEXT NOT NULL,                    -- call:<attempt id> | console | import
  created_at BIGINT NOT NULL
);

-- Last contact per resident, across campaigns: what segments' called_within / answered_within use.
CREATE TABLE resident_contact (
  resident_id BIGINT PRIMARY KEY,
  last_called_at BIGINT NOT NULL,
  last_answered_at BIGINT,
  version BIGINT NOT NULL
);

-- Door-visit tasks for the resident's grid worker: unreachable after all attempts, refused, or an
-- answer that needs a person (fever reported, moved away).
CREATE TABLE follow_up_task (
  id BIGINT PRIMARY KEY,
  campaign_id BIGINT REFERENCES campaign (id),
  resident_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  kind TEXT NOT NULL,                      -- unreachable | refused | answer
  detail TEXT NOT NULL,
  state TEXT NOT NULL,                     -- open | done
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  closed_at BIGINT,
  closed_by TEXT
);
CREATE INDEX follow_up_task_unit ON follow_up_task (unit_id, state);
CREATE INDEX follow_up_task_campaign ON follow_up_task (campaign_id);

-- Facts a call proposes for the registry; nothing reaches the registry until a person accepts.
CREATE TABLE pending_change (
  id BIGINT PRIMARY KEY,
  resident_id BIGINT NOT NULL,
  field TEXT NOT NULL,                     -- residence_status | tag:<code> | ...
  value TEXT NOT NULL,
  source TEXT NOT NULL,                    -- call
  campaign_id BIGINT,
  attempt_id BIGINT,
  state TEXT NOT NULL,                     -- pending | accepted | rejected
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  reviewed_by TEXT,
  reviewed_at BIGINT
);
CREATE INDEX pending_change_resident ON pending_change (resident_id, state);
CREATE INDEX pending_change_campaign ON pending_change (campaign_id);
