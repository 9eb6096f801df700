/** The tables of the SQLite journal, created when a journal is opened for writing. */

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS campaigns (
  id TEXT PRIMARY KEY,
  record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT PRIMARY KEY,
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  seq INTEGER NOT NULL,
  lease TEXT,
  state TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_by_campaign ON deliveries(campaign_id, seq);
CREATE TABLE IF NOT EXISTS transitions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id TEXT NOT NULL REFERENCES deliveries(id),
  state TEXT NOT NULL,
  at TEXT NOT NULL,
  change TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transitions_by_delivery ON transitions(delivery_id, seq);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  campaign_id TEXT NOT NULL,
  at TEXT NOT NULL,
  entry TEXT NOT NULL,
  prev_hash TEXT,
  hash TEXT
);
CREATE INDEX IF NOT EXISTS audit_by_campaign ON audit(campaign_id, seq);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  webhook_id TEXT NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at TEXT,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_attempt_at) WHERE delivered_at IS NULL;
CREATE TABLE IF NOT EXISTS inbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  platform TEXT NOT NULL,
  account_id TEXT NOT NULL,
  remote_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  campaign_id TEXT,
  at_ms INTEGER NOT NULL,
  answered_at TEXT,
  item TEXT NOT NULL,
  UNIQUE (platform, account_id, remote_id)
);
CREATE INDEX IF NOT EXISTS inbox_by_time ON inbox(at_ms, seq);
CREATE INDEX IF NOT EXISTS inbox_by_campaign ON inbox(campaign_id, at_ms);
CREATE TABLE IF NOT EXISTS inbox_assignments (
  platform TEXT NOT NULL,
  account_id TEXT NOT NULL,
  remote_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  assigned_at TEXT NOT NULL,
  PRIMARY KEY (platform, account_id, remote_id)
);
CREATE TABLE IF NOT EXISTS inbox_cursors (
  account_id TEXT PRIMARY KEY,
  cursor TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS replies (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL,
  item_remote_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  record TEXT NOT NULL
);
`;

/** The reach readings: appended, never overwritten (`reach.ts`). */
export const REACH_SCHEMA = `
CREATE TABLE IF NOT EXISTS reach (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  campaign_id TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  post_id TEXT NOT NULL,
  read_at TEXT NOT NULL,
  reading TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reach_by_campaign ON reach(campaign_id, seq);
`;
