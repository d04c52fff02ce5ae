// Numbered schema migrations, applied in order and recorded in `schema_migrations`.
// Never edit a released migration: add a new one. The text is also hashed to key the cached
// PGlite template (see pglite.ts), so any change here rebuilds that template.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE apps (
  id          text PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  app_key     text NOT NULL,
  ask_key     text NOT NULL UNIQUE,
  routes      jsonb NOT NULL,
  settings    jsonb NOT NULL,
  created_at  bigint NOT NULL,
  modified_at bigint NOT NULL
);

CREATE TABLE cards (
  id               text PRIMARY KEY,
  -- No foreign key on purpose: the per-row FK check costs ~30 % of bulk-insert throughput on
  -- PGlite, and apps are never deleted (they are upserted from configuration).
  app_id           text NOT NULL,
  card_str         text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('time', 'permanent', 'count')),
  type             smallint CHECK (type BETWEEN 0 AND 5),
  duration_seconds bigint,
  uses_total       integer,
  uses_left        integer,
  status           smallint NOT NULL DEFAULT 1,
  disabled         boolean NOT NULL DEFAULT false,
  imei             text,
  bound_ip         text,
  change_count     integer NOT NULL DEFAULT 0,
  core             text NOT NULL DEFAULT '',
  created_ip       text NOT NULL DEFAULT '',
  created_at       bigint NOT NULL,
  modified_at      bigint NOT NULL,
  activated_at     bigint,
  expires_at       bigint,
  UNIQUE (app_id, card_str)
);
-- potato getCardMyList: newest first within an app.
CREATE INDEX cards_app_created_idx ON cards (app_id, created_at DESC, id DESC);

CREATE TABLE sessions (
  statecode  text PRIMARY KEY,
  card_id    text NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
  app_id     text NOT NULL,
  imei       text NOT NULL DEFAULT '',
  expires_at bigint NOT NULL,
  created_at bigint NOT NULL
);
-- kick / unbind / delete end every session of a card.
CREATE INDEX sessions_card_idx ON sessions (card_id);

CREATE TABLE potato_users (
  id          text PRIMARY KEY,
  app_id      text NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  user_number text NOT NULL,
  pass_hash   text NOT NULL,
  created_at  bigint NOT NULL,
  UNIQUE (app_id, user_number)
);

CREATE TABLE potato_tokens (
  token      text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES potato_users(id) ON DELETE CASCADE,
  app_id     text NOT NULL,
  expires_at bigint NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX potato_tokens_user_idx ON potato_tokens (user_id);
`,
  },
  {
    version: 2,
    name: 'snowflake worker ids',
    // Each service instance takes the next value (mod 1024) as its snowflake worker id, so
    // instances sharing one PostgreSQL database never mint the same id in the same millisecond.
    sql: `CREATE SEQUENCE snowflake_worker_seq MINVALUE 0 START WITH 0 MAXVALUE 1023 CYCLE;`,
  },
  {
    version: 3,
    name: 'session expiry index',
    // Expired sessions are deleted a bounded slice at a time, oldest expiry first.
    sql: `CREATE INDEX sessions_expiry_idx ON sessions (expires_at);`,
  },
  {
    version: 4,
    name: 'shared failed-attempt counters',
    // One row per client key and fixed window (store/attempts.ts); used on PostgreSQL, where
    // several processes must share them.
    sql: `CREATE TABLE attempts (
  key          text NOT NULL,
  window_start bigint NOT NULL,
  expires_at   bigint NOT NULL,
  count        integer NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX attempts_expiry_idx ON attempts (expires_at);`,
  },
  {
    version: 5,
    name: 'seen request signatures',
    // Apps with replayProtection on PostgreSQL: a signature is refused while its row lives.
    sql: `CREATE TABLE seen_signatures (
  app_id     text NOT NULL,
  signature  text NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (app_id, signature)
);
CREATE INDEX seen_signatures_expiry_idx ON seen_signatures (expires_at);`,
  },
  {
    version: 6,
    name: 'cloud variables',
    // Values written by clients (modify_variable) of the app's client-writable variables; the
    // configured value stands until the first write.
    sql: `CREATE TABLE app_variables (
  app_id      text NOT NULL,
  valueid     text NOT NULL,
  value       text NOT NULL,
  modified_at bigint NOT NULL,
  PRIMARY KEY (app_id, valueid)
);`,
  },
  {
    version: 7,
    name: 'app user accounts',
    // 账号模式: an app's users (username + scrypt hash), their sessions, and the cards recharged
    // into them. user_recharges' key on card_id is the database's own guarantee that a card is
    // recharged at most once, beside the domain's rule.
    sql: `CREATE TABLE app_users (
  id           text PRIMARY KEY,
  app_id       text NOT NULL,
  username     text NOT NULL,
  pass_hash    text NOT NULL,
  email        text NOT NULL DEFAULT '',
  disabled     boolean NOT NULL DEFAULT false,
  imei         text,
  bound_ip     text,
  bound_region text,
  change_count integer NOT NULL DEFAULT 0,
  core         text NOT NULL DEFAULT '',
  expires_at   bigint,
  uses_left    integer,
  recharges    integer NOT NULL DEFAULT 0,
  first_login  bigint,
  created_at   bigint NOT NULL,
  modified_at  bigint NOT NULL,
  UNIQUE (app_id, username)
);
CREATE TABLE user_sessions (
  statecode  text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
  app_id     text NOT NULL,
  imei       text NOT NULL DEFAULT '',
  expires_at bigint NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id);
CREATE INDEX user_sessions_app_expiry_idx ON user_sessions (app_id, expires_at);
CREATE TABLE user_recharges (
  card_id    text PRIMARY KEY,
  app_id     text NOT NULL,
  user_id    text NOT NULL,
  card_str   text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX user_recharges_user_idx ON user_recharges (user_id);`,
  },
  {
    version: 8,
    name: 'operator surface',
    // Admin API (http/admin): tokens (only a sha-256 of each secret), the audit log, card labels,
    // app origin and key rotation overlap, and hourly login counters.
    sql: `ALTER TABLE cards ADD COLUMN remark text NOT NULL DEFAULT '';
ALTER TABLE cards ADD COLUMN batch text NOT NULL DEFAULT '';
CREATE INDEX cards_app_batch_idx ON cards (app_id, batch) WHERE batch <> '';
ALTER TABLE apps ADD COLUMN origin text NOT NULL DEFAULT 'config';
ALTER TABLE apps ADD COLUMN prev_app_key text;
ALTER TABLE apps ADD COLUMN prev_app_key_until bigint;
ALTER TABLE apps ADD COLUMN prev_ask_key text;
ALTER TABLE apps ADD COLUMN prev_ask_key_until bigint;
CREATE TABLE admin_tokens (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  hash       text NOT NULL UNIQUE,
  scope      text NOT NULL CHECK (scope IN ('read', 'full')),
  apps       jsonb,
  created_at bigint NOT NULL,
  revoked_at bigint
);
CREATE TABLE admin_audit (
  id         text PRIMARY KEY,
  at         bigint NOT NULL,
  token_id   text,
  token_name text,
  action     text NOT NULL,
  target     text,
  params     jsonb,
  ip         text NOT NULL,
  status     integer NOT NULL,
  result     text
);
CREATE INDEX admin_audit_at_idx ON admin_audit (at DESC, id DESC);
CREATE TABLE login_stats (
  app_id   text NOT NULL,
  hour     bigint NOT NULL,
  logins   bigint NOT NULL DEFAULT 0,
  failures bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (app_id, hour)
);`,
  },
  {
    version: 9,
    name: 'card region binding',
    // ipBinding 'province' / 'city' for cards: the region string of the first located login.
    sql: `ALTER TABLE cards ADD COLUMN bound_region text;`,
  },
  {
    version: 10,
    name: 'session login tokens',
    // cloud_doc finds a live session by the login token it was opened with: only a sha-256 of
    // the token is kept (a bearer secret). Rows from before stay NULL: their tokens are refused.
    sql: `ALTER TABLE sessions ADD COLUMN token_hash text;
ALTER TABLE user_sessions ADD COLUMN token_hash text;
CREATE INDEX sessions_token_idx ON sessions (app_id, token_hash) WHERE token_hash IS NOT NULL;
CREATE INDEX user_sessions_token_idx ON user_sessions (app_id, token_hash) WHERE token_hash IS NOT NULL;`,
  },
];
