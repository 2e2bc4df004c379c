-- +goose Up
-- The accompagnement phase: sessions, theoretical input, intersession actions and
-- their journal, autonomy ratings, the coach's private notes.

-- What a session is (number, date, length, status) is known to every party: the
-- sponsor sees dates and session counts. What is said in it lives in separate
-- tables that PostgreSQL shows to the coaches and the coachee only.
-- ("sessions" is the web session store's table.)
CREATE TABLE coaching_sessions (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    engagement_id uuid NOT NULL,
    number        integer NOT NULL,
    scheduled_at  timestamptz NOT NULL,
    minutes       integer NOT NULL CHECK (minutes BETWEEN 15 AND 480),
    status        text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'held', 'cancelled')),
    cancel_reason text NOT NULL DEFAULT '',
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, engagement_id, number),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX coaching_sessions_engagement_idx ON coaching_sessions (tenant_id, engagement_id, scheduled_at);

CREATE TABLE session_contents (
    tenant_id     uuid NOT NULL,
    session_id    uuid NOT NULL,
    engagement_id uuid NOT NULL,
    analysis      text NOT NULL DEFAULT '',
    scenarios     text NOT NULL DEFAULT '',
    decision      text NOT NULL DEFAULT '',
    version       integer NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, session_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

-- The professional situations the coachee brought, and the options considered.
CREATE TABLE session_situations (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    session_id    uuid NOT NULL,
    engagement_id uuid NOT NULL,
    position      integer NOT NULL,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    context       text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE session_options (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    session_id    uuid NOT NULL,
    engagement_id uuid NOT NULL,
    position      integer NOT NULL,
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

-- The workspace's library of theoretical input, managed by coaches.
CREATE TABLE library_items (
    tenant_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    summary    text NOT NULL DEFAULT '',
    reference  text NOT NULL DEFAULT '',
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE session_inputs (
    tenant_id     uuid NOT NULL,
    session_id    uuid NOT NULL,
    item_id       uuid NOT NULL,
    engagement_id uuid NOT NULL,
    note          text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, session_id, item_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, item_id) REFERENCES library_items (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

-- The coach's private notes on a session: their author's alone.
CREATE TABLE private_notes (
    tenant_id     uuid NOT NULL,
    session_id    uuid NOT NULL,
    author_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    body          text NOT NULL DEFAULT '',
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, session_id, author_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, author_id) REFERENCES memberships (tenant_id, user_id)
);

-- Intersession actions: from a session's action plan or added by the coachee.
CREATE TABLE actions (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    engagement_id uuid NOT NULL,
    session_id    uuid,
    objective_id  uuid,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description   text NOT NULL DEFAULT '',
    due_date      date,
    status        text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done', 'dropped')),
    shared_at     timestamptz,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE SET NULL (session_id),
    FOREIGN KEY (tenant_id, objective_id) REFERENCES objectives (tenant_id, id) ON DELETE SET NULL (objective_id)
);
CREATE INDEX actions_engagement_idx ON actions (tenant_id, engagement_id, status, due_date);

-- The coachee's journal on an action: what I did, what happened, what I learnt.
CREATE TABLE journal_entries (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    action_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    author_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    did           text NOT NULL DEFAULT '',
    happened      text NOT NULL DEFAULT '',
    learnt        text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, action_id) REFERENCES actions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX journal_action_idx ON journal_entries (tenant_id, action_id, at);

-- The coach's comments on an action and its journal.
CREATE TABLE action_comments (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    action_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    author_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, action_id) REFERENCES actions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

-- After a held session, the coachee and the coach each rate autonomy (1-5).
CREATE TABLE autonomy_ratings (
    tenant_id     uuid NOT NULL,
    session_id    uuid NOT NULL,
    part          text NOT NULL CHECK (part IN ('coach', 'coachee')),
    engagement_id uuid NOT NULL,
    user_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    score         integer NOT NULL CHECK (score BETWEEN 1 AND 5),
    word          text NOT NULL DEFAULT '' CHECK (length(word) <= 200),
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, session_id, part),
    FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['coaching_sessions', 'session_contents', 'session_situations', 'session_options', 'library_items',
                             'session_inputs', 'private_notes', 'actions', 'journal_entries', 'action_comments',
                             'autonomy_ratings'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant())', t);
    END LOOP;
    -- Session content, theoretical input links, comments and autonomy ratings:
    -- the coaches and the coachee only.
    FOREACH t IN ARRAY ARRAY['session_contents', 'session_situations', 'session_options', 'session_inputs',
                             'action_comments', 'autonomy_ratings'] LOOP
        EXECUTE format('CREATE POLICY coaching_parties ON %I AS RESTRICTIVE USING (app_part(engagement_id) IN (''coach'', ''cocoach'', ''coachee''))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- Private notes: their author alone, not another coach, not the admin.
CREATE POLICY author_only ON private_notes AS RESTRICTIVE
    USING (author_id = app_user() AND app_part(engagement_id) IN ('coach', 'cocoach'));

-- Actions and their journal: the coachee and the coaches; the sponsor sees an
-- action only while the coachee shares it.
CREATE POLICY coachee_space ON actions AS RESTRICTIVE
    USING (app_part(engagement_id) IN ('coach', 'cocoach', 'coachee')
           OR (shared_at IS NOT NULL AND app_part(engagement_id) = 'sponsor'));
CREATE POLICY coachee_space ON journal_entries AS RESTRICTIVE
    USING (app_part(engagement_id) IN ('coach', 'cocoach', 'coachee')
           OR (app_part(engagement_id) = 'sponsor' AND EXISTS (
                SELECT 1 FROM actions a WHERE a.tenant_id = journal_entries.tenant_id
                  AND a.id = journal_entries.action_id AND a.shared_at IS NOT NULL)));

-- +goose Down
DROP TABLE autonomy_ratings, action_comments, journal_entries, actions, private_notes, session_inputs,
    library_items, session_options, session_situations, session_contents, coaching_sessions;
