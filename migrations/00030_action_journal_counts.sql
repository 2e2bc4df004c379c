-- +goose Up
-- Each action carries how many journal entries it has and when the last was
-- written, kept by the writes of the journal in the writing transaction. The
-- action lists (the coachee's actions page, a session's action plan, the
-- coachee's dashboard) counted them on every read: for each action an index
-- scan of its entries, each entry probed by the journal's policy — half of
-- the coachee's actions statement (pgbench, 25 actions: 0.75 → 0.35–0.42 ms),
-- and growing with the journal. Everyone who may read an action may read
-- all of its entries (a sponsor reads the shared actions and their journal),
-- so one count serves every reader.
ALTER TABLE actions ADD COLUMN journal_count integer NOT NULL DEFAULT 0,
                    ADD COLUMN journal_last timestamptz;

-- Only the writes of the journal set them: the request role keeps its
-- rights on every other column, none on these. (Column rights do not extend
-- to columns added later: a new column of actions needs its own grant;
-- TestRequestRoleWritesAllButKeptColumns says so.)
REVOKE INSERT, UPDATE ON actions FROM triade_app;
GRANT INSERT (tenant_id, id, engagement_id, session_id, objective_id, title, description, due_date, status, shared_at,
              created_by, created_at, proposed_by),
      UPDATE (tenant_id, id, engagement_id, session_id, objective_id, title, description, due_date, status, shared_at,
              created_by, created_at, proposed_by) ON actions TO triade_app;

-- Recount the actions a statement on the journal touched, in a fixed order.
-- The action's row is locked before counting, so that of two writers of one
-- action's journal the second counts after the first committed (a count
-- taken in the same statement as the update would miss it). NO KEY UPDATE:
-- the lock an update of the action takes anyway, which does not wait for the
-- KEY SHARE lock every new entry's foreign key check holds on its action (two
-- writers holding one each and asking FOR UPDATE would deadlock). A TRUNCATE
-- of the journal (a superuser's, outside the application) leaves the counts
-- as they were.
-- +goose StatementBegin
CREATE FUNCTION action_journal_recount(t uuid, act uuid) RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp AS $$
DECLARE caller text := current_setting('app.tenant_id', true);
BEGIN
    -- The owner reads the action's workspace, also for a write made without
    -- one set (a superuser's); the caller's setting comes back after.
    PERFORM set_config('app.tenant_id', t::text, true);
    PERFORM 1 FROM actions WHERE tenant_id = t AND id = act FOR NO KEY UPDATE;
    IF FOUND THEN -- (gone with its engagement: nothing to count)
        UPDATE actions a SET journal_count = j.n, journal_last = j.last
          FROM (SELECT count(*)::integer AS n, max(e.at) AS last FROM journal_entries e WHERE e.tenant_id = t AND e.action_id = act) j
         WHERE a.tenant_id = t AND a.id = act AND (a.journal_count, a.journal_last) IS DISTINCT FROM (j.n, j.last);
    END IF;
    PERFORM set_config('app.tenant_id', coalesce(caller, ''), true);
END
$$;
-- +goose StatementEnd
REVOKE EXECUTE ON FUNCTION action_journal_recount(uuid, uuid) FROM PUBLIC, triade_app;

-- +goose StatementBegin
CREATE FUNCTION action_journal_touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR r IN SELECT DISTINCT n.tenant_id, n.action_id FROM new_rows n ORDER BY 1, 2 LOOP
            PERFORM action_journal_recount(r.tenant_id, r.action_id);
        END LOOP;
    ELSIF TG_OP = 'UPDATE' THEN
        FOR r IN SELECT o.tenant_id, o.action_id FROM old_rows o UNION SELECT n.tenant_id, n.action_id FROM new_rows n ORDER BY 1, 2 LOOP
            PERFORM action_journal_recount(r.tenant_id, r.action_id);
        END LOOP;
    ELSE
        FOR r IN SELECT DISTINCT o.tenant_id, o.action_id FROM old_rows o ORDER BY 1, 2 LOOP
            PERFORM action_journal_recount(r.tenant_id, r.action_id);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
REVOKE EXECUTE ON FUNCTION action_journal_touch() FROM PUBLIC, triade_app;

-- (Named to fire before the summary triggers of the same statement: the
-- action's row lock, then the engagement's summary lock, as an update of the
-- action itself takes them.)
CREATE TRIGGER action_journal_insert AFTER INSERT ON journal_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION action_journal_touch();
CREATE TRIGGER action_journal_update AFTER UPDATE ON journal_entries REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION action_journal_touch();
CREATE TRIGGER action_journal_delete AFTER DELETE ON journal_entries REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION action_journal_touch();

-- A recount changes nothing the engagement's summary holds (which counts the
-- journal from its own table, whose trigger recomputes it): an update of
-- actions that changed only the counts leaves the summary alone.
-- +goose StatementBegin
CREATE FUNCTION summary_touch_actions() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp AS $$
DECLARE r record;
BEGIN
    FOR r IN
        WITH changed AS (
            SELECT o.tenant_id AS ot, o.engagement_id AS oe, n.tenant_id AS nt, n.engagement_id AS ne
              FROM old_rows o FULL JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
             WHERE o.id IS NULL OR n.id IS NULL
                OR to_jsonb(o) - '{journal_count,journal_last}'::text[] IS DISTINCT FROM to_jsonb(n) - '{journal_count,journal_last}'::text[])
        SELECT ot AS tenant_id, oe AS engagement_id FROM changed WHERE ot IS NOT NULL
        UNION SELECT nt, ne FROM changed WHERE nt IS NOT NULL
        ORDER BY 1, 2
    LOOP
        PERFORM summary_recompute(r.tenant_id, r.engagement_id);
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
REVOKE EXECUTE ON FUNCTION summary_touch_actions() FROM PUBLIC, triade_app;
DROP TRIGGER summary_update ON actions;

-- The journals written so far, one workspace at a time (the owner is bound
-- by the workspace's row-level security too), before the summary trigger
-- comes back: the counts change no summary, and comparing every action's old
-- and new row to find that out cost most of the migration's time.
-- +goose StatementBegin
DO $$
DECLARE w uuid;
BEGIN
    FOR w IN SELECT id FROM workspaces LOOP
        PERFORM set_config('app.tenant_id', w::text, true);
        UPDATE actions a SET journal_count = j.n, journal_last = j.last
          FROM (SELECT e.action_id, count(*)::integer AS n, max(e.at) AS last FROM journal_entries e
                 WHERE e.tenant_id = w GROUP BY e.action_id) j
         WHERE a.tenant_id = w AND a.id = j.action_id;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
-- +goose StatementEnd
CREATE TRIGGER summary_update AFTER UPDATE ON actions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION summary_touch_actions();

-- +goose Down
DROP TRIGGER summary_update ON actions;
CREATE TRIGGER summary_update AFTER UPDATE ON actions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION summary_touch();
DROP FUNCTION summary_touch_actions();
DROP TRIGGER action_journal_insert ON journal_entries;
DROP TRIGGER action_journal_update ON journal_entries;
DROP TRIGGER action_journal_delete ON journal_entries;
DROP FUNCTION action_journal_touch();
DROP FUNCTION action_journal_recount(uuid, uuid);
REVOKE INSERT, UPDATE ON actions FROM triade_app;
GRANT INSERT, UPDATE ON actions TO triade_app;
ALTER TABLE actions DROP COLUMN journal_count, DROP COLUMN journal_last;
