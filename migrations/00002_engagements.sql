-- +goose Up
-- Engagements and the cadrage (framing) phase. Every table is keyed by tenant_id
-- first, in its primary key and in every foreign key.

-- The signed-in person's role in the current workspace.
-- +goose StatementBegin
CREATE FUNCTION app_workspace_role() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT role FROM memberships WHERE tenant_id = app_tenant() AND user_id = app_user()
$$;
-- +goose StatementEnd

CREATE TABLE engagements (
    tenant_id          uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    client_org_id      uuid NOT NULL,
    phase              text NOT NULL DEFAULT 'cadrage'
                       CHECK (phase IN ('cadrage', 'accompagnement', 'bouclage', 'clos', 'interrompu')),
    phase_changed_at   timestamptz NOT NULL DEFAULT now(),
    -- First meeting: its date and each party's own confirmation of willingness.
    first_meeting_at   timestamptz,
    coach_willing_at   timestamptz,
    coachee_willing_at timestamptz,
    -- The coach's validation of the two requests and of their coherence.
    coherence_ok       boolean NOT NULL DEFAULT false,
    coherence_comment  text NOT NULL DEFAULT '',
    coherence_at       timestamptz,
    -- The synthesis document's free text, edited with optimistic locking.
    synthesis_text     text NOT NULL DEFAULT '',
    synthesis_version  integer NOT NULL DEFAULT 1,
    ended_reason       text NOT NULL DEFAULT '',
    ended_by           uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_org_id) REFERENCES client_orgs (tenant_id, id)
);
CREATE INDEX engagements_phase_idx ON engagements (tenant_id, phase);

-- Who takes part in an engagement, and as what. The coachee is a party too, so
-- that every confidentiality rule reads from this one table.
CREATE TABLE engagement_parties (
    tenant_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    user_id       uuid NOT NULL,
    part          text NOT NULL CHECK (part IN ('coach', 'cocoach', 'coachee', 'sponsor')),
    sponsor_kind  text NOT NULL DEFAULT '' CHECK (sponsor_kind IN ('', 'manager', 'hr', 'training', 'other')),
    PRIMARY KEY (tenant_id, engagement_id, user_id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);
CREATE UNIQUE INDEX engagement_one_lead ON engagement_parties (tenant_id, engagement_id) WHERE part = 'coach';
CREATE UNIQUE INDEX engagement_one_coachee ON engagement_parties (tenant_id, engagement_id) WHERE part = 'coachee';
CREATE INDEX engagement_parties_user_idx ON engagement_parties (tenant_id, user_id);

-- The signed-in person's part in an engagement ('' when none).
-- +goose StatementBegin
CREATE FUNCTION app_part(eng uuid) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT part FROM engagement_parties
                   WHERE tenant_id = app_tenant() AND engagement_id = eng AND user_id = app_user()), '')
$$;
-- +goose StatementEnd

-- First-meeting diagnosis: between coach and coachee only.
CREATE TABLE diagnoses (
    tenant_id        uuid NOT NULL,
    engagement_id    uuid NOT NULL,
    stakes           text NOT NULL DEFAULT '',
    draft_objectives text NOT NULL DEFAULT '',
    version          integer NOT NULL DEFAULT 1,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, engagement_id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

-- The two levels of request: the company's and the coachee's.
CREATE TABLE requests (
    tenant_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    level         text NOT NULL CHECK (level IN ('company', 'coachee')),
    body          text NOT NULL DEFAULT '',
    written_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    validated_at  timestamptz,
    version       integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, engagement_id, level),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE objectives (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    engagement_id uuid NOT NULL,
    position      integer NOT NULL,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description   text NOT NULL DEFAULT '',
    version       integer NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX objectives_engagement_idx ON objectives (tenant_id, engagement_id, position);

CREATE TABLE indicators (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    engagement_id uuid NOT NULL,
    objective_id  uuid NOT NULL,
    position      integer NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('observable', 'performance')),
    description   text NOT NULL CHECK (length(description) BETWEEN 1 AND 1000),
    baseline      text NOT NULL DEFAULT '',
    target        text NOT NULL DEFAULT '',
    observation   text NOT NULL DEFAULT '',
    version       integer NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, objective_id) REFERENCES objectives (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX indicators_objective_idx ON indicators (tenant_id, objective_id, position);

CREATE TABLE contracts (
    tenant_id        uuid NOT NULL,
    engagement_id    uuid NOT NULL,
    approach         text NOT NULL DEFAULT '',
    sessions_planned integer CHECK (sessions_planned BETWEEN 1 AND 100),
    session_minutes  integer CHECK (session_minutes BETWEEN 15 AND 480),
    start_date       date,
    end_date         date,
    confidentiality  text NOT NULL DEFAULT '',
    exceptions       text NOT NULL DEFAULT '',
    version          integer NOT NULL DEFAULT 1,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, engagement_id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);

-- Three-way meetings: the framing meeting, intermediate ones, the final one.
CREATE TABLE meetings (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    engagement_id uuid NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('framing', 'intermediate', 'final')),
    scheduled_at  timestamptz,
    held          boolean NOT NULL DEFAULT false,
    notes         text NOT NULL DEFAULT '',
    adjustments   text NOT NULL DEFAULT '',
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX meetings_one_framing ON meetings (tenant_id, engagement_id) WHERE kind = 'framing';
CREATE INDEX meetings_engagement_idx ON meetings (tenant_id, engagement_id);

CREATE TABLE meeting_attendees (
    tenant_id  uuid NOT NULL,
    meeting_id uuid NOT NULL,
    user_id    uuid NOT NULL,
    PRIMARY KEY (tenant_id, meeting_id, user_id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);

-- A party's request for an intermediate three-way meeting.
CREATE TABLE meeting_requests (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    engagement_id uuid NOT NULL,
    requested_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    meeting_id    uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id)
);

-- Numbered versions of the synthesis document: a frozen copy of the framing
-- (requests, objectives, indicators, contract) and the free text.
CREATE TABLE synthesis_versions (
    tenant_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    number        integer NOT NULL,
    content       jsonb NOT NULL,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, engagement_id, number),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE synthesis_validations (
    tenant_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    number        integer NOT NULL,
    user_id       uuid NOT NULL,
    part          text NOT NULL CHECK (part IN ('coach', 'cocoach', 'coachee', 'sponsor')),
    validated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, engagement_id, number, user_id),
    FOREIGN KEY (tenant_id, engagement_id, number) REFERENCES synthesis_versions (tenant_id, engagement_id, number) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);

ALTER TABLE events ADD COLUMN engagement_id uuid;
CREATE INDEX events_engagement_idx ON events (tenant_id, engagement_id, at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['engagements', 'engagement_parties', 'diagnoses', 'requests', 'objectives', 'indicators',
                             'contracts', 'meetings', 'meeting_attendees', 'meeting_requests',
                             'synthesis_versions', 'synthesis_validations'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant())', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- Confidentiality enforced by PostgreSQL itself. A restrictive policy narrows
-- the tenant policy: the diagnosis belongs to coach and coachee alone; meeting
-- requests to the three parties (not the workspace admin).
-- Whoever opens the engagement (an admin, a coach for a colleague) creates its
-- empty diagnosis without being a party; only the parties read it, only the
-- coaches write it.
CREATE POLICY diagnosis_parties ON diagnoses AS RESTRICTIVE FOR SELECT
    USING (app_part(engagement_id) IN ('coach', 'cocoach', 'coachee'));
CREATE POLICY diagnosis_coaches ON diagnoses AS RESTRICTIVE FOR UPDATE
    USING (app_part(engagement_id) IN ('coach', 'cocoach'));
CREATE POLICY diagnosis_empty_at_birth ON diagnoses AS RESTRICTIVE FOR INSERT
    WITH CHECK (stakes = '' AND draft_objectives = '');
CREATE POLICY meeting_request_parties ON meeting_requests AS RESTRICTIVE
    USING (app_part(engagement_id) IN ('coach', 'cocoach', 'coachee', 'sponsor'));

-- The history: readable by the workspace admin and the engagement's coaches;
-- anyone acting may append to it.
CREATE POLICY history_readers ON events AS RESTRICTIVE FOR SELECT
    USING (app_workspace_role() = 'admin'
           OR (engagement_id IS NOT NULL AND app_part(engagement_id) IN ('coach', 'cocoach')));

-- +goose Down
DROP POLICY history_readers ON events;
DROP INDEX events_engagement_idx;
ALTER TABLE events DROP COLUMN engagement_id;
DROP TABLE synthesis_validations, synthesis_versions, meeting_requests, meeting_attendees, meetings, contracts,
    indicators, objectives, requests, diagnoses, engagement_parties, engagements;
DROP FUNCTION app_part(uuid);
DROP FUNCTION app_workspace_role();
