-- +goose Up
-- The company's view of its coaching programme: figures across the
-- engagements of one client organisation, computed by the database and only
-- where they cover at least k engagements, so that no figure describes one
-- person. The request role reads them through app_programme() alone: it has
-- no other path to the rows of engagements the person takes no part in.

-- k, the smallest group a programme figure may cover.
ALTER TABLE workspaces ADD COLUMN programme_k integer NOT NULL DEFAULT 5 CHECK (programme_k >= 3);

-- Who proposed each intersession action: the coach, in session, through the
-- session record's action plan, or the coachee, on her own. The database
-- sets it from the creator's part (no form chooses it) and keeps it. It
-- reads with the writer's rights: whoever creates an action in an engagement
-- sees its parties.
ALTER TABLE actions ADD COLUMN proposed_by text NOT NULL DEFAULT 'coach' CHECK (proposed_by IN ('coach', 'coachee'));
ALTER TABLE actions NO FORCE ROW LEVEL SECURITY;
UPDATE actions a SET proposed_by = 'coachee'
 WHERE a.session_id IS NULL
    OR EXISTS (SELECT 1 FROM engagement_parties p WHERE p.tenant_id = a.tenant_id AND p.engagement_id = a.engagement_id
                  AND p.user_id = a.created_by AND p.part = 'coachee');
ALTER TABLE actions FORCE ROW LEVEL SECURITY;

-- +goose StatementBegin
CREATE FUNCTION action_proposer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        NEW.proposed_by := OLD.proposed_by;
    ELSE
        NEW.proposed_by := CASE WHEN EXISTS (
            SELECT 1 FROM engagement_parties p WHERE p.tenant_id = NEW.tenant_id AND p.engagement_id = NEW.engagement_id
               AND p.user_id = NEW.created_by AND p.part = 'coachee') THEN 'coachee' ELSE 'coach' END;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER action_proposer BEFORE INSERT OR UPDATE ON actions
    FOR EACH ROW EXECUTE FUNCTION action_proposer();

-- The session each action of some engagements belongs to, for the autonomy
-- trend: the session whose action plan holds it, or, for the coachee's own
-- action, the last session held before she wrote it (the intersession it
-- belongs to); NULL before any. It runs with the caller's rights (the request
-- role gets what its rows show), and PostgreSQL inlines it into the caller's
-- query.
-- +goose StatementBegin
CREATE FUNCTION action_sessions(engs uuid[])
    RETURNS TABLE (action_id uuid, engagement_id uuid, proposed_by text, num integer) LANGUAGE sql STABLE AS $$
  SELECT a.id, a.engagement_id, a.proposed_by, coalesce(min(p.number), max(h.number))
    FROM actions a
    LEFT JOIN coaching_sessions p ON p.tenant_id = a.tenant_id AND p.id = a.session_id
    LEFT JOIN coaching_sessions h ON a.session_id IS NULL AND h.tenant_id = a.tenant_id AND h.engagement_id = a.engagement_id
                                 AND h.status = 'held' AND h.scheduled_at <= a.created_at
   WHERE a.tenant_id = app_tenant() AND a.engagement_id = ANY (engs)
   GROUP BY a.id, a.engagement_id, a.proposed_by
$$;
-- +goose StatementEnd

-- Whether the current person may see the programme of an organisation: an
-- administrator of the workspace, or a sponsor (HR) member of that
-- organisation.
-- +goose StatementBegin
CREATE FUNCTION app_programme_viewer(org uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT app_has_role('admin') OR EXISTS (
      SELECT 1 FROM memberships m WHERE m.tenant_id = app_tenant() AND m.user_id = app_user()
         AND 'sponsor' = ANY (m.roles) AND m.client_org_id = org AND m.joined_at IS NOT NULL)
$$;
-- +goose StatementEnd

-- The programme's figures, one row each: a section, an item, n (how many
-- engagements the figure covers), a value, or a text for the lists. A figure
-- covering fewer than k engagements comes back with n, value and body NULL
-- (the page says "fewer than k"); a list under k is one such row. Nothing
-- comes back to a person who may not see the programme, nor when the
-- organisation has fewer than k engagements in all.
-- Read: the engagements' phase and dates, the contracts' session counts and
-- the sessions held, the evaluations' assessments (not their evidence), the
-- company's requests, the recommendations addressed to the company, and the
-- actions' proposer and autonomy scores. Never session content, journals,
-- private notes or the coachee's frozen self-assessment.
-- +goose StatementBegin
CREATE FUNCTION app_programme(org uuid)
    RETURNS TABLE (section text, item text, n integer, value numeric, body text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public
    -- Planned for each organisation's own engagements: a plan made once for
    -- any list of engagements reads a thousand of them one by one.
    SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    k integer;
    total integer;
    engs uuid[];
BEGIN
    IF app_tenant() IS NULL OR NOT app_programme_viewer(org) THEN
        RETURN;
    END IF;
    SELECT w.programme_k INTO k FROM workspaces w WHERE w.id = app_tenant();
    engs := ARRAY(SELECT e.id FROM engagements e WHERE e.tenant_id = app_tenant() AND e.client_org_id = org);
    total := cardinality(engs);
    IF total < k THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH eng AS (
        SELECT e.tenant_id, e.id, e.phase, e.created_at, e.phase_changed_at FROM engagements e
         WHERE e.tenant_id = app_tenant() AND e.id = ANY (engs)
    ),
    -- Engagements by phase. A cell between 1 and k-1 is hidden; when one cell
    -- alone is hidden, the total would give it away, so the next smallest
    -- goes too.
    phase_cells AS (
        SELECT ph.p, ph.o, count(eng.id)::integer AS cnt, count(eng.id) BETWEEN 1 AND k - 1 AS small
          FROM unnest(ARRAY['cadrage', 'accompagnement', 'bouclage', 'clos', 'interrompu']) WITH ORDINALITY AS ph(p, o)
          LEFT JOIN eng ON eng.phase = ph.p GROUP BY ph.p, ph.o
    ),
    phases AS (
        SELECT c.p, c.o, c.cnt, c.small OR (count(*) FILTER (WHERE c.small) OVER () = 1 AND c.cnt > 0
               AND c.o = (SELECT c2.o FROM phase_cells c2 WHERE c2.cnt > 0 AND NOT c2.small ORDER BY c2.cnt, c2.o LIMIT 1)) AS hidden
          FROM phase_cells c
    ),
    -- The engagements' sessions, read once; each engagement's held ones.
    sess AS MATERIALIZED (
        SELECT s.engagement_id, s.id, s.number, s.status FROM coaching_sessions s
         WHERE s.tenant_id = app_tenant() AND s.engagement_id = ANY (engs)
    ),
    held AS (
        SELECT eng.id, count(s.id) AS n FROM eng LEFT JOIN sess s ON s.engagement_id = eng.id AND s.status = 'held' GROUP BY eng.id
    ),
    -- Each engagement's actions by session, counted there first.
    acts AS (
        SELECT x.engagement_id, x.num, count(*) AS total, count(*) FILTER (WHERE x.proposed_by = 'coachee') AS own
          FROM action_sessions(engs) x WHERE x.num IS NOT NULL GROUP BY x.engagement_id, x.num
    ),
    themes AS (
        SELECT r.engagement_id, btrim(r.body) AS body FROM requests r JOIN eng ON eng.tenant_id = r.tenant_id AND eng.id = r.engagement_id
         WHERE r.level = 'company' AND btrim(r.body) <> ''
    ),
    recos AS (
        SELECT rc.engagement_id, rc.carrier, rc.body FROM recommendations rc JOIN eng ON eng.tenant_id = rc.tenant_id AND eng.id = rc.engagement_id
         WHERE rc.carrier IN ('manager', 'hr')
    ),
    evals AS (
        SELECT v.engagement_id, v.part, v.assessment FROM evaluations v JOIN eng ON eng.tenant_id = v.tenant_id AND eng.id = v.engagement_id
    ),
    figures (section, item, n, value, body, ord) AS (
        SELECT 'phase', p.p, p.cnt, p.cnt::numeric, NULL::text, p.o FROM phases p WHERE NOT p.hidden
        UNION ALL SELECT 'phase', p.p, NULL, NULL, NULL, p.o FROM phases p WHERE p.hidden
        -- Durations in days: the cadrage, from the opening to the move to
        -- accompagnement; the whole engagement, from the opening to its closing.
        UNION ALL SELECT 'duration', 'cadrage', count(*)::integer, round(avg(extract(epoch FROM d.ended - eng.created_at) / 86400)::numeric, 1), NULL, 1
          FROM eng CROSS JOIN LATERAL (SELECT min(ev.at) AS ended FROM events ev
                 WHERE ev.tenant_id = eng.tenant_id AND ev.engagement_id = eng.id AND ev.kind = 'phase.moved'
                   AND ev.data ->> 'from' = 'cadrage' AND ev.data ->> 'to' = 'accompagnement') d
         WHERE d.ended IS NOT NULL
        UNION ALL SELECT 'duration', 'engagement', count(*)::integer, round(avg(extract(epoch FROM eng.phase_changed_at - eng.created_at) / 86400)::numeric, 1), NULL, 2
          FROM eng WHERE eng.phase = 'clos'
        -- Sessions contracted and held, over the engagements whose contract
        -- counts them.
        UNION ALL SELECT 'sessions', 'contracted', count(*)::integer, sum(c.sessions_planned), NULL, 1
          FROM eng JOIN contracts c ON c.tenant_id = eng.tenant_id AND c.engagement_id = eng.id WHERE c.sessions_planned IS NOT NULL
        UNION ALL SELECT 'sessions', 'held', count(*)::integer, sum(h.n), NULL, 2
          FROM eng JOIN contracts c ON c.tenant_id = eng.tenant_id AND c.engagement_id = eng.id JOIN held h ON h.id = eng.id
         WHERE c.sessions_planned IS NOT NULL
        -- Indicators as evaluated at bouclage, the coach's side and the
        -- coachee's apart; n counts the engagements that side evaluated.
        UNION ALL SELECT 'evaluation.' || sd.side, a.x,
               (SELECT count(DISTINCT ev.engagement_id)::integer FROM evals ev WHERE ev.part = sd.side),
               (SELECT count(*) FROM evals ev WHERE ev.part = sd.side AND ev.assessment = a.x), NULL, a.o
          FROM (VALUES ('coach'), ('coachee')) AS sd(side) CROSS JOIN (VALUES ('reached', 1), ('partly', 2), ('not_reached', 3)) AS a(x, o)
        -- The company's requests as it wrote them, and the recommendations
        -- addressed to the company (its managers, its HR), each text once with
        -- how many engagements share it, in alphabetical order so that the
        -- order names no engagement.
        UNION ALL SELECT 'theme', '', (SELECT count(DISTINCT t2.engagement_id)::integer FROM themes t2), count(*)::numeric, t.body,
               row_number() OVER (ORDER BY t.body)
          FROM themes t GROUP BY t.body
        UNION ALL SELECT 'recommendation', r.carrier, (SELECT count(DISTINCT r2.engagement_id)::integer FROM recos r2), count(*)::numeric, r.body,
               row_number() OVER (ORDER BY r.body, r.carrier)
          FROM recos r GROUP BY r.body, r.carrier
        -- Growing autonomy, session by session: the share (%) of the actions
        -- the coachee proposed herself, and the mean autonomy ratings.
        UNION ALL SELECT 'autonomy.initiative', x.num::text, count(*)::integer, round(100.0 * sum(x.own) / sum(x.total), 1), NULL, x.num
          FROM acts x GROUP BY x.num
        -- (One rating per side and session: each engagement counts once.)
        UNION ALL SELECT 'autonomy.' || ar.part, s.number::text, count(*)::integer, round(avg(ar.score), 1), NULL, s.number
          FROM autonomy_ratings ar JOIN sess s ON s.id = ar.session_id
         WHERE ar.tenant_id = app_tenant() AND ar.engagement_id = ANY (engs)
         GROUP BY ar.part, s.number
    )
    SELECT 'engagements', 'total', total, total::numeric, NULL::text
    UNION ALL (
    -- The k rule on every other figure; a list under k keeps one empty row to
    -- say so.
    SELECT f.section, f.item, f.n, f.value, f.body FROM figures f WHERE f.section = 'phase' OR f.n >= k
    -- (A session of the autonomy series under k is left out: its number alone
    -- would say how far one engagement went.)
    UNION ALL SELECT f.section, CASE WHEN f.section IN ('theme', 'recommendation') THEN '' ELSE min(f.item) END, NULL, NULL, NULL
      FROM figures f WHERE f.section <> 'phase' AND f.section NOT LIKE 'autonomy.%' AND f.n < k
     GROUP BY f.section, CASE WHEN f.section IN ('theme', 'recommendation') THEN '' ELSE f.item END
    ORDER BY 1, 2, 5);
END $$;
-- +goose StatementEnd

-- The programme reads across engagements: only through its own checks.
REVOKE EXECUTE ON FUNCTION app_programme(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_programme(uuid) TO triade_app;

-- +goose Down
DROP FUNCTION app_programme(uuid);
DROP FUNCTION app_programme_viewer(uuid);
DROP FUNCTION action_sessions(uuid[]);
DROP TRIGGER action_proposer ON actions;
DROP FUNCTION action_proposer();
ALTER TABLE actions DROP COLUMN proposed_by;
ALTER TABLE workspaces DROP COLUMN programme_k;
