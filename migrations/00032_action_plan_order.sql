-- +goose Up
-- A session's action plan is read back in the order the coach wrote it. It was
-- read by creation time, which is the same for every line a save adds (one
-- transaction): the lines came back in the order of their rows on disk, and
-- an action whose row moved (its journal counted since migration 00030, any
-- update) came back elsewhere. Each line now keeps its place in the plan; a
-- line added later goes after the others.
ALTER TABLE actions ADD COLUMN plan_position integer;

-- The request role writes it as every other column of the action it writes
-- (migration 00030 gives those rights column by column).
GRANT INSERT (plan_position), UPDATE (plan_position) ON actions TO triade_app;

-- The plans saved so far, numbered in the order they were read until now
-- (creation, then the row's place on disk), one workspace at a time, with the
-- summary trigger of actions off meanwhile: a line's place changes no
-- engagement summary, and the trigger would recompute every engagement that
-- has a plan. (Lines keep their place from now on: nothing else changes it.)
DROP TRIGGER summary_update ON actions;
-- +goose StatementBegin
DO $$
DECLARE w uuid;
BEGIN
    FOR w IN SELECT id FROM workspaces LOOP
        PERFORM set_config('app.tenant_id', w::text, true);
        UPDATE actions a SET plan_position = p.n
          FROM (SELECT x.id, row_number() OVER (PARTITION BY x.session_id ORDER BY x.created_at, x.ctid) - 1 AS n
                  FROM actions x WHERE x.tenant_id = w AND x.session_id IS NOT NULL) p
         WHERE a.tenant_id = w AND a.id = p.id;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
-- +goose StatementEnd
CREATE TRIGGER summary_update AFTER UPDATE ON actions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION summary_touch_actions();

-- +goose Down
REVOKE INSERT (plan_position), UPDATE (plan_position) ON actions FROM triade_app;
ALTER TABLE actions DROP COLUMN plan_position;
