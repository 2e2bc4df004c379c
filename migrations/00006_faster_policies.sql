-- +goose Up
-- Measured with `make bench`: the confidentiality policies called app_part() for
-- every row, a query per row. The same rules written as "engagement_id IN (the
-- engagements where I have this part)" are planned as one hashed subquery per
-- statement. The rules themselves do not change.

-- The subquery is written out in each policy rather than hidden in a function:
-- a function body is planned again at every execution, the subquery once with
-- the statement.

DROP POLICY diagnosis_parties ON diagnoses;
CREATE POLICY diagnosis_parties ON diagnoses AS RESTRICTIVE FOR SELECT
    USING (engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY ('{coach,cocoach,coachee}')));
DROP POLICY diagnosis_coaches ON diagnoses;
CREATE POLICY diagnosis_coaches ON diagnoses AS RESTRICTIVE FOR UPDATE
    USING (engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY ('{coach,cocoach}')));

DROP POLICY meeting_request_parties ON meeting_requests;
CREATE POLICY meeting_request_parties ON meeting_requests AS RESTRICTIVE
    USING (engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY ('{coach,cocoach,coachee,sponsor}')));

DROP POLICY history_readers ON events;
CREATE POLICY history_readers ON events AS RESTRICTIVE FOR SELECT
    USING (app_workspace_role() = 'admin'
           OR engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY ('{coach,cocoach}')));

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['session_contents', 'session_situations', 'session_options', 'session_inputs',
                             'action_comments', 'autonomy_ratings', 'evaluations'] LOOP
        EXECUTE format('DROP POLICY coaching_parties ON %I', t);
        EXECUTE format('CREATE POLICY coaching_parties ON %I AS RESTRICTIVE USING (engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY (''{coach,cocoach,coachee}'')))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

DROP POLICY author_only ON private_notes;
CREATE POLICY author_only ON private_notes AS RESTRICTIVE
    USING (author_id = app_user() AND engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY ('{coach,cocoach}')));

DROP POLICY coachee_space ON actions;
CREATE POLICY coachee_space ON actions AS RESTRICTIVE
    USING (engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY ('{coach,cocoach,coachee}'))
           OR (shared_at IS NOT NULL AND engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY ('{sponsor}'))));
DROP POLICY coachee_space ON journal_entries;
CREATE POLICY coachee_space ON journal_entries AS RESTRICTIVE
    USING (engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY ('{coach,cocoach,coachee}'))
           OR (engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY ('{sponsor}')) AND EXISTS (
                SELECT 1 FROM actions a WHERE a.tenant_id = journal_entries.tenant_id
                  AND a.id = journal_entries.action_id AND a.shared_at IS NOT NULL)));

DROP POLICY coachee_writes ON coachee_syntheses;
CREATE POLICY coachee_writes ON coachee_syntheses AS RESTRICTIVE FOR UPDATE
    USING (engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY ('{coachee}')));

-- Indexes for the lookups the pages make (found with EXPLAIN ANALYZE on the
-- benchmark dataset).
CREATE INDEX journal_engagement_idx ON journal_entries (tenant_id, engagement_id, at);
CREATE INDEX action_comments_action_idx ON action_comments (tenant_id, action_id, at);
CREATE INDEX session_situations_session_idx ON session_situations (tenant_id, session_id, position);
CREATE INDEX session_options_session_idx ON session_options (tenant_id, session_id, position);
CREATE INDEX meeting_requests_engagement_idx ON meeting_requests (tenant_id, engagement_id);
CREATE INDEX recommendations_engagement_idx ON recommendations (tenant_id, engagement_id);
CREATE INDEX evaluations_engagement_idx ON evaluations (tenant_id, engagement_id);
CREATE INDEX document_comments_engagement_idx ON document_comments (tenant_id, engagement_id, document);
CREATE INDEX actions_session_idx ON actions (tenant_id, session_id);

-- +goose Down
DROP INDEX actions_session_idx, document_comments_engagement_idx, evaluations_engagement_idx, recommendations_engagement_idx,
    meeting_requests_engagement_idx, session_options_session_idx, session_situations_session_idx, action_comments_action_idx,
    journal_engagement_idx;
