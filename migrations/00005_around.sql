-- +goose Up
-- Around the engagement: reminders, calendar feeds, personal data.

-- Erasing a person from a workspace re-points their membership to a neutral
-- placeholder; everything that names the membership follows.
ALTER TABLE engagement_parties DROP CONSTRAINT engagement_parties_tenant_id_user_id_fkey,
    ADD FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON UPDATE CASCADE;
ALTER TABLE meeting_attendees DROP CONSTRAINT meeting_attendees_tenant_id_user_id_fkey,
    ADD FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON UPDATE CASCADE;
ALTER TABLE synthesis_validations DROP CONSTRAINT synthesis_validations_tenant_id_user_id_fkey,
    ADD FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON UPDATE CASCADE;
ALTER TABLE private_notes DROP CONSTRAINT private_notes_tenant_id_author_id_fkey,
    ADD FOREIGN KEY (tenant_id, author_id) REFERENCES memberships (tenant_id, user_id) ON UPDATE CASCADE;
ALTER TABLE sponsor_feedback DROP CONSTRAINT sponsor_feedback_tenant_id_author_id_fkey,
    ADD FOREIGN KEY (tenant_id, author_id) REFERENCES memberships (tenant_id, user_id) ON UPDATE CASCADE;
ALTER TABLE report_validations DROP CONSTRAINT report_validations_tenant_id_user_id_fkey,
    ADD FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON UPDATE CASCADE;

-- Which reminders a person does not want, and the secret of their unsubscribe link.
ALTER TABLE users ADD COLUMN reminders_off text[] NOT NULL DEFAULT '{}',
    ADD COLUMN unsubscribe_token uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX users_unsubscribe_idx ON users (unsubscribe_token);

-- Every reminder sent, once: the primary key makes two workers (or two
-- application instances) unable to send the same reminder twice.
CREATE TABLE reminders_sent (
    tenant_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    subject_id uuid NOT NULL,
    due_on     date NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id, kind, subject_id, due_on)
);

-- A person's private calendar feed in a workspace: a secret, revocable link.
CREATE TABLE calendar_feeds (
    tenant_id  uuid NOT NULL,
    user_id    uuid NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE ON UPDATE CASCADE
);

-- How long closed engagements are kept before a periodic job erases them.
ALTER TABLE workspaces ADD COLUMN retention_years integer NOT NULL DEFAULT 3 CHECK (retention_years BETWEEN 1 AND 30);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['reminders_sent', 'calendar_feeds'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant())', t);
    END LOOP;
END $$;
-- +goose StatementEnd

CREATE INDEX events_tenant_at_idx ON events (tenant_id, at DESC);

-- +goose Down
DROP INDEX events_tenant_at_idx;
ALTER TABLE workspaces DROP COLUMN retention_years;
DROP TABLE calendar_feeds, reminders_sent;
ALTER TABLE users DROP COLUMN unsubscribe_token, DROP COLUMN reminders_off;
