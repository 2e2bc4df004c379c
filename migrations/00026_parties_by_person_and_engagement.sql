-- +goose NO TRANSACTION
-- +goose Up
-- The policies ask, row by row, whether the person takes part in the row's
-- engagement (00025): a lookup of (workspace, person, engagement) in
-- engagement_parties. The person's index held (workspace, person) only, and
-- the plans made once for any values (the request pool's generic plans)
-- often answered the lookup through it, reading the person's parts until
-- the engagement came up: up to 1,000 entries per row for the coach of a
-- programme of 1,000 engagements. With the engagement in the index, either
-- index answers the lookup exactly; the part is carried along so that the
-- index alone answers it. Built concurrently (see 00022).
CREATE INDEX CONCURRENTLY IF NOT EXISTS engagement_parties_user_engagement_idx ON engagement_parties (tenant_id, user_id, engagement_id) INCLUDE (part);
DROP INDEX CONCURRENTLY IF EXISTS engagement_parties_user_idx;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS engagement_parties_user_idx ON engagement_parties (tenant_id, user_id);
DROP INDEX CONCURRENTLY IF EXISTS engagement_parties_user_engagement_idx;
