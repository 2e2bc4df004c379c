-- +goose Up
-- Holes a review found under the request role, closed where they are.
--
-- 1. The engagement summaries are read through the views of the person's own
-- parts (00020), which narrow a sponsor's figures; the table itself let every
-- party and the admin read every column, so a sponsor (or an admin with no
-- part) learnt the counts of unshared actions and of journal entries, the
-- sessions not rated and the evaluations given. Nothing of the request role
-- reads it now: no right at all.
REVOKE ALL ON engagement_summaries FROM triade_app;

-- 2. The views are read, never written (the schema's default privileges had
-- given the request role every right on them; a view of joins refuses writes
-- anyway).
REVOKE ALL ON my_engagements, my_duty_facts FROM triade_app;
GRANT SELECT ON my_engagements, my_duty_facts TO triade_app;

-- 3. Temporary tables: the session's temporary schema is searched first for
-- table names, so a temporary "memberships" made by the request role stood in
-- for the real one inside the policies' helper functions and the triggers
-- (app_has_role('admin') answered yes). The right to create them is taken at
-- every start (store.RestrictDatabase: a right on the database, which a copy
-- does not inherit); here, the owner-rights functions search the temporary
-- schema last as well.
-- +goose StatementBegin
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = public, pg_temp', f);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = public', f);
    END LOOP;
END $$;
-- +goose StatementEnd
GRANT SELECT ON engagement_summaries TO triade_app;
