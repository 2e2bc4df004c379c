-- +goose Up
-- Nothing the request role can read is a usable secret.
--
-- The server key: 32 random bytes the program reads (or creates) at start
-- through the owner's connection. The request role has no right on it, so a
-- dump taken through the application (an injection, a leaked app password)
-- opens no session, cracks no password and reads no e-mail.
CREATE TABLE server_keys (
    id         integer PRIMARY KEY CHECK (id = 1),
    key        bytea NOT NULL CHECK (length(key) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
-- 00001 grants every new table to the request role by default: take it back.
REVOKE ALL ON server_keys FROM triade_app;

-- Sessions are stored under the SHA-256 of their token, with their data sealed
-- under the server key. The sessions of the old format are raw tokens: they end.
-- user_id lets a password change end every other session of the person.
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- The outbox keeps each e-mail sealed (recipient, subject, body, link), and a
-- keyed hash of the recipient so that erasure finds a person's e-mails. E-mails
-- of the old format held links in clear: they are dropped (their delivery jobs
-- find nothing and stop).
DELETE FROM outbox;
ALTER TABLE outbox DROP COLUMN to_addr, DROP COLUMN subject, DROP COLUMN body, DROP COLUMN link,
    ADD COLUMN to_hash bytea NOT NULL, ADD COLUMN sealed bytea NOT NULL;
CREATE INDEX outbox_to_idx ON outbox (to_hash);

-- Unsubscribe links are a keyed hash of the person's id: nothing to store.
DROP INDEX users_unsubscribe_idx;
ALTER TABLE users DROP COLUMN unsubscribe_token;

-- A reset link replaced by a newer one, or by a password change, stops working.
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

-- Accounts are visible to the request role only when they are the person's
-- own, a member of the current workspace, or the one account a sign-in,
-- sign-up, reset or invitation looks up by e-mail (app.login_email, set for
-- one transaction). With no workspace, nobody else's name or e-mail shows.
-- The membership test runs as the owner: policies on memberships read users,
-- and a policy on users reading memberships directly would recurse.
-- +goose StatementBegin
CREATE FUNCTION app_sees_user(uid uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = app_tenant() AND user_id = uid)
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION app_login_email() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.login_email', true), '')
$$;
-- +goose StatementEnd
-- Enabled, not forced: the schema owner (migrations, the operator's counts)
-- reads accounts as before; the request role is bound.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_own ON users FOR SELECT USING (id = app_user() OR email = app_login_email());
CREATE POLICY users_workspace ON users FOR SELECT USING (app_sees_user(id));
CREATE POLICY users_insert ON users FOR INSERT WITH CHECK (true);
-- Changing an account is its owner's: the account looked up by e-mail may be
-- changed only while it has no password yet (an invited person choosing
-- theirs), so that nobody copies a password hash onto another's account. An
-- erasure (declared by an admin) removes the account it names.
CREATE POLICY users_update ON users FOR UPDATE
    USING (id = app_user() OR (email = app_login_email() AND password_hash IS NULL))
    WITH CHECK (id = app_user() OR email = app_login_email());
CREATE POLICY users_delete ON users FOR DELETE USING (app_erasing() AND email = app_login_email());

-- Two-factor sign-in (TOTP, RFC 6238). The secret is sealed under the server
-- key; last_step refuses a code used once already. Recovery codes are stored
-- as a keyed hash, each usable once.
CREATE TABLE user_totp (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed     bytea NOT NULL,
    last_step  bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE recovery_codes (
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
-- Only the person's own rows: the sign-in's second step runs as the person
-- whose password was right.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['user_totp', 'recovery_codes'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY own_rows ON %I USING (user_id = app_user()) WITH CHECK (user_id = app_user())', t);
    END LOOP;
END $$;
-- +goose StatementEnd
-- A workspace admin may require two-factor sign-in of every member.
ALTER TABLE workspaces ADD COLUMN require_2fa boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE workspaces DROP COLUMN require_2fa;
DROP TABLE recovery_codes, user_totp;
DROP POLICY users_delete ON users;
DROP POLICY users_update ON users;
DROP POLICY users_insert ON users;
DROP POLICY users_workspace ON users;
DROP POLICY users_own ON users;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
DROP FUNCTION app_login_email();
DROP FUNCTION app_sees_user(uuid);
DROP INDEX password_resets_user_idx;
ALTER TABLE users ADD COLUMN unsubscribe_token uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX users_unsubscribe_idx ON users (unsubscribe_token);
DELETE FROM outbox;
DROP INDEX outbox_to_idx;
ALTER TABLE outbox DROP COLUMN sealed, DROP COLUMN to_hash,
    ADD COLUMN to_addr text NOT NULL, ADD COLUMN subject text NOT NULL, ADD COLUMN body text NOT NULL, ADD COLUMN link text NOT NULL DEFAULT '';
DELETE FROM sessions;
DROP INDEX sessions_user_idx;
ALTER TABLE sessions DROP COLUMN user_id;
DROP TABLE server_keys;
