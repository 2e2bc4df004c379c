-- +goose Up
-- A person may hold several roles in a workspace: an independent coach is both
-- the administrator of her practice and its coach. memberships.role becomes
-- memberships.roles, and every rule that read the one role reads the set.
-- Roles are still granted by an administrator only (an administrator may add
-- one to herself); nobody else grants themselves anything.

-- Each role at most once in a set.
-- +goose StatementBegin
CREATE FUNCTION roles_distinct(rs text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT count(DISTINCT r) = cardinality(rs) FROM unnest(rs) r
$$;
-- +goose StatementEnd

ALTER TABLE memberships ADD COLUMN roles text[];
-- The owner is bound by FORCEd row-level security too: lift it for the move.
ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY;
UPDATE memberships SET roles = ARRAY[role];
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships ALTER COLUMN roles SET NOT NULL,
    ADD CONSTRAINT memberships_roles_check
        CHECK (cardinality(roles) BETWEEN 1 AND 4 AND roles <@ '{admin,coach,coachee,sponsor}' AND roles_distinct(roles));

-- What read the single role goes first, so that the column can go.
DROP TRIGGER membership_role ON memberships;
DROP POLICY rule_insert ON memberships;
DROP POLICY rule_update ON memberships;
DROP FUNCTION app_workspace_role();
ALTER TABLE memberships DROP COLUMN role;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_has_role(r text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = app_tenant() AND user_id = app_user() AND r = ANY (roles) AND joined_at IS NOT NULL)
$$;
-- +goose StatementEnd

-- The roles the invitations sent to the current person's e-mail in this
-- workspace name: what taking up an invitation may give oneself.
-- +goose StatementBegin
CREATE FUNCTION app_invited_roles() RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT i.role), '{}') FROM invitations i JOIN users u ON u.email = i.email
  WHERE i.tenant_id = app_tenant() AND u.id = app_user()
$$;
-- +goose StatementEnd

-- Memberships: the first member of a new workspace is its founder (admin, and
-- coach when she coaches herself); after that admins add anyone with any
-- roles and coaches add coachees and sponsors; a person joins (or takes up
-- their invited membership) with the roles they were invited to. Only admins
-- change roles.
CREATE POLICY rule_insert ON memberships AS RESTRICTIVE FOR INSERT TO triade_app WITH CHECK (
    app_has_role('admin')
    OR (app_has_role('coach') AND roles <@ '{coachee,sponsor}')
    OR (user_id = app_user() AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.tenant_id = app_tenant()))
    OR (user_id = app_user() AND roles <@ app_invited_roles()));
CREATE POLICY rule_update ON memberships AS RESTRICTIVE FOR UPDATE TO triade_app
    USING (app_has_role('admin') OR (user_id = app_user() AND roles <@ app_invited_roles()) OR app_erasing())
    WITH CHECK (app_has_role('admin') OR (user_id = app_user() AND roles <@ app_invited_roles()) OR app_erasing());

-- Each part of an engagement needs one of the matching roles.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION party_role_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    want text[] := party_roles(NEW.part);
BEGIN
    -- A row for another workspace is the tenant policy's to refuse.
    IF current_user = 'triade_app' AND NEW.tenant_id IS DISTINCT FROM app_tenant() THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = NEW.tenant_id AND user_id = NEW.user_id AND roles && want) THEN
        RAISE EXCEPTION 'party % needs a workspace role among %', NEW.part, want
            USING ERRCODE = 'check_violation', CONSTRAINT = 'party_role';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- A member's roles cannot drop one that a part they hold needs.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION membership_role_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.roles IS DISTINCT FROM OLD.roles AND EXISTS (
        SELECT 1 FROM engagement_parties WHERE tenant_id = OLD.tenant_id AND user_id = OLD.user_id
          AND NOT NEW.roles && party_roles(part)) THEN
        RAISE EXCEPTION 'the member holds parts that the roles % do not allow', NEW.roles
            USING ERRCODE = 'check_violation', CONSTRAINT = 'party_role';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER membership_role BEFORE UPDATE OF roles ON memberships
    FOR EACH ROW EXECUTE FUNCTION membership_role_check();

-- A workspace keeps an administrator: the last one cannot give the role up.
-- +goose StatementBegin
CREATE FUNCTION membership_admin_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF 'admin' = ANY (OLD.roles) AND NOT 'admin' = ANY (NEW.roles) AND NOT EXISTS (
        SELECT 1 FROM memberships WHERE tenant_id = OLD.tenant_id AND user_id <> OLD.user_id AND 'admin' = ANY (roles)) THEN
        RAISE EXCEPTION 'a workspace keeps at least one administrator'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'admin_kept';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER membership_admin_kept BEFORE UPDATE OF roles ON memberships
    FOR EACH ROW EXECUTE FUNCTION membership_admin_kept();

-- The library: a new workspace starts with classic references that it may
-- edit; removing one archives it, so that the sessions that used it keep it.
-- The coaches and the administrators keep it (a firm's administrator curates
-- the references its coaches share).
ALTER TABLE library_items ADD COLUMN archived_at timestamptz;
DROP POLICY rule_insert ON library_items;
DROP POLICY rule_update ON library_items;
DROP POLICY rule_delete ON library_items;
CREATE POLICY rule_insert ON library_items AS RESTRICTIVE FOR INSERT TO triade_app
    WITH CHECK (app_has_role('coach') OR app_has_role('admin'));
CREATE POLICY rule_update ON library_items AS RESTRICTIVE FOR UPDATE TO triade_app
    USING (app_has_role('coach') OR app_has_role('admin') OR app_erasing())
    WITH CHECK (app_has_role('coach') OR app_has_role('admin') OR app_erasing());
CREATE POLICY rule_delete ON library_items AS RESTRICTIVE FOR DELETE TO triade_app
    USING (app_has_role('coach') OR app_has_role('admin') OR app_erasing());

-- +goose Down
SELECT 'irreversible: restore from a backup taken before this migration';
