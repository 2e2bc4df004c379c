-- +goose Up
-- The policies' helper functions that read a table, in PL/pgSQL. Written in
-- SQL and not inlinable (they hold a subquery), each was planned again in
-- every statement that called it: 0.15-0.3 ms of planning per statement for
-- app_has_role or app_programme_viewer (pg_stat_statements in `make bench
-- -stats`: as many plans as calls). PL/pgSQL keeps the plan of its query
-- for the connection. Same bodies, same rights (invoker or definer) as
-- before; app_engagements and app_sees_user were moved in 00018.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_has_role(r text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = app_tenant() AND user_id = app_user() AND r = ANY (roles) AND joined_at IS NOT NULL));
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_part(eng uuid) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce((SELECT part FROM engagement_parties
                   WHERE tenant_id = app_tenant() AND engagement_id = eng AND user_id = app_user()), ''));
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_invited_roles() RETURNS text[] LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT i.role), '{}') FROM invitations i JOIN users u ON u.email = i.email
  WHERE i.tenant_id = app_tenant() AND u.id = app_user());
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_action_journaled(act uuid) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
    RETURN (SELECT EXISTS (SELECT 1 FROM journal_entries WHERE tenant_id = app_tenant() AND action_id = act));
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_coachee_validated_report(eng uuid, num integer) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
    RETURN (SELECT EXISTS (SELECT 1 FROM report_validations
                 WHERE tenant_id = app_tenant() AND engagement_id = eng AND number = num AND part = 'coachee'));
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_member_elsewhere(uid uuid) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
    RETURN (SELECT app_erasing() AND EXISTS (SELECT 1 FROM memberships WHERE user_id = uid AND tenant_id <> app_tenant()));
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_programme_viewer(org uuid) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
    RETURN (SELECT app_has_role('admin') OR EXISTS (
      SELECT 1 FROM memberships m WHERE m.tenant_id = app_tenant() AND m.user_id = app_user()
         AND 'sponsor' = ANY (m.roles) AND m.client_org_id = org AND m.joined_at IS NOT NULL));
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_rated(sess uuid, side text) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
    RETURN (SELECT EXISTS (SELECT 1 FROM autonomy_ratings WHERE tenant_id = app_tenant() AND session_id = sess AND part = side));
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_has_role(r text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = app_tenant() AND user_id = app_user() AND r = ANY (roles) AND joined_at IS NOT NULL)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_part(eng uuid) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT part FROM engagement_parties
                   WHERE tenant_id = app_tenant() AND engagement_id = eng AND user_id = app_user()), '')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_invited_roles() RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT i.role), '{}') FROM invitations i JOIN users u ON u.email = i.email
  WHERE i.tenant_id = app_tenant() AND u.id = app_user()
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_action_journaled(act uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM journal_entries WHERE tenant_id = app_tenant() AND action_id = act)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_coachee_validated_report(eng uuid, num integer) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM report_validations
                 WHERE tenant_id = app_tenant() AND engagement_id = eng AND number = num AND part = 'coachee')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_member_elsewhere(uid uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT app_erasing() AND EXISTS (SELECT 1 FROM memberships WHERE user_id = uid AND tenant_id <> app_tenant())
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_programme_viewer(org uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT app_has_role('admin') OR EXISTS (
      SELECT 1 FROM memberships m WHERE m.tenant_id = app_tenant() AND m.user_id = app_user()
         AND 'sponsor' = ANY (m.roles) AND m.client_org_id = org AND m.joined_at IS NOT NULL)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_rated(sess uuid, side text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM autonomy_ratings WHERE tenant_id = app_tenant() AND session_id = sess AND part = side)
$$;
-- +goose StatementEnd
