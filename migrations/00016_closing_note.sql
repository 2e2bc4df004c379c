-- +goose Up
-- Why an engagement closes short of its contract (sessions not held, actions
-- still open): the coach writes it before the closing; the coach and the
-- coachee read it. The company and the workspace's administration do not:
-- it speaks of the coaching itself.
CREATE TABLE closing_notes (
    tenant_id     uuid NOT NULL,
    engagement_id uuid NOT NULL,
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, engagement_id),
    FOREIGN KEY (tenant_id, engagement_id) REFERENCES engagements (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE closing_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE closing_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON closing_notes USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE POLICY rule_select ON closing_notes AS RESTRICTIVE FOR SELECT TO triade_app
    USING (engagement_id IN (SELECT app_engagements('{coach,cocoach,coachee}')) OR app_erasing());
CREATE POLICY rule_insert ON closing_notes AS RESTRICTIVE FOR INSERT TO triade_app
    WITH CHECK (engagement_id IN (SELECT app_engagements('{coach,cocoach}')));
CREATE POLICY rule_update ON closing_notes AS RESTRICTIVE FOR UPDATE TO triade_app
    USING (engagement_id IN (SELECT app_engagements('{coach,cocoach}')) OR app_erasing())
    WITH CHECK (engagement_id IN (SELECT app_engagements('{coach,cocoach}')) OR app_erasing());
CREATE POLICY rule_delete ON closing_notes AS RESTRICTIVE FOR DELETE TO triade_app USING (app_erasing());

-- +goose Down
DROP TABLE closing_notes;
