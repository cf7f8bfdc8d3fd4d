-- Accounts, roles and data scope (src/auth). No plain password or token is ever stored: passwords
-- as argon2id hashes, random tokens (sessions, API tokens) as the hex SHA-256 of the token.
CREATE TABLE app_user (
  id BIGINT PRIMARY KEY,
  login TEXT {{C}} NOT NULL,               -- lower case; unique
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,             -- argon2id, PHC string format
  must_change_password INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0, -- consecutive failures since the last success or lock
  locked_until BIGINT,                     -- epoch ms; logins refused before it
  last_login_at BIGINT,
  password_changed_at BIGINT,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX app_user_login ON app_user (login);

-- Roles are sets of permission strings domain:resource:action (auth/permission.hpp).
CREATE TABLE role (
  id BIGINT PRIMARY KEY,
  code TEXT {{C}} NOT NULL,
  name TEXT NOT NULL,
  builtin INTEGER NOT NULL DEFAULT 0,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX role_code ON role (code);

CREATE TABLE role_permission (
  role_code TEXT {{C}} NOT NULL REFERENCES role (code),
  permission TEXT {{C}} NOT NULL,
  PRIMARY KEY (role_code, permission)
);

-- The built-in roles' default permissions already given once. A default is added to its role only
-- the first time a binary knows it, so an admin's removal of it sticks while permissions that a
-- newer release adds still reach existing deployments.
CREATE TABLE role_default_applied (
  role_code TEXT {{C}} NOT NULL,
  permission TEXT {{C}} NOT NULL,
  PRIMARY KEY (role_code, permission)
);

CREATE TABLE user_role (
  user_id BIGINT NOT NULL REFERENCES app_user (id),
  role_code TEXT {{C}} NOT NULL REFERENCES role (code),
  PRIMARY KEY (user_id, role_code)
);

-- The units a user belongs to, each with its scope: capture (may write) implies view (may read)
-- implies search (may look a resident up by exact ID number or phone).
CREATE TABLE user_unit (
  user_id BIGINT NOT NULL REFERENCES app_user (id),
  unit_id BIGINT NOT NULL REFERENCES org_unit (id),
  scope TEXT NOT NULL,                     -- capture | view | search
  PRIMARY KEY (user_id, unit_id, scope)
);
CREATE INDEX user_unit_unit ON user_unit (unit_id);

-- Console sessions. id is the SHA-256 of the cookie's random token. The CSRF token is kept as it is:
-- it is no credential without the cookie, and the console asks for it again after a reload.
CREATE TABLE session (
  id TEXT {{C}} PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES app_user (id),
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,              -- moves with last_seen_at, never past the absolute limit
  last_seen_at BIGINT NOT NULL,
  client TEXT NOT NULL DEFAULT ''          -- client address at login
);
CREATE INDEX session_by_user ON session (user_id);
CREATE INDEX session_by_expiry ON session (expires_at);

-- Bearer tokens for integrations.
CREATE TABLE api_token (
  id BIGINT PRIMARY KEY,
  token_hash TEXT {{C}} NOT NULL,          -- SHA-256 of the token
  user_id BIGINT NOT NULL REFERENCES app_user (id),
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,                       -- NULL: until revoked
  revoked_at BIGINT,
  version BIGINT NOT NULL
);
CREATE UNIQUE INDEX api_token_hash ON api_token (token_hash);
CREATE INDEX api_token_user ON api_token (user_id);

-- Per-resident unmask grants: a user with registry:pii:unmask states a purpose and sees that
-- resident's ID number and phones until expires_at.
CREATE TABLE pii_unmask (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES app_user (id),
  resident_id BIGINT NOT NULL REFERENCES resident (id),
  purpose TEXT NOT NULL,
  granted_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX pii_unmask_user ON pii_unmask (user_id, resident_id, expires_at);
