-- +goose Up
-- The restricted application role "triade_app" is created by the program before
-- migrations run (a migration may lack the right to create roles). Every request
-- query runs as that role: not superuser, not owner, no BYPASSRLS.
GRANT USAGE ON SCHEMA public TO triade_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO triade_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO triade_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO triade_app;

-- The workspace and the person of the current transaction, set by the
-- application with set_config(..., true). missing_ok and nullif matter: a pooled
-- connection holds '' after a transaction-local setting, and no setting must
-- mean no rows rather than an error.
-- +goose StatementBegin
CREATE FUNCTION app_tenant() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.tenant_id', true), '')::uuid
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION app_user() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.user_id', true), '')::uuid
$$;
-- +goose StatementEnd

-- Accounts are global: one person, one e-mail, possibly several workspaces.
CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    password_hash text,
    locale        text CHECK (locale IN ('fr', 'en')),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- The tenant registry. It is the key that row-level security is keyed on, and the
-- lookup from the URL's slug happens before any workspace is set, so it carries no
-- policy itself; under Citus it becomes a reference table. Everything the
-- workspace owns lives in tables keyed by tenant_id below.
CREATE TABLE workspaces (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    timezone   text NOT NULL DEFAULT 'Europe/Paris',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE client_orgs (
    tenant_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE memberships (
    tenant_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          text NOT NULL CHECK (role IN ('admin', 'coach', 'coachee', 'sponsor')),
    client_org_id uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, client_org_id) REFERENCES client_orgs (tenant_id, id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE invitations (
    tenant_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    email         text NOT NULL CHECK (email = lower(email)),
    name          text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('admin', 'coach', 'coachee', 'sponsor')),
    client_org_id uuid,
    token_hash    bytea NOT NULL UNIQUE,
    invited_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_org_id) REFERENCES client_orgs (tenant_id, id)
);

-- The history of a workspace: who did what, when. Later features add kinds.
CREATE TABLE events (
    tenant_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id         bigint GENERATED ALWAYS AS IDENTITY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    kind       text NOT NULL,
    subject_id uuid,
    data       jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id)
);

-- Password reset links are not tied to a workspace.
CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Every outgoing e-mail is written here in the transaction that causes it; a River
-- job delivers it over SMTP when configured. Without SMTP it stays here, readable
-- at /dev/mail in development.
CREATE TABLE outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_addr    text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    link       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);

-- scs session store (github.com/alexedwards/scs/pgxstore).
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Row-level security: every table keyed by tenant_id sees only the workspace of
-- the current transaction, FORCEd so that the owner is bound too.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['client_orgs', 'memberships', 'invitations', 'events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant())', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- A person sees their own memberships in every workspace (the switcher), and
-- nothing else outside the current one.
CREATE POLICY own_memberships ON memberships FOR SELECT USING (user_id = app_user());

-- +goose Down
DROP TABLE sessions, outbox, password_resets, events, invitations, memberships, client_orgs, workspaces, users;
DROP FUNCTION app_user();
DROP FUNCTION app_tenant();
