-- +goose Up
-- The dashboards read the person's engagements (my_engagements) and the
-- facts of the open ones (my_duty_facts) in two statements that walked the
-- same rows twice: the person's parts, each engagement, its summary, its
-- contract. One view now gives both: every engagement of the person with
-- what the list shows, and, where has_facts (open, with its contract), what
-- the duties are judged on. Of the unrated sessions only the latest is given
-- (only it is asked, domain.Duties), and the planned sessions are given as
-- they are: which are past is judged by the reader against its clock.
-- Measured (pgbench, prepared, one connection, a coach of ten engagements):
-- the dashboard's two statements 0.68-0.77 ms, this one 0.48-0.52 ms.
--
-- As the views it replaces (migration 00020): it runs with its owner's
-- rights, bound to the workspace by the owner's policies, and starts from the
-- caller's own parts (app_tenant(), app_user(): set by the server, never a
-- column the caller filters on), so nobody reads a row of an engagement they
-- have no part in; a sponsor's figures are narrowed as their policies narrow
-- them (the shared actions and their journal, no evaluation, no rating). A
-- security barrier: a caller's condition runs only on the rows the view
-- gives them. Every engagement has its summary row (kept by the writes'
-- triggers; TestSummariesMatchRebuild), hence the inner join.
-- TestDashboardViewsKeepToTheCallersParts asks it as every member.

CREATE VIEW my_dashboard WITH (security_barrier) AS
SELECT e.id, e.title, coalesce(cu.name, '') AS coachee, e.phase, me.part,
    s.planned_ids, s.planned_numbers, s.planned_at,
    s.meetings_open_at, s.meetings_open_kinds,
    s.held, s.last_held,
    e.phase IN ('cadrage', 'accompagnement', 'bouclage') AND c.engagement_id IS NOT NULL AS has_facts,
    e.coach_willing_at IS NOT NULL AS coach_willing, e.coachee_willing_at IS NOT NULL AS coachee_willing,
    s.framing_at, s.framing_held, s.requests_written, s.requests_validated, e.coherence_ok, s.indicators_per_objective,
    coalesce(c.approach, '') AS approach, c.sessions_planned, c.session_minutes, c.start_date::timestamptz AS start_date, c.end_date::timestamptz AS end_date, coalesce(c.confidentiality, '') AS confidentiality,
    s.synthesis_n, s.synthesis_parts,
    EXISTS (SELECT 1 FROM synthesis_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = s.synthesis_n AND x.user_id = me.user_id) AS my_synthesis,
    s.synthesis_comments, s.open_requests, s.newest_request,
    CASE WHEN me.part = 'coachee' THEN s.unrated_coachee_ids[cardinality(s.unrated_coachee_ids)] WHEN me.part IN ('coach', 'cocoach') THEN s.unrated_coach_ids[cardinality(s.unrated_coach_ids)] END AS unrated_id,
    CASE WHEN me.part = 'coachee' THEN s.unrated_coachee_numbers[cardinality(s.unrated_coachee_numbers)] WHEN me.part IN ('coach', 'cocoach') THEN s.unrated_coach_numbers[cardinality(s.unrated_coach_numbers)] END AS unrated_number,
    CASE WHEN me.part = 'sponsor' THEN s.shared_journal ELSE s.unanswered_journal END AS unanswered_journal,
    CASE WHEN me.part = 'sponsor' THEN s.shared_open_actions ELSE s.open_actions END AS open_actions,
    (CASE WHEN me.part = 'sponsor' THEN s.shared_next_due ELSE s.next_due END)::timestamptz AS next_due,
    s.indicators, CASE WHEN me.part = 'sponsor' THEN 0 ELSE s.assessed_coach END AS assessed_coach,
    CASE WHEN me.part = 'sponsor' THEN 0 ELSE s.assessed_coachee END AS assessed_coachee,
    s.final_at, s.final_held, s.coachee_synthesis,
    EXISTS (SELECT 1 FROM sponsor_feedback sf WHERE sf.tenant_id = e.tenant_id AND sf.engagement_id = e.id AND sf.author_id = me.user_id AND sf.body <> '') AS my_feedback,
    s.report_n, s.report_parts,
    EXISTS (SELECT 1 FROM report_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = s.report_n AND x.user_id = me.user_id) AS my_report
FROM engagement_parties me
JOIN engagements e ON e.tenant_id = me.tenant_id AND e.id = me.engagement_id
JOIN engagement_summaries s ON s.tenant_id = e.tenant_id AND s.engagement_id = e.id
LEFT JOIN engagement_parties cp ON cp.tenant_id = e.tenant_id AND cp.engagement_id = e.id AND cp.part = 'coachee'
LEFT JOIN users cu ON cu.id = cp.user_id
LEFT JOIN contracts c ON c.tenant_id = e.tenant_id AND c.engagement_id = e.id
WHERE me.tenant_id = app_tenant() AND me.user_id = app_user();
-- Read, never written: the default privileges (migration 00001) gave the
-- request role every right on a new view.
REVOKE ALL ON my_dashboard FROM PUBLIC, triade_app;
GRANT SELECT ON my_dashboard TO triade_app;

DROP VIEW my_duty_facts;
DROP VIEW my_engagements;

-- +goose Down
CREATE VIEW my_engagements WITH (security_barrier) AS
SELECT e.id, e.title, coalesce(cu.name, '') AS coachee, e.phase, me.part,
    coalesce(s.planned_at, '{}') AS planned_at, coalesce(s.planned_numbers, '{}') AS planned_numbers,
    coalesce(s.meetings_open_at, '{}') AS meetings_open_at, coalesce(s.meetings_open_kinds, '{}') AS meetings_open_kinds,
    coalesce(s.held, 0) AS held, coalesce(c.sessions_planned, 0) AS sessions_planned
FROM engagement_parties me
JOIN engagements e ON e.tenant_id = me.tenant_id AND e.id = me.engagement_id
LEFT JOIN engagement_summaries s ON s.tenant_id = e.tenant_id AND s.engagement_id = e.id
LEFT JOIN engagement_parties cp ON cp.tenant_id = e.tenant_id AND cp.engagement_id = e.id AND cp.part = 'coachee'
LEFT JOIN users cu ON cu.id = cp.user_id
LEFT JOIN contracts c ON c.tenant_id = e.tenant_id AND c.engagement_id = e.id
WHERE me.tenant_id = app_tenant() AND me.user_id = app_user();

CREATE VIEW my_duty_facts WITH (security_barrier) AS
SELECT e.id, e.title, e.phase, me.part, e.coach_willing_at IS NOT NULL AS coach_willing, e.coachee_willing_at IS NOT NULL AS coachee_willing,
    s.framing_at, s.framing_held, s.requests_written, s.requests_validated, e.coherence_ok, s.indicators_per_objective,
    c.approach, c.sessions_planned, c.session_minutes, c.start_date::timestamptz AS start_date, c.end_date::timestamptz AS end_date, c.confidentiality,
    s.synthesis_n, s.synthesis_parts,
    EXISTS (SELECT 1 FROM synthesis_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = s.synthesis_n AND x.user_id = me.user_id) AS my_synthesis,
    s.synthesis_comments, s.open_requests, s.newest_request,
    s.held, s.last_held, s.planned_ids, s.planned_numbers, s.planned_at,
    CASE WHEN me.part = 'coachee' THEN s.unrated_coachee_ids WHEN me.part IN ('coach', 'cocoach') THEN s.unrated_coach_ids ELSE '{}' END AS unrated_ids,
    CASE WHEN me.part = 'coachee' THEN s.unrated_coachee_numbers WHEN me.part IN ('coach', 'cocoach') THEN s.unrated_coach_numbers ELSE '{}' END AS unrated_numbers,
    CASE WHEN me.part = 'coachee' THEN s.unrated_coachee_at WHEN me.part IN ('coach', 'cocoach') THEN s.unrated_coach_at ELSE '{}' END AS unrated_at,
    CASE WHEN me.part = 'sponsor' THEN s.shared_journal ELSE s.unanswered_journal END AS unanswered_journal,
    CASE WHEN me.part = 'sponsor' THEN s.shared_open_actions ELSE s.open_actions END AS open_actions,
    (CASE WHEN me.part = 'sponsor' THEN s.shared_next_due ELSE s.next_due END)::timestamptz AS next_due,
    s.indicators, CASE WHEN me.part = 'sponsor' THEN 0 ELSE s.assessed_coach END AS assessed_coach,
    CASE WHEN me.part = 'sponsor' THEN 0 ELSE s.assessed_coachee END AS assessed_coachee,
    s.final_at, s.final_held, s.coachee_synthesis,
    EXISTS (SELECT 1 FROM sponsor_feedback sf WHERE sf.tenant_id = e.tenant_id AND sf.engagement_id = e.id AND sf.author_id = me.user_id AND sf.body <> '') AS my_feedback,
    s.report_n, s.report_parts,
    EXISTS (SELECT 1 FROM report_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = s.report_n AND x.user_id = me.user_id) AS my_report
FROM engagement_parties me
JOIN engagements e ON e.tenant_id = me.tenant_id AND e.id = me.engagement_id
JOIN contracts c ON c.tenant_id = e.tenant_id AND c.engagement_id = e.id
JOIN engagement_summaries s ON s.tenant_id = e.tenant_id AND s.engagement_id = e.id
WHERE me.tenant_id = app_tenant() AND me.user_id = app_user() AND e.phase IN ('cadrage', 'accompagnement', 'bouclage');

REVOKE ALL ON my_engagements, my_duty_facts FROM PUBLIC, triade_app;
GRANT SELECT ON my_engagements, my_duty_facts TO triade_app;

REVOKE ALL ON my_engagements, my_duty_facts FROM PUBLIC, triade_app;
GRANT SELECT ON my_engagements, my_duty_facts TO triade_app;
DROP VIEW my_dashboard;
