-- +goose Up
-- An index leading with the columns of every foreign key. Without one, a read
-- of a table by its engagement scanned the whole workspace (an engagement page
-- read every indicator of the workspace to show four), deleting an engagement
-- scanned each table that cascades from it, and erasing a person's account
-- (users are shared by every workspace) checked or cleared a dozen tables of
-- millions of rows by scanning them whole. TestEveryForeignKeyIsIndexed keeps
-- it so for every foreign key to come.
CREATE INDEX action_comments_author_id_fk ON action_comments (author_id);
CREATE INDEX action_comments_tenant_id_engagement_id_fk ON action_comments (tenant_id, engagement_id);
CREATE INDEX actions_created_by_fk ON actions (created_by);
CREATE INDEX actions_tenant_id_objective_id_fk ON actions (tenant_id, objective_id);
CREATE INDEX autonomy_ratings_tenant_id_engagement_id_fk ON autonomy_ratings (tenant_id, engagement_id);
CREATE INDEX autonomy_ratings_user_id_fk ON autonomy_ratings (user_id);
CREATE INDEX document_comments_author_id_fk ON document_comments (author_id);
CREATE INDEX engagements_created_by_fk ON engagements (created_by);
CREATE INDEX engagements_ended_by_fk ON engagements (ended_by);
CREATE INDEX engagements_tenant_id_client_org_id_fk ON engagements (tenant_id, client_org_id);
CREATE INDEX evaluations_user_id_fk ON evaluations (user_id);
CREATE INDEX events_actor_id_fk ON events (actor_id);
CREATE INDEX indicators_tenant_id_engagement_id_fk ON indicators (tenant_id, engagement_id);
CREATE INDEX invitations_invited_by_fk ON invitations (invited_by);
CREATE INDEX invitations_tenant_id_client_org_id_fk ON invitations (tenant_id, client_org_id);
CREATE INDEX journal_entries_author_id_fk ON journal_entries (author_id);
CREATE INDEX library_items_created_by_fk ON library_items (created_by);
CREATE INDEX meeting_attendees_tenant_id_user_id_fk ON meeting_attendees (tenant_id, user_id);
CREATE INDEX meeting_requests_requested_by_fk ON meeting_requests (requested_by);
CREATE INDEX meeting_requests_tenant_id_meeting_id_fk ON meeting_requests (tenant_id, meeting_id);
CREATE INDEX memberships_tenant_id_client_org_id_fk ON memberships (tenant_id, client_org_id);
CREATE INDEX private_notes_tenant_id_author_id_fk ON private_notes (tenant_id, author_id);
CREATE INDEX private_notes_tenant_id_engagement_id_fk ON private_notes (tenant_id, engagement_id);
CREATE INDEX recommendations_author_id_fk ON recommendations (author_id);
CREATE INDEX reminders_sent_user_id_fk ON reminders_sent (user_id);
CREATE INDEX report_validations_tenant_id_user_id_fk ON report_validations (tenant_id, user_id);
CREATE INDEX report_versions_created_by_fk ON report_versions (created_by);
CREATE INDEX requests_written_by_fk ON requests (written_by);
CREATE INDEX session_cancellations_tenant_id_engagement_id_fk ON session_cancellations (tenant_id, engagement_id);
CREATE INDEX session_contents_tenant_id_engagement_id_fk ON session_contents (tenant_id, engagement_id);
CREATE INDEX session_inputs_tenant_id_engagement_id_fk ON session_inputs (tenant_id, engagement_id);
CREATE INDEX session_inputs_tenant_id_item_id_fk ON session_inputs (tenant_id, item_id);
CREATE INDEX session_options_tenant_id_engagement_id_fk ON session_options (tenant_id, engagement_id);
CREATE INDEX session_situations_tenant_id_engagement_id_fk ON session_situations (tenant_id, engagement_id);
CREATE INDEX sponsor_feedback_tenant_id_author_id_fk ON sponsor_feedback (tenant_id, author_id);
CREATE INDEX synthesis_validations_tenant_id_user_id_fk ON synthesis_validations (tenant_id, user_id);
CREATE INDEX synthesis_versions_created_by_fk ON synthesis_versions (created_by);

-- +goose Down
DROP INDEX action_comments_author_id_fk;
DROP INDEX action_comments_tenant_id_engagement_id_fk;
DROP INDEX actions_created_by_fk;
DROP INDEX actions_tenant_id_objective_id_fk;
DROP INDEX autonomy_ratings_tenant_id_engagement_id_fk;
DROP INDEX autonomy_ratings_user_id_fk;
DROP INDEX document_comments_author_id_fk;
DROP INDEX engagements_created_by_fk;
DROP INDEX engagements_ended_by_fk;
DROP INDEX engagements_tenant_id_client_org_id_fk;
DROP INDEX evaluations_user_id_fk;
DROP INDEX events_actor_id_fk;
DROP INDEX indicators_tenant_id_engagement_id_fk;
DROP INDEX invitations_invited_by_fk;
DROP INDEX invitations_tenant_id_client_org_id_fk;
DROP INDEX journal_entries_author_id_fk;
DROP INDEX library_items_created_by_fk;
DROP INDEX meeting_attendees_tenant_id_user_id_fk;
DROP INDEX meeting_requests_requested_by_fk;
DROP INDEX meeting_requests_tenant_id_meeting_id_fk;
DROP INDEX memberships_tenant_id_client_org_id_fk;
DROP INDEX private_notes_tenant_id_author_id_fk;
DROP INDEX private_notes_tenant_id_engagement_id_fk;
DROP INDEX recommendations_author_id_fk;
DROP INDEX reminders_sent_user_id_fk;
DROP INDEX report_validations_tenant_id_user_id_fk;
DROP INDEX report_versions_created_by_fk;
DROP INDEX requests_written_by_fk;
DROP INDEX session_cancellations_tenant_id_engagement_id_fk;
DROP INDEX session_contents_tenant_id_engagement_id_fk;
DROP INDEX session_inputs_tenant_id_engagement_id_fk;
DROP INDEX session_inputs_tenant_id_item_id_fk;
DROP INDEX session_options_tenant_id_engagement_id_fk;
DROP INDEX session_situations_tenant_id_engagement_id_fk;
DROP INDEX sponsor_feedback_tenant_id_author_id_fk;
DROP INDEX synthesis_validations_tenant_id_user_id_fk;
DROP INDEX synthesis_versions_created_by_fk;
