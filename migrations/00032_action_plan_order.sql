-- +goose Up
-- A session's action plan is read back in the order the coach wrote it. It was
-- read by creation time, which is the same for every line a save adds (one
-- transaction): the lines came back in the order of their rows on disk, and
-- an action whose row moved (its journal counted since migration 00030, any
-- update) came back elsewhere. Each line now keeps its place in the plan;
-- plans saved before keep their creation order until they are saved again.
ALTER TABLE actions ADD COLUMN plan_position integer;

-- The request role writes it as every other column of the action it writes
-- (migration 00030 gives those rights column by column).
GRANT INSERT (plan_position), UPDATE (plan_position) ON actions TO triade_app;

-- +goose Down
REVOKE INSERT (plan_position), UPDATE (plan_position) ON actions FROM triade_app;
ALTER TABLE actions DROP COLUMN plan_position;
