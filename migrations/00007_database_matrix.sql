-- +goose Up
-- The database enforces the same who-may-do-what matrix as the pages, for
-- writes as for reads. Until now most tables only kept workspaces apart: inside
-- a workspace, the request role could read the requests, meeting notes, reports
-- and coachee syntheses of engagements the person takes no part in, promote
-- itself (`UPDATE engagement_parties SET part = 'cocoach'`, `UPDATE memberships
-- SET role = 'admin'`), delete diagnoses and history, or rewrite another
-- sponsor's feedback.
--
-- How the rules are written:
-- * `tenant_isolation` (permissive, every role) keeps workspaces apart.
-- * One RESTRICTIVE policy per table and operation, `TO triade_app` only,
--   narrows that to the person's part in the engagement. The schema owner
--   (migrations, the few SECURITY DEFINER functions below) is bound by the
--   workspace alone.
-- * "Parties with these parts" is the subquery below, written out in each
--   policy so that PostgreSQL plans it once per statement (see 00006).
-- * A person being erased (GDPR) is rewritten by a workspace admin inside one
--   transaction that declares it (app.erasing); `app_erasing()` opens the
--   read, update and delete policies for that transaction only, and only to
--   an admin of the workspace.
-- * History (`events`) and frozen document versions are append-only.

-- No one joins a workspace without accepting. Naming a person in an
-- engagement (or inviting them) makes them an invited member, under the name
-- the inviter gave; they become a member, under their own name, when they take
-- up the invitation. Until then the membership grants nothing.
ALTER TABLE memberships ADD COLUMN joined_at timestamptz DEFAULT now(),
                        ADD COLUMN invited_name text NOT NULL DEFAULT '' CHECK (length(invited_name) <= 200);
ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY;
UPDATE memberships m SET joined_at = NULL, invited_name = u.name FROM users u WHERE u.id = m.user_id AND u.password_hash IS NULL;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;

-- Erasure must find every name a person had: frozen documents keep the name
-- of the day.
ALTER TABLE users ADD COLUMN former_names text[] NOT NULL DEFAULT '{}';

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_workspace_role() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT role FROM memberships WHERE tenant_id = app_tenant() AND user_id = app_user() AND joined_at IS NOT NULL
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION app_has_role(r text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = app_tenant() AND user_id = app_user() AND role = r AND joined_at IS NOT NULL)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION app_erasing() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('app.erasing', true), '') = 'on' AND app_has_role('admin')
$$;
-- +goose StatementEnd

-- The engagements the person takes part in, with the given parts. Policies on
-- engagement_parties itself cannot query engagement_parties (PostgreSQL would
-- recurse into the same policy); this function runs as the owner, which the
-- restrictive policies do not bind, and reads the current person's rows only.
-- +goose StatementBegin
CREATE FUNCTION app_engagements(parts text[]) RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT engagement_id FROM engagement_parties
  WHERE tenant_id = app_tenant() AND user_id = app_user() AND part = ANY (parts)
$$;
-- +goose StatementEnd

-- Whether the coachee has validated a version of the final report: the
-- coachee's consent to show their self-assessment to the others.
-- +goose StatementBegin
CREATE FUNCTION app_coachee_validated_report(eng uuid, num integer) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM report_validations
                 WHERE tenant_id = app_tenant() AND engagement_id = eng AND number = num AND part = 'coachee')
$$;
-- +goose StatementEnd

-- Whether the person being erased from this workspace belongs to another one
-- too (their account then stays): an answer for an erasing admin only, about
-- memberships the request role cannot see.
-- +goose StatementBegin
CREATE FUNCTION app_member_elsewhere(uid uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT app_erasing() AND EXISTS (SELECT 1 FROM memberships WHERE user_id = uid AND tenant_id <> app_tenant())
$$;
-- +goose StatementEnd

-- Whether the coachee has started an action's journal (the journal's own
-- policy reads actions: asked of the owner, or the two policies would recurse).
-- +goose StatementBegin
CREATE FUNCTION app_action_journaled(act uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM journal_entries WHERE tenant_id = app_tenant() AND action_id = act)
$$;
-- +goose StatementEnd

-- Whether a side (the coaches', the coachee's) has rated a session's autonomy:
-- each side sees the other's rating only once it has given its own, so that
-- neither rates under the other's influence.
-- +goose StatementBegin
CREATE FUNCTION app_rated(sess uuid, side text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM autonomy_ratings WHERE tenant_id = app_tenant() AND session_id = sess AND part = side)
$$;
-- +goose StatementEnd

-- The request pool logs in as triade_app itself (see the README): nothing to
-- RESET to. The functions above are owned by the schema owner and must not be
-- redefinable by the request role.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

------------------------------------------------------------------------------
-- Separate rows for what one party may see and another may not, so that no
-- page, export, e-mail or printed document can forget the rule.

-- Why a session was cancelled is between coach and coachee: the sponsor sees
-- that it was cancelled, not why.
CREATE TABLE session_cancellations (
    tenant_id     uuid NOT NULL,
    session_id    uuid NOT NULL,
    engagement_id uuid NOT NULL,
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    PRIMARY KEY (tenant_id, session_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);

-- The coachee's self-assessment as frozen in a version of the final report:
-- the others read it once the coachee has validated that version.
CREATE TABLE report_self_assessments (
    tenant_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    number        integer NOT NULL,
    content       jsonb NOT NULL,
    PRIMARY KEY (tenant_id, engagement_id, number),
    FOREIGN KEY (tenant_id, engagement_id, number) REFERENCES report_versions (tenant_id, engagement_id, number) ON DELETE CASCADE
);

-- Existing rows move (the owner is bound by FORCEd row-level security too,
-- without a workspace set: lift it for the move).
ALTER TABLE coaching_sessions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE report_versions NO FORCE ROW LEVEL SECURITY;
INSERT INTO session_cancellations (tenant_id, session_id, engagement_id, reason)
    SELECT tenant_id, id, engagement_id, cancel_reason FROM coaching_sessions WHERE cancel_reason <> '';
ALTER TABLE coaching_sessions DROP COLUMN cancel_reason;

-- The self-assessment of each indicator, in the order of the report's
-- objectives and indicators, leaves the version's content.
INSERT INTO report_self_assessments (tenant_id, engagement_id, number, content)
    SELECT v.tenant_id, v.engagement_id, v.number,
           coalesce((SELECT jsonb_agg((SELECT coalesce(jsonb_agg(i -> 'Coachee' ORDER BY n), '[]')
                                       FROM jsonb_array_elements(o -> 'Indicators') WITH ORDINALITY AS x(i, n)) ORDER BY m)
                     FROM jsonb_array_elements(v.content -> 'Objectives') WITH ORDINALITY AS y(o, m)), '[]')
    FROM report_versions v;
UPDATE report_versions SET content = jsonb_set(content, '{Objectives}',
    coalesce((SELECT jsonb_agg(jsonb_set(o, '{Indicators}',
                 coalesce((SELECT jsonb_agg(i - 'Coachee' ORDER BY n) FROM jsonb_array_elements(o -> 'Indicators') WITH ORDINALITY AS x(i, n)), '[]'))
                 ORDER BY m)
              FROM jsonb_array_elements(content -> 'Objectives') WITH ORDINALITY AS y(o, m)), '[]'))
    WHERE jsonb_typeof(content -> 'Objectives') = 'array';
ALTER TABLE coaching_sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE report_versions FORCE ROW LEVEL SECURITY;

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['session_cancellations', 'report_self_assessments'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant())', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- The workspace registry: anyone may look a workspace up by its address (the
-- slug comes before any workspace is set) and open one (sign-up); only its
-- administrators change it, and no request deletes one.
ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspaces FORCE ROW LEVEL SECURITY;
CREATE POLICY registry ON workspaces USING (true) WITH CHECK (true);

------------------------------------------------------------------------------
-- The matrix. `rule` creates the restrictive policy of one table and one
-- operation for the request role; `{P:parts}` stands for "the current person
-- takes part in this row's engagement with one of these parts".

-- +goose StatementBegin
CREATE FUNCTION pg_temp.expand(expr text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    q text := expr;
    m text[];
BEGIN
    LOOP
        m := regexp_match(q, '\{P:([a-z,]+)\}');
        EXIT WHEN m IS NULL;
        q := replace(q, '{P:' || m[1] || '}', format(
            '(engagement_id IN (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY (%L)))',
            '{' || m[1] || '}'));
    END LOOP;
    q := replace(q, '{admin}', 'app_has_role(''admin'')');
    RETURN replace(q, '{me}', 'app_user()');
END
$fn$;
-- +goose StatementEnd

-- An UPDATE may take a check of its own for the new row (check): the rows one
-- may change are not always the rows one may leave behind.
-- +goose StatementBegin
CREATE FUNCTION pg_temp.rule(tbl text, op text, expr text, check_expr text DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    q text := pg_temp.expand(expr);
    c text := pg_temp.expand(coalesce(check_expr, expr));
BEGIN
    -- An erasure reads and rewrites whatever the erased person left.
    IF op <> 'INSERT' THEN
        q := '(' || q || ') OR app_erasing()';
        c := '(' || c || ') OR app_erasing()';
    END IF;
    EXECUTE format('DROP POLICY IF EXISTS %I ON %I', 'rule_' || lower(op), tbl);
    IF op = 'INSERT' THEN
        EXECUTE format('CREATE POLICY %I ON %I AS RESTRICTIVE FOR INSERT TO triade_app WITH CHECK (%s)', 'rule_insert', tbl, q);
    ELSIF op = 'UPDATE' THEN
        EXECUTE format('CREATE POLICY %I ON %I AS RESTRICTIVE FOR UPDATE TO triade_app USING (%s) WITH CHECK (%s)', 'rule_update', tbl, q, c);
    ELSE
        EXECUTE format('CREATE POLICY %I ON %I AS RESTRICTIVE FOR %s TO triade_app USING (%s)', 'rule_' || lower(op), tbl, op, q);
    END IF;
END
$fn$;
-- +goose StatementEnd

-- The policies the matrix replaces.
DROP POLICY diagnosis_parties ON diagnoses;
DROP POLICY diagnosis_coaches ON diagnoses;
DROP POLICY diagnosis_empty_at_birth ON diagnoses;
DROP POLICY meeting_request_parties ON meeting_requests;
DROP POLICY history_readers ON events;
DROP POLICY author_only ON private_notes;
DROP POLICY coachee_space ON actions;
DROP POLICY coachee_space ON journal_entries;
DROP POLICY coachee_writes ON coachee_syntheses;
DROP POLICY born_empty ON coachee_syntheses;
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['session_contents', 'session_situations', 'session_options', 'session_inputs',
                             'action_comments', 'autonomy_ratings', 'evaluations'] LOOP
        EXECUTE format('DROP POLICY coaching_parties ON %I', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
    -- Whoever opened the engagement creates its empty parts in the same
    -- transaction, before or without being a party (an admin opening one for a
    -- coach).
    creator CONSTANT text := 'engagement_id IN (SELECT e.id FROM engagements e WHERE e.tenant_id = app_tenant() AND e.created_by = app_user())';
    -- The summary rows: every party, and the workspace admin.
    everyone CONSTANT text := '({P:coach,cocoach,coachee,sponsor} OR {admin})';
    -- Writing as oneself, in one's own part.
    own_part CONSTANT text := 'user_id = {me} AND (engagement_id, part) IN (SELECT ep.engagement_id, ep.part FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user())';
    -- Ratings and evaluations: one per side (the coaches' side, the
    -- coachee's); a co-coach speaks for the coaches' side, as themselves.
    side CONSTANT text := '((part = ''coach'' AND {P:coach,cocoach}) OR (part = ''coachee'' AND {P:coachee}))';
    rated_as CONSTANT text := 'user_id = {me} AND ' || side;
    t text;
BEGIN
    -- Memberships: the first member of a new workspace is its founder; after that
    -- admins add anyone and coaches add coachees and sponsors; a person joins
    -- (or takes up their invited membership) through an invitation naming
    -- their e-mail and that role. Only admins change or remove memberships.
    PERFORM pg_temp.rule('memberships', 'INSERT', '({admin} OR (app_has_role(''coach'') AND role IN (''coachee'', ''sponsor''))
        OR (user_id = {me} AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.tenant_id = app_tenant()))
        OR (user_id = {me} AND EXISTS (SELECT 1 FROM invitations i JOIN users u ON u.email = i.email
                                        WHERE i.tenant_id = app_tenant() AND u.id = app_user() AND i.role = memberships.role)))');
    PERFORM pg_temp.rule('memberships', 'UPDATE', '({admin} OR (user_id = {me} AND EXISTS (SELECT 1 FROM invitations i JOIN users u ON u.email = i.email
                                        WHERE i.tenant_id = app_tenant() AND u.id = app_user() AND i.role = memberships.role)))');
    PERFORM pg_temp.rule('memberships', 'DELETE', '({admin})');

    PERFORM pg_temp.rule('client_orgs', 'INSERT', '{admin}');
    PERFORM pg_temp.rule('client_orgs', 'UPDATE', '{admin}');
    PERFORM pg_temp.rule('client_orgs', 'DELETE', '{admin}');

    -- Invitations are read by who may invite, and by the invited person (by
    -- their e-mail) when they take one up.
    PERFORM pg_temp.rule('invitations', 'SELECT', '({admin} OR app_has_role(''coach'')
        OR email = (SELECT u.email FROM users u WHERE u.id = app_user())
        OR token_hash = decode(nullif(current_setting(''app.invitation'', true), ''''), ''hex''))');
    PERFORM pg_temp.rule('invitations', 'INSERT', 'invited_by = {me} AND ({admin} OR (app_has_role(''coach'') AND role IN (''coachee'', ''sponsor'')))');
    PERFORM pg_temp.rule('invitations', 'UPDATE', '({admin} OR app_erasing()
        OR token_hash = decode(nullif(current_setting(''app.invitation'', true), ''''), ''hex''))');
    PERFORM pg_temp.rule('invitations', 'DELETE', '({admin})');

    -- History: the admin and the coaches read it; whoever acts appends as
    -- themselves; nobody edits it. Only an erased engagement's lines go, with it.
    PERFORM pg_temp.rule('events', 'SELECT', '({admin} OR {P:coach,cocoach})');
    PERFORM pg_temp.rule('events', 'INSERT', '(actor_id IS NULL OR actor_id = {me})');
    PERFORM pg_temp.rule('events', 'UPDATE', 'false');
    PERFORM pg_temp.rule('events', 'DELETE', '{admin} AND engagement_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM engagements e WHERE e.tenant_id = events.tenant_id AND e.id = events.engagement_id)');

    -- The engagement itself. Column rules (who may move the phase, confirm
    -- willingness) are in engagements_guard below.
    PERFORM pg_temp.rule('engagements', 'SELECT', '(id IN (SELECT app_engagements(''{coach,cocoach,coachee,sponsor}'')) OR {admin} OR created_by = {me})');
    PERFORM pg_temp.rule('engagements', 'INSERT', 'created_by = {me} AND ({admin} OR app_has_role(''coach''))');
    PERFORM pg_temp.rule('engagements', 'UPDATE', '(id IN (SELECT app_engagements(''{coach,cocoach,coachee,sponsor}'')))');
    PERFORM pg_temp.rule('engagements', 'DELETE', '{admin}');

    -- Parties: set when the engagement is opened, by whoever opens it; never
    -- changed by a request (the part is what every other rule reads).
    PERFORM pg_temp.rule('engagement_parties', 'SELECT', '(user_id = {me} OR engagement_id IN (SELECT app_engagements(''{coach,cocoach,coachee,sponsor}'')) OR {admin})');
    PERFORM pg_temp.rule('engagement_parties', 'INSERT', creator || ' AND ({admin} OR app_has_role(''coach''))');
    PERFORM pg_temp.rule('engagement_parties', 'UPDATE', 'false');
    PERFORM pg_temp.rule('engagement_parties', 'DELETE', 'false');

    -- Cadrage.
    PERFORM pg_temp.rule('diagnoses', 'SELECT', '{P:coach,cocoach,coachee}');
    PERFORM pg_temp.rule('diagnoses', 'INSERT', '(' || creator || ' OR {P:coach,cocoach,coachee,sponsor}) AND stakes = '''' AND draft_objectives = ''''');
    PERFORM pg_temp.rule('diagnoses', 'UPDATE', '({P:coach,cocoach})');
    PERFORM pg_temp.rule('diagnoses', 'DELETE', 'false');

    PERFORM pg_temp.rule('requests', 'SELECT', everyone);
    PERFORM pg_temp.rule('requests', 'INSERT', '(' || creator || ' OR {P:coach,cocoach})');
    PERFORM pg_temp.rule('requests', 'UPDATE', '({P:coach,cocoach} OR (level = ''company'' AND {P:sponsor}) OR (level = ''coachee'' AND {P:coachee}))');
    PERFORM pg_temp.rule('requests', 'DELETE', 'false');

    PERFORM pg_temp.rule('contracts', 'SELECT', everyone);
    PERFORM pg_temp.rule('contracts', 'INSERT', '(' || creator || ' OR {P:coach,cocoach})');
    PERFORM pg_temp.rule('contracts', 'UPDATE', '{P:coach,cocoach}');
    PERFORM pg_temp.rule('contracts', 'DELETE', 'false');

    FOREACH t IN ARRAY ARRAY['objectives', 'indicators'] LOOP
        PERFORM pg_temp.rule(t, 'SELECT', everyone);
        PERFORM pg_temp.rule(t, 'INSERT', '{P:coach,cocoach}');
        PERFORM pg_temp.rule(t, 'UPDATE', '{P:coach,cocoach}');
        PERFORM pg_temp.rule(t, 'DELETE', '{P:coach,cocoach}');
    END LOOP;

    PERFORM pg_temp.rule('meetings', 'SELECT', everyone);
    PERFORM pg_temp.rule('meetings', 'INSERT', '(' || creator || ' OR {P:coach,cocoach})');
    PERFORM pg_temp.rule('meetings', 'UPDATE', '{P:coach,cocoach}');
    PERFORM pg_temp.rule('meetings', 'DELETE', '{P:coach,cocoach}');

    -- Attendees carry no engagement: they follow their meeting.
    PERFORM pg_temp.rule('meeting_attendees', 'SELECT', 'meeting_id IN (SELECT m.id FROM meetings m WHERE m.tenant_id = app_tenant())');
    FOREACH t IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
        PERFORM pg_temp.rule('meeting_attendees', t, '(meeting_id IN (SELECT m.id FROM meetings m WHERE m.tenant_id = app_tenant() AND m.engagement_id IN
            (SELECT ep.engagement_id FROM engagement_parties ep WHERE ep.tenant_id = app_tenant() AND ep.user_id = app_user() AND ep.part = ANY (''{coach,cocoach}'')))
           )');
    END LOOP;

    PERFORM pg_temp.rule('meeting_requests', 'SELECT', '{P:coach,cocoach,coachee,sponsor}');
    PERFORM pg_temp.rule('meeting_requests', 'INSERT', 'requested_by = {me} AND {P:coach,cocoach,coachee,sponsor}');
    PERFORM pg_temp.rule('meeting_requests', 'UPDATE', '({P:coach,cocoach})');
    PERFORM pg_temp.rule('meeting_requests', 'DELETE', 'false');

    -- Documents: frozen versions, validations in one's own name and part,
    -- comments by the sponsor, read by all who read the document.
    FOREACH t IN ARRAY ARRAY['synthesis_versions', 'report_versions'] LOOP
        PERFORM pg_temp.rule(t, 'SELECT', everyone);
        PERFORM pg_temp.rule(t, 'INSERT', 'created_by = {me} AND {P:coach,cocoach}');
        PERFORM pg_temp.rule(t, 'UPDATE', 'false');
        PERFORM pg_temp.rule(t, 'DELETE', 'false');
    END LOOP;
    FOREACH t IN ARRAY ARRAY['synthesis_validations', 'report_validations'] LOOP
        PERFORM pg_temp.rule(t, 'SELECT', everyone);
        PERFORM pg_temp.rule(t, 'INSERT', own_part);
        PERFORM pg_temp.rule(t, 'UPDATE', 'false');
        PERFORM pg_temp.rule(t, 'DELETE', 'false');
    END LOOP;
    PERFORM pg_temp.rule('document_comments', 'SELECT', everyone);
    PERFORM pg_temp.rule('document_comments', 'INSERT', 'author_id = {me} AND {P:sponsor}');
    PERFORM pg_temp.rule('document_comments', 'UPDATE', 'false');
    PERFORM pg_temp.rule('document_comments', 'DELETE', 'false');

    -- Accompagnement. The sessions' dates and status are part of the summary;
    -- what is said in them belongs to coach and coachee.
    PERFORM pg_temp.rule('coaching_sessions', 'SELECT', everyone);
    PERFORM pg_temp.rule('coaching_sessions', 'INSERT', '{P:coach,cocoach}');
    PERFORM pg_temp.rule('coaching_sessions', 'UPDATE', '{P:coach,cocoach}');
    PERFORM pg_temp.rule('coaching_sessions', 'DELETE', '{P:coach,cocoach}');
    FOREACH t IN ARRAY ARRAY['session_cancellations', 'session_contents', 'session_situations', 'session_options', 'session_inputs'] LOOP
        PERFORM pg_temp.rule(t, 'SELECT', '{P:coach,cocoach,coachee}');
        PERFORM pg_temp.rule(t, 'INSERT', '{P:coach,cocoach}');
        PERFORM pg_temp.rule(t, 'UPDATE', '({P:coach,cocoach})');
        PERFORM pg_temp.rule(t, 'DELETE', '{P:coach,cocoach}');
    END LOOP;

    PERFORM pg_temp.rule('private_notes', 'SELECT', 'author_id = {me} AND {P:coach,cocoach}');
    PERFORM pg_temp.rule('private_notes', 'INSERT', 'author_id = {me} AND {P:coach,cocoach}');
    PERFORM pg_temp.rule('private_notes', 'UPDATE', '((author_id = {me} AND {P:coach,cocoach}))');
    PERFORM pg_temp.rule('private_notes', 'DELETE', '((author_id = {me} AND {P:coach,cocoach}))');

    -- Actions are the coachee's: the coaches write the action plan's lines
    -- in session and read; the sponsor reads what the coachee shared.
    PERFORM pg_temp.rule('actions', 'SELECT', '({P:coach,cocoach,coachee} OR (shared_at IS NOT NULL AND {P:sponsor}))');
    PERFORM pg_temp.rule('actions', 'INSERT', 'created_by = {me} AND {P:coach,cocoach,coachee}');
    -- The coaches still shape an action plan line the coachee has not started
    -- (no journal yet) while they record the session.
    PERFORM pg_temp.rule('actions', 'UPDATE', '({P:coachee} OR ({P:coach,cocoach} AND session_id IS NOT NULL AND NOT app_action_journaled(id)))');
    PERFORM pg_temp.rule('actions', 'DELETE', '{P:coach,cocoach}');

    PERFORM pg_temp.rule('journal_entries', 'SELECT', '({P:coach,cocoach,coachee} OR ({P:sponsor} AND EXISTS (
        SELECT 1 FROM actions a WHERE a.tenant_id = journal_entries.tenant_id AND a.id = journal_entries.action_id AND a.shared_at IS NOT NULL)))');
    PERFORM pg_temp.rule('journal_entries', 'INSERT', 'author_id = {me} AND {P:coachee}');
    PERFORM pg_temp.rule('journal_entries', 'UPDATE', 'false');
    PERFORM pg_temp.rule('journal_entries', 'DELETE', 'false');

    PERFORM pg_temp.rule('action_comments', 'SELECT', '{P:coach,cocoach,coachee}');
    PERFORM pg_temp.rule('action_comments', 'INSERT', 'author_id = {me} AND {P:coach,cocoach}');
    PERFORM pg_temp.rule('action_comments', 'UPDATE', 'false');
    PERFORM pg_temp.rule('action_comments', 'DELETE', 'false');

    PERFORM pg_temp.rule('autonomy_ratings', 'SELECT', '(' || side || ' OR ({P:coach,cocoach} AND app_rated(session_id, ''coach''))
                                                     OR ({P:coachee} AND app_rated(session_id, ''coachee'')))');
    PERFORM pg_temp.rule('autonomy_ratings', 'INSERT', rated_as);
    PERFORM pg_temp.rule('autonomy_ratings', 'UPDATE', side, rated_as);
    PERFORM pg_temp.rule('autonomy_ratings', 'DELETE', 'false');

    -- Bouclage.
    PERFORM pg_temp.rule('evaluations', 'SELECT', '{P:coach,cocoach,coachee}');
    PERFORM pg_temp.rule('evaluations', 'INSERT', rated_as);
    PERFORM pg_temp.rule('evaluations', 'UPDATE', side, rated_as);
    PERFORM pg_temp.rule('evaluations', 'DELETE', 'false');

    PERFORM pg_temp.rule('report_self_assessments', 'SELECT', '({P:coachee} OR (' || everyone || ' AND app_coachee_validated_report(engagement_id, number)))');
    PERFORM pg_temp.rule('report_self_assessments', 'INSERT', '{P:coach,cocoach}');
    PERFORM pg_temp.rule('report_self_assessments', 'UPDATE', 'false');
    PERFORM pg_temp.rule('report_self_assessments', 'DELETE', 'false');

    PERFORM pg_temp.rule('coachee_syntheses', 'SELECT', everyone);
    PERFORM pg_temp.rule('coachee_syntheses', 'INSERT', '(' || creator || ' OR {P:coach,cocoach,coachee,sponsor}) AND body = ''''');
    PERFORM pg_temp.rule('coachee_syntheses', 'UPDATE', '({P:coachee})');
    PERFORM pg_temp.rule('coachee_syntheses', 'DELETE', 'false');

    PERFORM pg_temp.rule('recommendations', 'SELECT', everyone);
    PERFORM pg_temp.rule('recommendations', 'INSERT', 'author_id = {me} AND {P:coach,cocoach,sponsor}');
    PERFORM pg_temp.rule('recommendations', 'UPDATE', 'false');
    PERFORM pg_temp.rule('recommendations', 'DELETE', '({P:coach,cocoach} OR author_id = {me})');

    PERFORM pg_temp.rule('sponsor_feedback', 'SELECT', everyone);
    PERFORM pg_temp.rule('sponsor_feedback', 'INSERT', 'author_id = {me} AND {P:sponsor}');
    PERFORM pg_temp.rule('sponsor_feedback', 'UPDATE', '((author_id = {me} AND {P:sponsor}))');
    PERFORM pg_temp.rule('sponsor_feedback', 'DELETE', 'false');

    -- Around the engagements.
    PERFORM pg_temp.rule('library_items', 'INSERT', 'app_has_role(''coach'')');
    PERFORM pg_temp.rule('library_items', 'UPDATE', '(app_has_role(''coach''))');
    PERFORM pg_temp.rule('library_items', 'DELETE', 'app_has_role(''coach'')');

    PERFORM pg_temp.rule('calendar_feeds', 'SELECT', '(user_id = {me} OR token_hash = decode(nullif(current_setting(''app.calendar'', true), ''''), ''hex''))');
    PERFORM pg_temp.rule('calendar_feeds', 'INSERT', 'user_id = {me}');
    PERFORM pg_temp.rule('calendar_feeds', 'UPDATE', 'user_id = {me}');
    PERFORM pg_temp.rule('calendar_feeds', 'DELETE', '(user_id = {me})');

    PERFORM pg_temp.rule('reminders_sent', 'SELECT', '(user_id = {me})');
    PERFORM pg_temp.rule('reminders_sent', 'INSERT', 'user_id = {me}');
    PERFORM pg_temp.rule('reminders_sent', 'UPDATE', 'false');
    PERFORM pg_temp.rule('reminders_sent', 'DELETE', '(user_id = {me})');

    PERFORM pg_temp.rule('workspaces', 'UPDATE', 'id = app_tenant() AND {admin}');
    PERFORM pg_temp.rule('workspaces', 'DELETE', 'false');
END $$;
-- +goose StatementEnd

------------------------------------------------------------------------------
-- Rules on columns and on roles, which row policies cannot express.

-- Each part of an engagement needs the matching role in the workspace: a
-- sponsor cannot be made co-coach and read the diagnosis, nor a coachee coach
-- (domain.CanTakePart; the coaches' parts also take an admin, the independent
-- coach of her own practice).
-- +goose StatementBegin
CREATE FUNCTION party_roles(part text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE part WHEN 'coach' THEN '{coach,admin}' WHEN 'cocoach' THEN '{coach,admin}' ELSE ARRAY[part] END::text[]
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION party_role_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    want text[] := party_roles(NEW.part);
BEGIN
    -- A row for another workspace is the tenant policy's to refuse.
    IF current_user = 'triade_app' AND NEW.tenant_id IS DISTINCT FROM app_tenant() THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = NEW.tenant_id AND user_id = NEW.user_id AND role = ANY (want)) THEN
        RAISE EXCEPTION 'party % needs a workspace role among %', NEW.part, want
            USING ERRCODE = 'check_violation', CONSTRAINT = 'party_role';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER party_role BEFORE INSERT OR UPDATE OF part, user_id ON engagement_parties
    FOR EACH ROW EXECUTE FUNCTION party_role_check();

-- A member's role cannot change under the parts they hold.
-- +goose StatementBegin
CREATE FUNCTION membership_role_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.role IS DISTINCT FROM OLD.role AND EXISTS (
        SELECT 1 FROM engagement_parties WHERE tenant_id = OLD.tenant_id AND user_id = OLD.user_id
          AND NOT NEW.role = ANY (party_roles(part))) THEN
        RAISE EXCEPTION 'the member holds parts that the role % does not allow', NEW.role
            USING ERRCODE = 'check_violation', CONSTRAINT = 'party_role';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER membership_role BEFORE UPDATE OF role ON memberships
    FOR EACH ROW EXECUTE FUNCTION membership_role_check();

-- What each party may change on the engagement row itself: the coaches run
-- it (except the coachee's own willingness); the lead coach and the coachee
-- each confirm their own willingness; the coachee's or the sponsor's last
-- validation of the final report closes it.
-- +goose StatementBegin
CREATE FUNCTION engagements_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    my_part text;
    changed text[];
    allowed text[];
BEGIN
    IF current_user <> 'triade_app' OR app_erasing() THEN
        RETURN NEW;
    END IF;
    SELECT part INTO my_part FROM engagement_parties
     WHERE tenant_id = OLD.tenant_id AND engagement_id = OLD.id AND user_id = app_user();
    SELECT coalesce(array_agg(n.key), '{}') INTO changed
      FROM jsonb_each(to_jsonb(NEW)) n JOIN jsonb_each(to_jsonb(OLD)) o USING (key)
     WHERE n.value IS DISTINCT FROM o.value;
    allowed := CASE my_part
        WHEN 'coach'   THEN ARRAY['title', 'phase', 'phase_changed_at', 'first_meeting_at', 'coach_willing_at', 'coherence_ok',
                              'coherence_comment', 'coherence_at', 'synthesis_text', 'synthesis_version', 'ended_reason', 'ended_by']
        WHEN 'cocoach' THEN ARRAY['title', 'phase', 'phase_changed_at', 'first_meeting_at', 'coherence_ok',
                              'coherence_comment', 'coherence_at', 'synthesis_text', 'synthesis_version', 'ended_reason', 'ended_by']
        WHEN 'coachee' THEN ARRAY['coachee_willing_at', 'phase', 'phase_changed_at']
        WHEN 'sponsor' THEN ARRAY['phase', 'phase_changed_at']
        ELSE '{}'::text[] END;
    IF NOT changed <@ allowed OR (my_part IN ('coachee', 'sponsor') AND NEW.phase IS DISTINCT FROM OLD.phase AND NEW.phase <> 'clos') THEN
        RAISE EXCEPTION 'the % may not change % of an engagement', coalesce(nullif(my_part, ''), 'non-party'), array_to_string(changed, ', ')
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER engagements_guard BEFORE UPDATE ON engagements
    FOR EACH ROW EXECUTE FUNCTION engagements_guard();

-- The same for the rows where two parties write different columns: the
-- coaches validate the requests; only the coachee shares an action.
-- +goose StatementBegin
CREATE FUNCTION coach_columns_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    col text := TG_ARGV[0];
    holders text[] := TG_ARGV[1]::text[];
BEGIN
    IF current_user <> 'triade_app' OR app_erasing() THEN
        RETURN NEW;
    END IF;
    IF (to_jsonb(NEW) -> col) IS DISTINCT FROM (to_jsonb(OLD) -> col) AND NOT EXISTS (
        SELECT 1 FROM engagement_parties WHERE tenant_id = OLD.tenant_id AND engagement_id = OLD.engagement_id
           AND user_id = app_user() AND part = ANY (holders)) THEN
        RAISE EXCEPTION 'only % may change %.%', array_to_string(holders, '/'), TG_TABLE_NAME, col
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER requests_validated_by_coaches BEFORE UPDATE ON requests
    FOR EACH ROW EXECUTE FUNCTION coach_columns_guard('validated_at', '{coach,cocoach}');
CREATE TRIGGER actions_shared_by_coachee BEFORE UPDATE ON actions
    FOR EACH ROW EXECUTE FUNCTION coach_columns_guard('shared_at', '{coachee}');

-- The owner's helpers are not the request role's to call directly where
-- they read across rows it may not see.
REVOKE EXECUTE ON FUNCTION app_coachee_validated_report(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_coachee_validated_report(uuid, integer) TO triade_app;

-- +goose Down
SELECT 'irreversible: restore from a backup taken before this migration';
