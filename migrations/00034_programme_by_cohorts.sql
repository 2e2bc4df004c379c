-- +goose Up
-- The programme's figures from inside the coaching (the indicators as each
-- side evaluated them at bouclage, the autonomy series) come from closed
-- engagements only, released in cohorts (a review found that, computed on
-- live data, they moved by one engagement at a time: comparing the page
-- before and after one coachee's rating gave her score, and the same for a
-- self-evaluation not yet validated). A cohort is fixed when it is released:
-- as soon as k closed engagements of an organisation wait, in the order they
-- closed, they become its next cohort, with the k then in force. A later
-- change of k does not cut the cohorts again, and a cohort that lost an
-- engagement (the retention purge) leaves the figures whole (a second review:
-- both moved them by exactly one engagement when cohorts were recomputed at
-- each reading). Each cohort counts in a figure only where k of its
-- engagements contribute to it. A closed engagement stays closed, in the
-- database as in the application (what is written in it afterwards is
-- refused by the application's phase rules, as for every phase: the
-- database's matrix does not look at phases).
-- The phases hide their empty cells too, and the largest shown cell whenever
-- one is hidden (the same review: 4 engagements, k = 3, accompagnement and
-- bouclage hidden, the three other phases at 0, so 2 each).

ALTER TABLE engagements ADD COLUMN programme_cohort integer, ADD COLUMN programme_cohort_size integer;

-- Only the release sets them (with the owner's rights); the request role's
-- writes keep what was there, and a closed engagement is never reopened.
-- +goose StatementBegin
CREATE FUNCTION engagements_programme_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- No exception for erasure (which rewrites who created or ended an
    -- engagement, never its phase): a review reopened a released engagement
    -- as an admin in erasure mode.
    IF current_user <> 'triade_app' THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.programme_cohort := NULL;
        NEW.programme_cohort_size := NULL;
        RETURN NEW;
    END IF;
    IF OLD.phase = 'clos' AND NEW.phase IS DISTINCT FROM OLD.phase THEN
        RAISE EXCEPTION 'a closed engagement stays closed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    NEW.programme_cohort := OLD.programme_cohort;
    NEW.programme_cohort_size := OLD.programme_cohort_size;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER engagements_programme_guard BEFORE INSERT OR UPDATE ON engagements
    FOR EACH ROW EXECUTE FUNCTION engagements_programme_guard();

-- Releases the organisation's waiting closed engagements, k at a time in the
-- order they closed, each k a new cohort. Called by the triggers below, in
-- the writing transaction (the organisation's row locked: two closings at
-- once release in turn).
-- +goose StatementBegin
CREATE FUNCTION programme_release(t uuid, org uuid) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    k integer;
    waiting uuid[];
    n integer;
    caller text := current_setting('app.tenant_id', true);
BEGIN
    -- The owner is bound by the tables' policies too: it reads as the
    -- workspace (a bulk load or the operator's script sets none), then gives
    -- the caller back its own setting.
    PERFORM set_config('app.tenant_id', t::text, true);
    PERFORM 1 FROM client_orgs o WHERE o.tenant_id = t AND o.id = org FOR UPDATE;
    SELECT w.programme_k INTO k FROM workspaces w WHERE w.id = t;
    waiting := ARRAY(SELECT e.id FROM engagements e
                      WHERE e.tenant_id = t AND e.client_org_id = org AND e.phase = 'clos' AND e.programme_cohort IS NULL
                      ORDER BY e.phase_changed_at, e.id);
    WHILE cardinality(waiting) >= k LOOP
        SELECT coalesce(max(e.programme_cohort), 0) + 1 INTO n FROM engagements e WHERE e.tenant_id = t AND e.client_org_id = org;
        UPDATE engagements e SET programme_cohort = n, programme_cohort_size = k WHERE e.tenant_id = t AND e.id = ANY (waiting[1:k]);
        waiting := waiting[k + 1:];
    END LOOP;
    PERFORM set_config('app.tenant_id', coalesce(caller, ''), true);
END $$;
-- +goose StatementEnd
REVOKE EXECUTE ON FUNCTION programme_release(uuid, uuid) FROM PUBLIC;

-- +goose StatementBegin
CREATE FUNCTION programme_release_closed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    o record;
BEGIN
    FOR o IN SELECT DISTINCT n.tenant_id, n.client_org_id FROM closed_rows n WHERE n.phase = 'clos' AND n.programme_cohort IS NULL LOOP
        PERFORM programme_release(o.tenant_id, o.client_org_id);
    END LOOP;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER programme_release_inserted AFTER INSERT ON engagements
    REFERENCING NEW TABLE AS closed_rows FOR EACH STATEMENT EXECUTE FUNCTION programme_release_closed();
CREATE TRIGGER programme_release_updated AFTER UPDATE ON engagements
    REFERENCING NEW TABLE AS closed_rows FOR EACH STATEMENT EXECUTE FUNCTION programme_release_closed();

-- A lower k may release waiting engagements at once.
-- +goose StatementBegin
CREATE FUNCTION programme_release_for_k() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    o record;
BEGIN
    IF NEW.programme_k < OLD.programme_k THEN
        FOR o IN SELECT c.id FROM client_orgs c WHERE c.tenant_id = NEW.id LOOP
            PERFORM programme_release(NEW.id, o.id);
        END LOOP;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER programme_release_for_k AFTER UPDATE OF programme_k ON workspaces
    FOR EACH ROW EXECUTE FUNCTION programme_release_for_k();

-- The engagements closed before: released as if each had been released when
-- it closed, with today's k.
ALTER TABLE engagements NO FORCE ROW LEVEL SECURITY;
ALTER TABLE client_orgs NO FORCE ROW LEVEL SECURITY;
SELECT programme_release(o.tenant_id, o.id) FROM client_orgs o;
ALTER TABLE client_orgs FORCE ROW LEVEL SECURITY;
ALTER TABLE engagements FORCE ROW LEVEL SECURITY;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_programme(org uuid)
    RETURNS TABLE (section text, item text, n integer, value numeric, body text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    -- Planned for each organisation's own engagements: a plan made once for
    -- any list of engagements reads a thousand of them one by one.
    SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    k integer;
    total integer;
    engs uuid[];
    released uuid[];
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
    -- The engagements the figures from inside the coaching (the evaluations
    -- at bouclage, the autonomy series) may read: those of the
    -- organisation's released cohorts (programme_release) that are still
    -- whole and closed (a cohort that lost one leaves the figures as one).
    released := ARRAY(
        SELECT x.id FROM (SELECT e.id, e.programme_cohort, e.programme_cohort_size, e.phase_changed_at,
                                 count(*) OVER (PARTITION BY e.programme_cohort) AS present
                            FROM engagements e WHERE e.tenant_id = app_tenant() AND e.id = ANY (engs) AND e.programme_cohort IS NOT NULL
                             AND e.phase = 'clos') x
         WHERE x.present = x.programme_cohort_size ORDER BY x.programme_cohort, x.phase_changed_at, x.id);
    RETURN QUERY
    WITH eng AS (
        SELECT e.tenant_id, e.id, e.phase, e.created_at, e.phase_changed_at FROM engagements e
         WHERE e.tenant_id = app_tenant() AND e.id = ANY (engs)
    ),
    -- Engagements by phase. A cell under k is hidden, an empty one too (were
    -- empty cells shown as 0, the hidden ones would be known to hold at least
    -- one, and the total could pin them: 4 engagements, k = 3, two hidden
    -- cells, so 2 each). Whenever a cell is hidden, the largest shown one
    -- goes too, so that the total minus the cells shown never pins a hidden
    -- one: the hidden cells' sum then has no upper bound to meet. (Hiding the
    -- smallest instead, or only when the sum would pin them, still let 71
    -- distributions of up to 14 engagements be solved for k = 3: the choice
    -- itself told the sum; TestProgrammePhasesPinNoHiddenCell tries them all.)
    phase_cells AS (
        SELECT ph.p, ph.o, count(eng.id)::integer AS cnt, count(eng.id) < k AS small
          FROM unnest(ARRAY['cadrage', 'accompagnement', 'bouclage', 'clos', 'interrompu']) WITH ORDINALITY AS ph(p, o)
          LEFT JOIN eng ON eng.phase = ph.p GROUP BY ph.p, ph.o
    ),
    phases AS (
        SELECT c.p, c.o, c.cnt, c.small OR (EXISTS (SELECT 1 FROM phase_cells c2 WHERE c2.small)
               AND c.o = (SELECT c2.o FROM phase_cells c2 WHERE NOT c2.small ORDER BY c2.cnt DESC, c2.o LIMIT 1)) AS hidden
          FROM phase_cells c
    ),
    -- The released engagements and their cohort.
    rel AS (
        SELECT e.id, e.programme_cohort AS cohort FROM engagements e WHERE e.tenant_id = app_tenant() AND e.id = ANY (released)
    ),
    -- The engagements' sessions, read once; each engagement's held ones.
    sess AS MATERIALIZED (
        SELECT s.engagement_id, s.id, s.number, s.status FROM coaching_sessions s
         WHERE s.tenant_id = app_tenant() AND s.engagement_id = ANY (engs)
    ),
    held AS (
        SELECT eng.id, count(s.id) AS n FROM eng LEFT JOIN sess s ON s.engagement_id = eng.id AND s.status = 'held' GROUP BY eng.id
    ),
    -- Each released engagement's actions by session, counted there first;
    -- a session number counts a cohort only where k of its engagements
    -- reached it (else the cohort's arrival would move the figure by fewer).
    acts_all AS (
        SELECT x.engagement_id, rel.cohort, x.num, count(*) AS total, count(*) FILTER (WHERE x.proposed_by = 'coachee') AS own
          FROM action_sessions(released) x JOIN rel ON rel.id = x.engagement_id
         WHERE x.num IS NOT NULL GROUP BY x.engagement_id, rel.cohort, x.num
    ),
    acts AS (
        SELECT a.* FROM acts_all a
          JOIN (SELECT b.cohort, b.num FROM acts_all b GROUP BY b.cohort, b.num HAVING count(*) >= k) ok
            ON ok.cohort = a.cohort AND ok.num = a.num
    ),
    ratings_all AS (
        SELECT ar.engagement_id, rel.cohort, ar.part, s.number, ar.score
          FROM autonomy_ratings ar JOIN rel ON rel.id = ar.engagement_id JOIN sess s ON s.id = ar.session_id
         WHERE ar.tenant_id = app_tenant() AND ar.engagement_id = ANY (released)
    ),
    ratings AS (
        SELECT r.* FROM ratings_all r
          JOIN (SELECT r2.cohort, r2.part, r2.number FROM ratings_all r2 GROUP BY r2.cohort, r2.part, r2.number
                HAVING count(DISTINCT r2.engagement_id) >= k) ok
            ON ok.cohort = r.cohort AND ok.part = r.part AND ok.number = r.number
    ),
    themes AS (
        SELECT r.engagement_id, btrim(r.body) AS body FROM requests r JOIN eng ON eng.tenant_id = r.tenant_id AND eng.id = r.engagement_id
         WHERE r.level = 'company' AND btrim(r.body) <> ''
    ),
    recos AS (
        SELECT rc.engagement_id, rc.carrier, rc.body FROM recommendations rc JOIN eng ON eng.tenant_id = rc.tenant_id AND eng.id = rc.engagement_id
         WHERE rc.carrier IN ('manager', 'hr')
    ),
    -- The evaluations of released engagements; a side counts a cohort only
    -- where k of its engagements were evaluated by that side.
    evals_all AS (
        SELECT v.engagement_id, rel.cohort, v.part, v.assessment FROM evaluations v JOIN rel ON rel.id = v.engagement_id
         WHERE v.tenant_id = app_tenant() AND v.engagement_id = ANY (released)
    ),
    evals AS (
        SELECT v.* FROM evals_all v
          JOIN (SELECT v2.cohort, v2.part FROM evals_all v2 GROUP BY v2.cohort, v2.part HAVING count(DISTINCT v2.engagement_id) >= k) ok
            ON ok.cohort = v.cohort AND ok.part = v.part
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
        UNION ALL SELECT 'autonomy.' || r.part, r.number::text, count(*)::integer, round(avg(r.score), 1), NULL, r.number
          FROM ratings r
         GROUP BY r.part, r.number
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

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_programme(org uuid)
    RETURNS TABLE (section text, item text, n integer, value numeric, body text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
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
DROP TRIGGER programme_release_for_k ON workspaces;
DROP FUNCTION programme_release_for_k();
DROP TRIGGER programme_release_updated ON engagements;
DROP TRIGGER programme_release_inserted ON engagements;
DROP FUNCTION programme_release_closed();
DROP FUNCTION programme_release(uuid, uuid);
DROP TRIGGER engagements_programme_guard ON engagements;
DROP FUNCTION engagements_programme_guard();
ALTER TABLE engagements DROP COLUMN programme_cohort, DROP COLUMN programme_cohort_size;
