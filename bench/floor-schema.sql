-- The floor server's own minimal schema (bench/floor-server.ts): what a refresh rotation with a rotated-token
-- history and a session list need, with the indexes those two statements and reuse detection need, no more.
CREATE TABLE floor_user (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE,
  username text,
  role text NOT NULL DEFAULT 'user',
  status text NOT NULL DEFAULT 'active'
);
CREATE TABLE floor_session (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES floor_user (id) ON DELETE CASCADE,
  refresh_token_hash text NOT NULL UNIQUE,
  user_agent text,
  ip_address text,
  device_name text,
  browser text,
  os text,
  device_type text,
  -- As the app's Session: the user's own label, and the last request with the session's access token.
  name text,
  last_seen_at timestamptz(3),
  last_seen_ip text,
  aal integer NOT NULL DEFAULT 1,
  created_at timestamptz(3) NOT NULL,
  last_active_at timestamptz(3) NOT NULL,
  expires_at timestamptz(3) NOT NULL,
  idle_expires_at timestamptz(3) NOT NULL,
  revoked_at timestamptz(3)
);
CREATE INDEX floor_session_user_id_idx ON floor_session (user_id);
-- Every rotated token stays here, so presenting any token of the chain again is found (reuse detection).
CREATE TABLE floor_rotated (
  token_hash text PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES floor_session (id) ON DELETE CASCADE,
  rotated_at timestamptz(3) NOT NULL
);
CREATE INDEX floor_rotated_session_id_idx ON floor_rotated (session_id);
