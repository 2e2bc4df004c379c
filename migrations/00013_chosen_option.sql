-- +goose Up
-- A session's options end in a choice: the one option the coachee retained.
ALTER TABLE session_options ADD COLUMN chosen boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE session_options DROP COLUMN chosen;
