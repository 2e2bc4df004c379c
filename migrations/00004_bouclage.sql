-- +goose Up
-- The bouclage phase: evaluation against the indicators, the final three-way
-- meeting (the coachee's synthesis, recommendations, the sponsor's feedback) and
-- the final report whose last validation closes the engagement.

-- Each of the coach and the coachee assesses each indicator on their own.
CREATE TABLE evaluations (
    tenant_id     uuid NOT NULL,
    indicator_id  uuid NOT NULL,
    part          text NOT NULL CHECK (part IN ('coach', 'coachee')),
    engagement_id uuid NOT NULL,
    user_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    reached       text NOT NULL DEFAULT '',
    assessment    text NOT NULL CHECK (assessment IN ('reached', 'partly', 'not_reached')),
    evidence      text NOT NULL DEFAULT '',
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, indicator_id, part),
    FOREIGN KEY (tenant_id, indicator_id) REFERENCES indicators (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

-- The synthesis the coachee writes and presents at the final meeting.
CREATE TABLE coachee_syntheses (
    tenant_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    body          text NOT NULL DEFAULT '',
    version       integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, engagement_id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

-- Recommendations for making the results last (préconisations).
CREATE TABLE recommendations (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    engagement_id uuid NOT NULL,
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    carrier       text NOT NULL CHECK (carrier IN ('coachee', 'manager', 'hr', 'other')),
    due_date      date,
    author_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE sponsor_feedback (
    tenant_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    author_id     uuid NOT NULL,
    body          text NOT NULL DEFAULT '',
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, engagement_id, author_id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, author_id) REFERENCES memberships (tenant_id, user_id)
);

-- Numbered versions of the final report, frozen, validated like the synthesis.
CREATE TABLE report_versions (
    tenant_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    number        integer NOT NULL,
    content       jsonb NOT NULL,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, engagement_id, number),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE report_validations (
    tenant_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    number        integer NOT NULL,
    user_id       uuid NOT NULL,
    part          text NOT NULL CHECK (part IN ('coach', 'cocoach', 'coachee', 'sponsor')),
    validated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, engagement_id, number, user_id),
    FOREIGN KEY (tenant_id, engagement_id, number) REFERENCES report_versions (tenant_id, engagement_id, number) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);

-- Comments on a version of the synthesis or of the report, before validating it.
CREATE TABLE document_comments (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    engagement_id uuid NOT NULL,
    document      text NOT NULL CHECK (document IN ('synthesis', 'report')),
    number        integer NOT NULL,
    author_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['evaluations', 'coachee_syntheses', 'recommendations', 'sponsor_feedback',
                             'report_versions', 'report_validations', 'document_comments'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant())', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- The evaluation is the coaches' and the coachee's: the sponsor gets the final
-- report, which is what was agreed.
CREATE POLICY coaching_parties ON evaluations AS RESTRICTIVE
    USING (app_part(engagement_id) IN ('coach', 'cocoach', 'coachee'));
-- Only the coachee writes their synthesis; the coach cannot edit it.
CREATE POLICY coachee_writes ON coachee_syntheses AS RESTRICTIVE FOR UPDATE
    USING (app_part(engagement_id) = 'coachee');
CREATE POLICY born_empty ON coachee_syntheses AS RESTRICTIVE FOR INSERT
    WITH CHECK (body = '');

-- +goose Down
DROP TABLE document_comments, report_validations, report_versions, sponsor_feedback, recommendations,
    coachee_syntheses, evaluations;
