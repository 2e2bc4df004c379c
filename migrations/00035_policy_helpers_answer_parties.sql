-- +goose Up
-- Three helpers of the policies read, with the owner's rights, a fact about
-- a row the caller may not see: whether a side rated a session, whether an
-- action has journal entries, whether the coachee validated a report version.
-- The request role can call them with any id (a review asked, as a sponsor,
-- whether the coachee had rated each session, and whether an action she
-- could not see had a journal). Each now answers only to the parties its
-- policy asks it for — the coach, cocoach or coachee of the engagement (any
-- party for the report, and the workspace's admin, who reads a validated
-- self-assessment) — and false to anyone else, which is what the policies
-- already required of them.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_action_journaled(act uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM journal_entries j
                   JOIN engagement_parties p ON p.tenant_id = j.tenant_id AND p.engagement_id = j.engagement_id
                    AND p.user_id = app_user() AND p.part IN ('coach', 'cocoach', 'coachee')
                  WHERE j.tenant_id = app_tenant() AND j.action_id = act)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_rated(sess uuid, side text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM autonomy_ratings r
                   JOIN engagement_parties p ON p.tenant_id = r.tenant_id AND p.engagement_id = r.engagement_id
                    AND p.user_id = app_user() AND p.part IN ('coach', 'cocoach', 'coachee')
                  WHERE r.tenant_id = app_tenant() AND r.session_id = sess AND r.part = side)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_coachee_validated_report(eng uuid, num integer) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM report_validations v
                  WHERE v.tenant_id = app_tenant() AND v.engagement_id = eng AND v.number = num AND v.part = 'coachee')
     AND (EXISTS (SELECT 1 FROM engagement_parties p
                   WHERE p.tenant_id = app_tenant() AND p.engagement_id = eng AND p.user_id = app_user())
          OR app_has_role('admin'))
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_action_journaled(act uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM journal_entries WHERE tenant_id = app_tenant() AND action_id = act)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_rated(sess uuid, side text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM autonomy_ratings WHERE tenant_id = app_tenant() AND session_id = sess AND part = side)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_coachee_validated_report(eng uuid, num integer) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM report_validations
                 WHERE tenant_id = app_tenant() AND engagement_id = eng AND number = num AND part = 'coachee')
$$;
-- +goose StatementEnd
