-- +goose Up
-- Documents HR can file: the workspace's letterhead, and the fingerprint of
-- each frozen version, printed under the validations as the evidence of a
-- simple electronic signature by the three parties.

-- The letterhead: the workspace's postal address and an optional logo (PNG or
-- JPEG, checked by the application, at most 256 kB here too).
CREATE TABLE workspace_letterheads (
    tenant_id  uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    address    text NOT NULL DEFAULT '' CHECK (length(address) <= 500),
    logo       bytea CHECK (octet_length(logo) <= 262144),
    logo_type  text NOT NULL DEFAULT '' CHECK (logo_type IN ('', 'image/png', 'image/jpeg')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((logo IS NULL) = (logo_type = ''))
);
ALTER TABLE workspace_letterheads ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspace_letterheads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON workspace_letterheads USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE POLICY rule_insert ON workspace_letterheads AS RESTRICTIVE FOR INSERT TO triade_app WITH CHECK (app_has_role('admin'));
CREATE POLICY rule_update ON workspace_letterheads AS RESTRICTIVE FOR UPDATE TO triade_app USING (app_has_role('admin')) WITH CHECK (app_has_role('admin'));
CREATE POLICY rule_delete ON workspace_letterheads AS RESTRICTIVE FOR DELETE TO triade_app USING (app_has_role('admin'));

-- The SHA-256 of a frozen version, taken by the database when the version is
-- written, over the canonical text of its content (jsonb's own rendering, so
-- anyone holding the content can recompute it). The coachee's self-assessment
-- of a report version is frozen in its own row, with its own fingerprint.
-- +goose StatementBegin
CREATE FUNCTION fingerprint_content() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.sha256 := sha256(convert_to(NEW.content::text, 'UTF8'));
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
ALTER TABLE synthesis_versions ADD COLUMN sha256 bytea;
ALTER TABLE report_versions ADD COLUMN sha256 bytea;
ALTER TABLE report_self_assessments ADD COLUMN sha256 bytea;
ALTER TABLE synthesis_versions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE report_versions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE report_self_assessments NO FORCE ROW LEVEL SECURITY;
UPDATE synthesis_versions SET sha256 = sha256(convert_to(content::text, 'UTF8'));
UPDATE report_versions SET sha256 = sha256(convert_to(content::text, 'UTF8'));
UPDATE report_self_assessments SET sha256 = sha256(convert_to(content::text, 'UTF8'));
ALTER TABLE synthesis_versions FORCE ROW LEVEL SECURITY;
ALTER TABLE report_versions FORCE ROW LEVEL SECURITY;
ALTER TABLE report_self_assessments FORCE ROW LEVEL SECURITY;
ALTER TABLE synthesis_versions ALTER COLUMN sha256 SET NOT NULL;
ALTER TABLE report_versions ALTER COLUMN sha256 SET NOT NULL;
ALTER TABLE report_self_assessments ALTER COLUMN sha256 SET NOT NULL;
CREATE TRIGGER fingerprint BEFORE INSERT ON synthesis_versions FOR EACH ROW EXECUTE FUNCTION fingerprint_content();
CREATE TRIGGER fingerprint BEFORE INSERT ON report_versions FOR EACH ROW EXECUTE FUNCTION fingerprint_content();
CREATE TRIGGER fingerprint BEFORE INSERT ON report_self_assessments FOR EACH ROW EXECUTE FUNCTION fingerprint_content();

-- +goose Down
DROP TRIGGER fingerprint ON report_self_assessments;
DROP TRIGGER fingerprint ON report_versions;
DROP TRIGGER fingerprint ON synthesis_versions;
ALTER TABLE report_self_assessments DROP COLUMN sha256;
ALTER TABLE report_versions DROP COLUMN sha256;
ALTER TABLE synthesis_versions DROP COLUMN sha256;
DROP FUNCTION fingerprint_content();
DROP TABLE workspace_letterheads;
