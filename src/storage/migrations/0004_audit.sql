-- The audit log: who saw or changed what, when, why and from where. Append-only; each entry
-- carries the hash of the one before it (src/audit/README.md). No personal data in plain form:
-- targets name resident ids, and queries are masked before they get here.
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,        -- dense from 1, in commit order
  at BIGINT NOT NULL,            -- Unix epoch milliseconds, when the action happened
  actor TEXT {{C}} NOT NULL,     -- user:<id> or system:<component>
  action TEXT {{C}} NOT NULL,    -- resident.view, resident.list, pii.unmask, export.residents, ...
  target TEXT {{C}} NOT NULL,    -- resident:<id>, ... or '' (a list names its query in detail)
  detail TEXT NOT NULL,          -- JSON: query, fields, purpose, row count, ...
  client TEXT NOT NULL,          -- the client's address
  request_id TEXT NOT NULL,
  prev_hash TEXT NOT NULL,       -- the previous entry's hash; '' for seq 1
  hash TEXT NOT NULL             -- hex SHA-256 of prev_hash and this entry's canonical form
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_target ON audit_log (target, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- The head of the chain. Every batch updates this one row first, so on PostgreSQL concurrent
-- writers (several processes) take turns: numbers stay dense and each batch links to the last.
CREATE TABLE audit_tail (
  id INTEGER PRIMARY KEY,
  last_seq BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO audit_tail (id, last_seq, last_hash) VALUES (1, 0, '');
