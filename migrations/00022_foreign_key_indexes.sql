-- +goose NO TRANSACTION
-- +goose Up
-- An index leading with the columns of every foreign key. Without one, a read
-- of a table by its engagement scanned the whole workspace (an engagement page
-- read every indicator of the workspace to show four), deleting an engagement
-- scanned each table that cascades from it, and erasing a person's account
-- (users are shared by every workspace) checked or cleared a dozen tables of
-- millions of rows by scanning them whole. TestEveryForeignKeyIsIndexed keeps
-- it so for every foreign key to come. Built concurrently, outside a
-- transaction: on a large database the running servers keep writing while
-- the indexes build (a build that fails leaves an invalid index behind: drop
-- it and start again).
CREATE INDEX CONCURRENTLY IF NOT EXISTS action_comments_author_id_fk ON action_comments (author_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS action_comments_tenant_id_engagement_id_fk ON action_comments (tenant_id, engagement_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS actions_created_by_fk ON actions (created_by);
CREATE INDEX CONCURRENTLY IF NOT EXISTS actions_tenant_id_objective_id_fk ON actions (tenant_id, objective_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS autonomy_ratings_tenant_id_engagement_id_fk ON autonomy_ratings (tenant_id, engagement_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS autonomy_ratings_user_id_fk ON autonomy_ratings (user_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS document_comments_author_id_fk ON document_comments (author_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS engagements_created_by_fk ON engagements (created_by);
CREATE INDEX CONCURRENTLY IF NOT EXISTS engagements_ended_by_fk ON engagements (ended_by);
CREATE INDEX CONCURRENTLY IF NOT EXISTS engagements_tenant_id_client_org_id_fk ON engagements (tenant_id, client_org_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS evaluations_user_id_fk ON evaluations (user_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_actor_id_fk ON events (actor_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS indicators_tenant_id_engagement_id_fk ON indicators (tenant_id, engagement_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS invitations_invited_by_fk ON invitations (invited_by);
CREATE INDEX CONCURRENTLY IF NOT EXISTS invitations_tenant_id_client_org_id_fk ON invitations (tenant_id, client_org_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS journal_entries_author_id_fk ON journal_entries (author_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS library_items_created_by_fk ON library_items (created_by);
CREATE INDEX CONCURRENTLY IF NOT EXISTS meeting_attendees_tenant_id_user_id_fk ON meeting_attendees (tenant_id, user_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS meeting_requests_requested_by_fk ON meeting_requests (requested_by);
CREATE INDEX CONCURRENTLY IF NOT EXISTS meeting_requests_tenant_id_meeting_id_fk ON meeting_requests (tenant_id, meeting_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS memberships_tenant_id_client_org_id_fk ON memberships (tenant_id, client_org_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS private_notes_tenant_id_author_id_fk ON private_notes (tenant_id, author_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS private_notes_tenant_id_engagement_id_fk ON private_notes (tenant_id, engagement_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS recommendations_author_id_fk ON recommendations (author_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS reminders_sent_user_id_fk ON reminders_sent (user_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS report_validations_tenant_id_user_id_fk ON report_validations (tenant_id, user_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS report_versions_created_by_fk ON report_versions (created_by);
CREATE INDEX CONCURRENTLY IF NOT EXISTS requests_written_by_fk ON requests (written_by);
CREATE INDEX CONCURRENTLY IF NOT EXISTS session_cancellations_tenant_id_engagement_id_fk ON session_cancellations (tenant_id, engagement_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS session_contents_tenant_id_engagement_id_fk ON session_contents (tenant_id, engagement_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS session_inputs_tenant_id_engagement_id_fk ON session_inputs (tenant_id, engagement_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS session_inputs_tenant_id_item_id_fk ON session_inputs (tenant_id, item_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS session_options_tenant_id_engagement_id_fk ON session_options (tenant_id, engagement_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS session_situations_tenant_id_engagement_id_fk ON session_situations (tenant_id, engagement_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS sponsor_feedback_tenant_id_author_id_fk ON sponsor_feedback (tenant_id, author_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS synthesis_validations_tenant_id_user_id_fk ON synthesis_validations (tenant_id, user_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS synthesis_versions_created_by_fk ON synthesis_versions (created_by);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS action_comments_author_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS action_comments_tenant_id_engagement_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS actions_created_by_fk;
DROP INDEX CONCURRENTLY IF EXISTS actions_tenant_id_objective_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS autonomy_ratings_tenant_id_engagement_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS autonomy_ratings_user_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS document_comments_author_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS engagements_created_by_fk;
DROP INDEX CONCURRENTLY IF EXISTS engagements_ended_by_fk;
DROP INDEX CONCURRENTLY IF EXISTS engagements_tenant_id_client_org_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS evaluations_user_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS events_actor_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS indicators_tenant_id_engagement_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS invitations_invited_by_fk;
DROP INDEX CONCURRENTLY IF EXISTS invitations_tenant_id_client_org_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS journal_entries_author_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS library_items_created_by_fk;
DROP INDEX CONCURRENTLY IF EXISTS meeting_attendees_tenant_id_user_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS meeting_requests_requested_by_fk;
DROP INDEX CONCURRENTLY IF EXISTS meeting_requests_tenant_id_meeting_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS memberships_tenant_id_client_org_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS private_notes_tenant_id_author_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS private_notes_tenant_id_engagement_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS recommendations_author_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS reminders_sent_user_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS report_validations_tenant_id_user_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS report_versions_created_by_fk;
DROP INDEX CONCURRENTLY IF EXISTS requests_written_by_fk;
DROP INDEX CONCURRENTLY IF EXISTS session_cancellations_tenant_id_engagement_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS session_contents_tenant_id_engagement_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS session_inputs_tenant_id_engagement_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS session_inputs_tenant_id_item_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS session_options_tenant_id_engagement_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS session_situations_tenant_id_engagement_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS sponsor_feedback_tenant_id_author_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS synthesis_validations_tenant_id_user_id_fk;
DROP INDEX CONCURRENTLY IF EXISTS synthesis_versions_created_by_fk;
