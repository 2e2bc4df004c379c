-- +goose Up
-- Per-engagement summary rows, kept by the writes. The dashboards and the
-- duties read each engagement's figures (sessions held and planned, open
-- actions, journal entries awaiting the coach, documents awaiting each party,
-- the gate's facts) from one row instead of aggregating the source tables on
-- every page. Statement triggers on every source table recompute the row in
-- the same transaction as the write; nothing periodic.
--
-- What depends on the clock (the next meeting, sessions to record) is stored
-- as small arrays of dates and judged at read time against "now".

-- The recompute, written once: one row per engagement, from the source tables.
-- The triggers, the bench generator (after COPY) and the rebuild test all read
-- this view. It runs as its owner (bound by the workspace alone): the request
-- role does not read it.
CREATE VIEW engagement_summary_source AS
SELECT e.tenant_id, e.id AS engagement_id, e.phase,
    ss.held, ss.last_held, ss.planned_ids, ss.planned_numbers, ss.planned_at,
    mo.at AS meetings_open_at, mo.kinds AS meetings_open_kinds,
    fm.scheduled_at AS framing_at, coalesce(fm.held, false) AS framing_held,
    (SELECT m.scheduled_at FROM meetings m WHERE m.tenant_id = e.tenant_id AND m.engagement_id = e.id AND m.kind = 'final' LIMIT 1) AS final_at,
    coalesce((SELECT m.held FROM meetings m WHERE m.tenant_id = e.tenant_id AND m.engagement_id = e.id AND m.kind = 'final' LIMIT 1), false) AS final_held,
    (SELECT coalesce(array_agg(r.body <> '' ORDER BY r.level), '{}') FROM requests r WHERE r.tenant_id = e.tenant_id AND r.engagement_id = e.id) AS requests_written,
    (SELECT coalesce(array_agg(r.validated_at IS NOT NULL ORDER BY r.level), '{}') FROM requests r WHERE r.tenant_id = e.tenant_id AND r.engagement_id = e.id) AS requests_validated,
    (SELECT coalesce(array_agg((SELECT count(*) FROM indicators i WHERE i.tenant_id = o.tenant_id AND i.objective_id = o.id)::int ORDER BY o.position), '{}')
     FROM objectives o WHERE o.tenant_id = e.tenant_id AND o.engagement_id = e.id) AS indicators_per_objective,
    (SELECT count(*)::int FROM indicators i WHERE i.tenant_id = e.tenant_id AND i.engagement_id = e.id) AS indicators,
    ev.coach AS assessed_coach, ev.coachee AS assessed_coachee,
    coalesce(sv.n, 0) AS synthesis_n,
    (SELECT coalesce(array_agg(DISTINCT x.part ORDER BY x.part), '{}') FROM synthesis_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = sv.n) AS synthesis_parts,
    (SELECT count(*)::int FROM document_comments dc WHERE dc.tenant_id = e.tenant_id AND dc.engagement_id = e.id AND dc.document = 'synthesis' AND dc.number = sv.n) AS synthesis_comments,
    coalesce(rv.n, 0) AS report_n,
    (SELECT coalesce(array_agg(DISTINCT x.part ORDER BY x.part), '{}') FROM report_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = rv.n) AS report_parts,
    q.open AS open_requests, q.newest AS newest_request,
    rc.ids AS unrated_coach_ids, rc.numbers AS unrated_coach_numbers, rc.at AS unrated_coach_at,
    re.ids AS unrated_coachee_ids, re.numbers AS unrated_coachee_numbers, re.at AS unrated_coachee_at,
    -- Journal entries newer than the coaches' last comment on their action.
    coalesce((SELECT count(*)::int FROM journal_entries j
        LEFT JOIN (SELECT ac.action_id, max(ac.at) AS last FROM action_comments ac WHERE ac.tenant_id = e.tenant_id AND ac.engagement_id = e.id
                   GROUP BY ac.action_id) lc ON lc.action_id = j.action_id
        WHERE j.tenant_id = e.tenant_id AND j.engagement_id = e.id AND j.at > coalesce(lc.last, '-infinity')), 0) AS unanswered_journal,
    -- What a sponsor counts of it: the entries on the actions shared with them
    -- (they see no comment).
    (SELECT count(*)::int FROM journal_entries j JOIN actions sa ON sa.tenant_id = j.tenant_id AND sa.id = j.action_id
     WHERE j.tenant_id = e.tenant_id AND j.engagement_id = e.id AND sa.shared_at IS NOT NULL) AS shared_journal,
    a.open AS open_actions, a.next_due, a.shared_open AS shared_open_actions, a.shared_next_due,
    EXISTS (SELECT 1 FROM coachee_syntheses cs WHERE cs.tenant_id = e.tenant_id AND cs.engagement_id = e.id AND cs.body <> '') AS coachee_synthesis
FROM engagements e
LEFT JOIN meetings fm ON fm.tenant_id = e.tenant_id AND fm.engagement_id = e.id AND fm.kind = 'framing'
-- Meetings not held yet, by date: when and which.
CROSS JOIN LATERAL (SELECT coalesce(array_agg(m.scheduled_at ORDER BY m.scheduled_at, m.id), '{}') AS at,
    coalesce(array_agg(m.kind ORDER BY m.scheduled_at, m.id), '{}') AS kinds
    FROM meetings m WHERE m.tenant_id = e.tenant_id AND m.engagement_id = e.id AND NOT m.held AND m.scheduled_at IS NOT NULL) mo
CROSS JOIN LATERAL (SELECT max(number) AS n FROM synthesis_versions v WHERE v.tenant_id = e.tenant_id AND v.engagement_id = e.id) sv
CROSS JOIN LATERAL (SELECT max(number) AS n FROM report_versions v WHERE v.tenant_id = e.tenant_id AND v.engagement_id = e.id) rv
CROSS JOIN LATERAL (SELECT count(*)::int AS open, max(created_at) AS newest FROM meeting_requests mr
    WHERE mr.tenant_id = e.tenant_id AND mr.engagement_id = e.id AND mr.meeting_id IS NULL) q
CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE s.status = 'held')::int AS held,
    max(s.scheduled_at) FILTER (WHERE s.status = 'held') AS last_held,
    coalesce(array_agg(s.id::text ORDER BY s.number) FILTER (WHERE s.status = 'planned'), '{}') AS planned_ids,
    coalesce(array_agg(s.number ORDER BY s.number) FILTER (WHERE s.status = 'planned'), '{}') AS planned_numbers,
    coalesce(array_agg(s.scheduled_at ORDER BY s.number) FILTER (WHERE s.status = 'planned'), '{}') AS planned_at
    FROM coaching_sessions s WHERE s.tenant_id = e.tenant_id AND s.engagement_id = e.id) ss
-- Held sessions each side (the coaches', the coachee's) has not rated yet.
CROSS JOIN LATERAL (SELECT coalesce(array_agg(s.id::text ORDER BY s.number), '{}') AS ids, coalesce(array_agg(s.number ORDER BY s.number), '{}') AS numbers,
    coalesce(array_agg(s.scheduled_at ORDER BY s.number), '{}') AS at
    FROM coaching_sessions s WHERE s.tenant_id = e.tenant_id AND s.engagement_id = e.id AND s.status = 'held'
    AND NOT EXISTS (SELECT 1 FROM autonomy_ratings ar WHERE ar.tenant_id = s.tenant_id AND ar.session_id = s.id AND ar.part = 'coach')) rc
CROSS JOIN LATERAL (SELECT coalesce(array_agg(s.id::text ORDER BY s.number), '{}') AS ids, coalesce(array_agg(s.number ORDER BY s.number), '{}') AS numbers,
    coalesce(array_agg(s.scheduled_at ORDER BY s.number), '{}') AS at
    FROM coaching_sessions s WHERE s.tenant_id = e.tenant_id AND s.engagement_id = e.id AND s.status = 'held'
    AND NOT EXISTS (SELECT 1 FROM autonomy_ratings ar WHERE ar.tenant_id = s.tenant_id AND ar.session_id = s.id AND ar.part = 'coachee')) re
CROSS JOIN LATERAL (SELECT count(*)::int AS open, min(ac.due_date) AS next_due,
    count(*) FILTER (WHERE ac.shared_at IS NOT NULL)::int AS shared_open, min(ac.due_date) FILTER (WHERE ac.shared_at IS NOT NULL) AS shared_next_due
    FROM actions ac WHERE ac.tenant_id = e.tenant_id AND ac.engagement_id = e.id AND ac.status IN ('todo', 'in_progress')) a
CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE x.part = 'coach')::int AS coach, count(*) FILTER (WHERE x.part = 'coachee')::int AS coachee
    FROM evaluations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id) ev;

REVOKE ALL ON engagement_summary_source FROM triade_app;

-- The stored rows: the view's columns, one row per engagement.
CREATE TABLE engagement_summaries AS SELECT * FROM engagement_summary_source WITH NO DATA;
ALTER TABLE engagement_summaries
    ALTER COLUMN tenant_id SET NOT NULL, ALTER COLUMN engagement_id SET NOT NULL,
    ADD PRIMARY KEY (tenant_id, engagement_id),
    ADD FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE;

-- Read like the engagement itself (its parties, the workspace admin, its
-- creator); written only by the triggers below, never by the request role.
ALTER TABLE engagement_summaries ENABLE ROW LEVEL SECURITY;
ALTER TABLE engagement_summaries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON engagement_summaries USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE POLICY rule_select ON engagement_summaries AS RESTRICTIVE FOR SELECT TO triade_app
    USING ((engagement_id IN (SELECT app_engagements('{coach,cocoach,coachee,sponsor}')) OR app_has_role('admin')
            OR engagement_id IN (SELECT e.id FROM engagements e WHERE e.tenant_id = app_tenant() AND e.created_by = app_user()))
           OR app_erasing());
CREATE POLICY rule_insert ON engagement_summaries AS RESTRICTIVE FOR INSERT TO triade_app WITH CHECK (false);
CREATE POLICY rule_update ON engagement_summaries AS RESTRICTIVE FOR UPDATE TO triade_app USING (false) WITH CHECK (false);
CREATE POLICY rule_delete ON engagement_summaries AS RESTRICTIVE FOR DELETE TO triade_app USING (false);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON engagement_summaries FROM triade_app;

-- Recompute one engagement's row (none when the engagement is gone). Writers
-- of one engagement take turns on a transaction lock; the row is then read
-- from the view by a later statement, whose snapshot includes what the
-- previous writer committed. The table's columns are the view's, in order.
-- +goose StatementBegin
CREATE FUNCTION summary_recompute(t uuid, eng uuid) RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE caller text := current_setting('app.tenant_id', true);
BEGIN
    -- The owner reads the engagement's workspace, also for a write made
    -- without one set (a superuser's); the caller's setting comes back after.
    PERFORM set_config('app.tenant_id', t::text, true);
    PERFORM pg_advisory_xact_lock(hashtextextended(t::text || eng::text, 18));
    DELETE FROM engagement_summaries WHERE tenant_id = t AND engagement_id = eng;
    INSERT INTO engagement_summaries SELECT * FROM engagement_summary_source WHERE tenant_id = t AND engagement_id = eng;
    PERFORM set_config('app.tenant_id', coalesce(caller, ''), true);
END
$$;
-- +goose StatementEnd
REVOKE EXECUTE ON FUNCTION summary_recompute(uuid, uuid) FROM PUBLIC, triade_app;

-- The statement triggers: every engagement a statement touched, once, in a
-- fixed order (no deadlock between two writers of the same engagements).
-- +goose StatementBegin
CREATE FUNCTION summary_touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR r IN SELECT DISTINCT n.tenant_id, n.engagement_id FROM new_rows n ORDER BY 1, 2 LOOP
            PERFORM summary_recompute(r.tenant_id, r.engagement_id);
        END LOOP;
    ELSIF TG_OP = 'UPDATE' THEN
        FOR r IN SELECT o.tenant_id, o.engagement_id FROM old_rows o UNION SELECT n.tenant_id, n.engagement_id FROM new_rows n ORDER BY 1, 2 LOOP
            PERFORM summary_recompute(r.tenant_id, r.engagement_id);
        END LOOP;
    ELSE
        FOR r IN SELECT DISTINCT o.tenant_id, o.engagement_id FROM old_rows o ORDER BY 1, 2 LOOP
            PERFORM summary_recompute(r.tenant_id, r.engagement_id);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- The engagements themselves (their key is id): a new one gets its row; a
-- phase move updates it; a deleted one's row goes with it (foreign key).
-- +goose StatementBegin
CREATE FUNCTION summary_touch_engagement() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT DISTINCT n.tenant_id, n.id FROM new_rows n ORDER BY 1, 2 LOOP
        PERFORM summary_recompute(r.tenant_id, r.id);
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
REVOKE EXECUTE ON FUNCTION summary_touch(), summary_touch_engagement() FROM PUBLIC, triade_app;

CREATE TRIGGER summary_insert AFTER INSERT ON engagements REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION summary_touch_engagement();
CREATE TRIGGER summary_update AFTER UPDATE ON engagements REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION summary_touch_engagement();

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['coaching_sessions', 'meetings', 'requests', 'objectives', 'indicators',
                             'synthesis_versions', 'synthesis_validations', 'document_comments',
                             'report_versions', 'report_validations', 'meeting_requests', 'autonomy_ratings',
                             'actions', 'journal_entries', 'action_comments', 'evaluations', 'coachee_syntheses'] LOOP
        EXECUTE format('CREATE TRIGGER summary_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summary_touch()', t);
        EXECUTE format('CREATE TRIGGER summary_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summary_touch()', t);
        EXECUTE format('CREATE TRIGGER summary_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION summary_touch()', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- Existing engagements, one workspace at a time (the owner is bound by the
-- workspace's row-level security too).
-- +goose StatementBegin
DO $$
DECLARE w uuid;
BEGIN
    FOR w IN SELECT id FROM workspaces LOOP
        PERFORM set_config('app.tenant_id', w::text, true);
        INSERT INTO engagement_summaries SELECT * FROM engagement_summary_source WHERE tenant_id = w;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
-- +goose StatementEnd

-- The two functions the policies call most (which engagements the person
-- takes part in; whether a user is a member of the workspace) were SQL
-- functions: PostgreSQL plans a SQL function's query anew at every statement
-- that calls it (pg_stat_statements under `make bench`: one plan per call, 7
-- per dashboard). In PL/pgSQL the plan is kept by the connection. Same
-- answers, same rights.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_engagements(parts text[]) RETURNS SETOF uuid LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
    RETURN QUERY SELECT engagement_id FROM engagement_parties
        WHERE tenant_id = app_tenant() AND user_id = app_user() AND part = ANY (parts);
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_sees_user(uid uuid) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM memberships WHERE tenant_id = app_tenant() AND user_id = uid);
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_engagements(parts text[]) RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT engagement_id FROM engagement_parties
  WHERE tenant_id = app_tenant() AND user_id = app_user() AND part = ANY (parts)
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_sees_user(uid uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = app_tenant() AND user_id = uid)
$$;
-- +goose StatementEnd
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['coaching_sessions', 'meetings', 'requests', 'objectives', 'indicators',
                             'synthesis_versions', 'synthesis_validations', 'document_comments',
                             'report_versions', 'report_validations', 'meeting_requests', 'autonomy_ratings',
                             'actions', 'journal_entries', 'action_comments', 'evaluations', 'coachee_syntheses', 'engagements'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS summary_insert ON %I', t);
        EXECUTE format('DROP TRIGGER IF EXISTS summary_update ON %I', t);
        EXECUTE format('DROP TRIGGER IF EXISTS summary_delete ON %I', t);
    END LOOP;
END $$;
-- +goose StatementEnd
DROP FUNCTION summary_touch_engagement();
DROP FUNCTION summary_touch();
DROP FUNCTION summary_recompute(uuid, uuid);
DROP TABLE engagement_summaries;
DROP VIEW engagement_summary_source;
