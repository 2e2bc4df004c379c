-- +goose Up
-- The policies asked "is this row's engagement one of the person's?" by
-- listing all the person's engagements in every statement (a hashed subplan
-- over engagement_parties, or app_engagements()), then looking the row up in
-- that list. For a coach of ten engagements the list is short; for an HR
-- partner of a programme of 1,000, or a firm's busy coach, every statement
-- of every page read the whole list first: an engagement page of the
-- bench's programme coach (1,000 engagements) cost the database 16 ms, six
-- times that of a coach of ten. Now each row is checked by probing the
-- person's part in that row's engagement (the primary key of
-- engagement_parties: tenant, engagement, person): the cost follows the rows
-- a statement reads, not the person's history. The rules do not change
-- (TestDatabaseMatrix: 1,472 operations, same outcomes);
-- TestPoliciesDoNotGrowWithThePersonsEngagements holds the cost.
--
-- engagement_parties cannot probe itself from its own policy (PostgreSQL
-- refuses the recursion): it asks app_takes_part(), which reads as the owner,
-- bound to the workspace. Each probe ends with OFFSET 0: without it,
-- PostgreSQL may plan an EXISTS as its hashed alternative, the list again
-- (it did, under the plans the request pool makes once for any person, with
-- the bench's statistics). What only writes check (who opened the engagement,
-- one's own part when validating) keeps its list: a write names one row.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_takes_part(eng uuid) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM engagement_parties
                   WHERE tenant_id = app_tenant() AND engagement_id = eng AND user_id = app_user());
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION app_takes_part(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_takes_part(uuid) TO triade_app;

-- probe rewrites one policy expression of table tbl (as PostgreSQL renders
-- it: pg_get_expr) with each list replaced by a probe.
-- +goose StatementBegin
CREATE FUNCTION pg_temp.probe(tbl text, expr text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    parties CONSTANT text := 'EXISTS (SELECT 1 FROM engagement_parties ep WHERE ep.tenant_id = %1$I.tenant_id'
        || ' AND ep.engagement_id = %1$I.%2$s AND ep.user_id = app_user() AND ep.part = ANY (%3$s) OFFSET 0)';
    list CONSTANT text := 'SELECT ep\.engagement_id\s+FROM engagement_parties ep\s+WHERE \(\(ep\.tenant_id = app_tenant\(\)\)'
        || ' AND \(ep\.user_id = app_user\(\)\) AND \(ep\.part = ANY \((''\{[a-z,]+\}''::text\[\])\)\)\)';
    m text[];
BEGIN
    IF expr IS NULL THEN
        RETURN NULL;
    END IF;
    -- "{P:parts}" of 00007: engagement_id IN (the person's engagements with these parts).
    LOOP
        m := regexp_match(expr, '(^|[^.])(engagement_id IN \( ' || list || '\))');
        EXIT WHEN m IS NULL;
        expr := replace(expr, m[2], format(parties, tbl, 'engagement_id', m[3]));
    END LOOP;
    -- app_engagements(parts): the same list from a function.
    LOOP
        m := regexp_match(expr, '(^|[^.])((id|engagement_id) IN \( SELECT app_engagements\((''\{[a-z,]+\}''::text\[\])\) AS app_engagements\))');
        EXIT WHEN m IS NULL;
        IF tbl <> 'engagement_parties' THEN
            expr := replace(expr, m[2], format(parties, tbl, m[3], m[4]));
        ELSIF m[4] = '''{coach,cocoach,coachee,sponsor}''::text[]' THEN
            expr := replace(expr, m[2], format('app_takes_part(%s)', m[3]));
        ELSE
            RAISE EXCEPTION 'engagement_parties: a policy on some parts only: %', m[2];
        END IF;
    END LOOP;
    -- Attendees follow their meeting, which its own policy shows or not.
    IF tbl = 'meeting_attendees' THEN
        m := regexp_match(expr, '(meeting_id IN \( SELECT m\.id\s+FROM meetings m\s+WHERE \(m\.tenant_id = app_tenant\(\)\)\))');
        IF m IS NOT NULL THEN
            expr := replace(expr, m[1], 'EXISTS (SELECT 1 FROM meetings m WHERE m.tenant_id = meeting_attendees.tenant_id AND m.id = meeting_attendees.meeting_id OFFSET 0)');
        END IF;
        m := regexp_match(expr, '(meeting_id IN \( SELECT m\.id\s+FROM meetings m\s+WHERE \(\(m\.tenant_id = app_tenant\(\)\) AND \(m\.engagement_id IN \( '
            || list || '\)\)\)\))');
        IF m IS NOT NULL THEN
            expr := replace(expr, m[1], format('EXISTS (SELECT 1 FROM meetings m WHERE m.tenant_id = meeting_attendees.tenant_id AND m.id = meeting_attendees.meeting_id'
                || ' AND EXISTS (SELECT 1 FROM engagement_parties ep WHERE ep.tenant_id = m.tenant_id AND ep.engagement_id = m.engagement_id'
                || ' AND ep.user_id = app_user() AND ep.part = ANY (%s) OFFSET 0) OFFSET 0)', m[2]));
        END IF;
    END IF;
    RETURN expr;
END
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
    r record;
    q text;
    c text;
BEGIN
    FOR r IN SELECT cl.relname::text AS tbl, p.polname::text AS polname,
            pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS chk
        FROM pg_policy p JOIN pg_class cl ON cl.oid = p.polrelid
        WHERE cl.relnamespace = 'public'::regnamespace LOOP
        q := pg_temp.probe(r.tbl, r.qual);
        c := pg_temp.probe(r.tbl, r.chk);
        IF q IS DISTINCT FROM r.qual THEN
            EXECUTE format('ALTER POLICY %I ON %I USING (%s)', r.polname, r.tbl, q);
        END IF;
        IF c IS DISTINCT FROM r.chk THEN
            EXECUTE format('ALTER POLICY %I ON %I WITH CHECK (%s)', r.polname, r.tbl, c);
        END IF;
    END LOOP;
    -- No read is left listing the person's engagements.
    PERFORM 1 FROM pg_policy p
    WHERE p.polcmd IN ('r', '*') AND pg_get_expr(p.polqual, p.polrelid) ~ 'app_engagements|SELECT ep\.engagement_id\s+FROM|meeting_id IN';
    IF FOUND THEN
        RAISE EXCEPTION 'a read policy still lists the person''s engagements';
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
-- The probes give the same rows as the lists they replaced: going back to
-- version 24 needs no other rules, and keeps them (reapplying each older
-- migration's lists is not done here). Up again finds nothing to rewrite.
SELECT 1;
