-- The nodes placing campaign calls, each with its last heartbeat. A node whose heartbeat is older
-- than the lease is taken for dead: another node ends its attempts still in flight as
-- failed_retryable (they count as attempts, as after a restart), so its targets are called again
-- within policy instead of waiting for that node to come back.
CREATE TABLE campaign_node (
  node TEXT PRIMARY KEY,
  seen_at BIGINT NOT NULL                  -- Unix epoch milliseconds
);
