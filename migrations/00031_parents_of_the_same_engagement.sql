-- +goose Up
-- A row that belongs to a parent of its engagement (an indicator to an
-- objective, a session's content to a session, a journal entry to an action…)
-- carries both the parent's id and its own engagement_id, and the policies
-- decide who may write it by that engagement_id. The foreign keys checked the
-- parent's id alone: a coachee of one engagement could insert a journal entry
-- naming their own engagement and an action of another (the journal's insert
-- policy was satisfied), linking rows across engagements — and, since
-- migration 00030, having the database recount that other action's journal.
-- Each such foreign key now names the engagement too, so the parent must be of
-- the same engagement; PostgreSQL refuses the rest, for every writer. A
-- database holding such rows cannot take this migration until they are
-- resolved (the foreign key's error names the table).

ALTER TABLE objectives ADD CONSTRAINT objectives_engagement_key UNIQUE (tenant_id, id, engagement_id);
ALTER TABLE indicators ADD CONSTRAINT indicators_engagement_key UNIQUE (tenant_id, id, engagement_id);
ALTER TABLE meetings ADD CONSTRAINT meetings_engagement_key UNIQUE (tenant_id, id, engagement_id);
ALTER TABLE coaching_sessions ADD CONSTRAINT coaching_sessions_engagement_key UNIQUE (tenant_id, id, engagement_id);
ALTER TABLE actions ADD CONSTRAINT actions_engagement_key UNIQUE (tenant_id, id, engagement_id);

-- The same names and the same actions on delete; an emptied reference (SET NULL)
-- empties the parent's id only.
ALTER TABLE indicators DROP CONSTRAINT indicators_tenant_id_objective_id_fkey;
ALTER TABLE indicators ADD CONSTRAINT indicators_tenant_id_objective_id_fkey FOREIGN KEY (tenant_id, objective_id, engagement_id) REFERENCES objectives (tenant_id, id, engagement_id) ON DELETE CASCADE;
ALTER TABLE meeting_requests DROP CONSTRAINT meeting_requests_tenant_id_meeting_id_fkey;
ALTER TABLE meeting_requests ADD CONSTRAINT meeting_requests_tenant_id_meeting_id_fkey FOREIGN KEY (tenant_id, meeting_id, engagement_id) REFERENCES meetings (tenant_id, id, engagement_id);
ALTER TABLE session_contents DROP CONSTRAINT session_contents_tenant_id_session_id_fkey;
ALTER TABLE session_contents ADD CONSTRAINT session_contents_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id, engagement_id) REFERENCES coaching_sessions (tenant_id, id, engagement_id) ON DELETE CASCADE;
ALTER TABLE session_situations DROP CONSTRAINT session_situations_tenant_id_session_id_fkey;
ALTER TABLE session_situations ADD CONSTRAINT session_situations_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id, engagement_id) REFERENCES coaching_sessions (tenant_id, id, engagement_id) ON DELETE CASCADE;
ALTER TABLE session_options DROP CONSTRAINT session_options_tenant_id_session_id_fkey;
ALTER TABLE session_options ADD CONSTRAINT session_options_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id, engagement_id) REFERENCES coaching_sessions (tenant_id, id, engagement_id) ON DELETE CASCADE;
ALTER TABLE session_inputs DROP CONSTRAINT session_inputs_tenant_id_session_id_fkey;
ALTER TABLE session_inputs ADD CONSTRAINT session_inputs_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id, engagement_id) REFERENCES coaching_sessions (tenant_id, id, engagement_id) ON DELETE CASCADE;
ALTER TABLE session_cancellations DROP CONSTRAINT session_cancellations_tenant_id_session_id_fkey;
ALTER TABLE session_cancellations ADD CONSTRAINT session_cancellations_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id, engagement_id) REFERENCES coaching_sessions (tenant_id, id, engagement_id) ON DELETE CASCADE;
ALTER TABLE private_notes DROP CONSTRAINT private_notes_tenant_id_session_id_fkey;
ALTER TABLE private_notes ADD CONSTRAINT private_notes_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id, engagement_id) REFERENCES coaching_sessions (tenant_id, id, engagement_id) ON DELETE CASCADE;
ALTER TABLE autonomy_ratings DROP CONSTRAINT autonomy_ratings_tenant_id_session_id_fkey;
ALTER TABLE autonomy_ratings ADD CONSTRAINT autonomy_ratings_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id, engagement_id) REFERENCES coaching_sessions (tenant_id, id, engagement_id) ON DELETE CASCADE;
ALTER TABLE actions DROP CONSTRAINT actions_tenant_id_session_id_fkey;
ALTER TABLE actions ADD CONSTRAINT actions_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id, engagement_id) REFERENCES coaching_sessions (tenant_id, id, engagement_id) ON DELETE SET NULL (session_id);
ALTER TABLE actions DROP CONSTRAINT actions_tenant_id_objective_id_fkey;
ALTER TABLE actions ADD CONSTRAINT actions_tenant_id_objective_id_fkey FOREIGN KEY (tenant_id, objective_id, engagement_id) REFERENCES objectives (tenant_id, id, engagement_id) ON DELETE SET NULL (objective_id);
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_tenant_id_action_id_fkey;
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_tenant_id_action_id_fkey FOREIGN KEY (tenant_id, action_id, engagement_id) REFERENCES actions (tenant_id, id, engagement_id) ON DELETE CASCADE;
ALTER TABLE action_comments DROP CONSTRAINT action_comments_tenant_id_action_id_fkey;
ALTER TABLE action_comments ADD CONSTRAINT action_comments_tenant_id_action_id_fkey FOREIGN KEY (tenant_id, action_id, engagement_id) REFERENCES actions (tenant_id, id, engagement_id) ON DELETE CASCADE;
ALTER TABLE evaluations DROP CONSTRAINT evaluations_tenant_id_indicator_id_fkey;
ALTER TABLE evaluations ADD CONSTRAINT evaluations_tenant_id_indicator_id_fkey FOREIGN KEY (tenant_id, indicator_id, engagement_id) REFERENCES indicators (tenant_id, id, engagement_id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE indicators DROP CONSTRAINT indicators_tenant_id_objective_id_fkey;
ALTER TABLE indicators ADD CONSTRAINT indicators_tenant_id_objective_id_fkey FOREIGN KEY (tenant_id, objective_id) REFERENCES objectives (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE meeting_requests DROP CONSTRAINT meeting_requests_tenant_id_meeting_id_fkey;
ALTER TABLE meeting_requests ADD CONSTRAINT meeting_requests_tenant_id_meeting_id_fkey FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id);
ALTER TABLE session_contents DROP CONSTRAINT session_contents_tenant_id_session_id_fkey;
ALTER TABLE session_contents ADD CONSTRAINT session_contents_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE session_situations DROP CONSTRAINT session_situations_tenant_id_session_id_fkey;
ALTER TABLE session_situations ADD CONSTRAINT session_situations_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE session_options DROP CONSTRAINT session_options_tenant_id_session_id_fkey;
ALTER TABLE session_options ADD CONSTRAINT session_options_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE session_inputs DROP CONSTRAINT session_inputs_tenant_id_session_id_fkey;
ALTER TABLE session_inputs ADD CONSTRAINT session_inputs_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE session_cancellations DROP CONSTRAINT session_cancellations_tenant_id_session_id_fkey;
ALTER TABLE session_cancellations ADD CONSTRAINT session_cancellations_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE private_notes DROP CONSTRAINT private_notes_tenant_id_session_id_fkey;
ALTER TABLE private_notes ADD CONSTRAINT private_notes_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE autonomy_ratings DROP CONSTRAINT autonomy_ratings_tenant_id_session_id_fkey;
ALTER TABLE autonomy_ratings ADD CONSTRAINT autonomy_ratings_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE actions DROP CONSTRAINT actions_tenant_id_session_id_fkey;
ALTER TABLE actions ADD CONSTRAINT actions_tenant_id_session_id_fkey FOREIGN KEY (tenant_id, session_id) REFERENCES coaching_sessions (tenant_id, id) ON DELETE SET NULL (session_id);
ALTER TABLE actions DROP CONSTRAINT actions_tenant_id_objective_id_fkey;
ALTER TABLE actions ADD CONSTRAINT actions_tenant_id_objective_id_fkey FOREIGN KEY (tenant_id, objective_id) REFERENCES objectives (tenant_id, id) ON DELETE SET NULL (objective_id);
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_tenant_id_action_id_fkey;
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_tenant_id_action_id_fkey FOREIGN KEY (tenant_id, action_id) REFERENCES actions (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE action_comments DROP CONSTRAINT action_comments_tenant_id_action_id_fkey;
ALTER TABLE action_comments ADD CONSTRAINT action_comments_tenant_id_action_id_fkey FOREIGN KEY (tenant_id, action_id) REFERENCES actions (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE evaluations DROP CONSTRAINT evaluations_tenant_id_indicator_id_fkey;
ALTER TABLE evaluations ADD CONSTRAINT evaluations_tenant_id_indicator_id_fkey FOREIGN KEY (tenant_id, indicator_id) REFERENCES indicators (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE objectives DROP CONSTRAINT objectives_engagement_key;
ALTER TABLE indicators DROP CONSTRAINT indicators_engagement_key;
ALTER TABLE meetings DROP CONSTRAINT meetings_engagement_key;
ALTER TABLE coaching_sessions DROP CONSTRAINT coaching_sessions_engagement_key;
ALTER TABLE actions DROP CONSTRAINT actions_engagement_key;
