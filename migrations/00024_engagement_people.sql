-- +goose Up
-- The people of an engagement, as every engagement page shows them in its
-- header (names, forms of address, parts), read in one view. Under the
-- request role, the same join checked each row three times over: the
-- parties' rule (the caller's engagements, listed by a function per
-- statement), then for every person a workspace-membership lookup for the
-- users' rule, a lookup the join with memberships below makes anyway. It
-- was the costliest statement of every engagement page (0.27-0.29 ms).
--
-- The view runs with its owner's rights, bound to the workspace by the
-- owner's tenant policies, and keeps exactly the rows the policies give the
-- request role for reading: a party is listed to the parties of the same
-- engagement, to themselves and to the workspace's admins (engagement_parties'
-- rule_select; its opening during an erasure is not needed here and not
-- given); a person's account is read only through their membership of the
-- caller's workspace (users' app_sees_user).
-- Security barrier: a caller's condition runs only on the rows it gives
-- them. TestEngagementPeopleAsThePolicies compares it with the join under
-- row-level security, for every member, workspace and engagement.
CREATE VIEW engagement_people WITH (security_barrier) AS
SELECT p.engagement_id, p.user_id,
    CASE WHEN m.joined_at IS NULL THEN m.invited_name ELSE u.name END AS name,
    u.email, coalesce(u.locale, '') AS locale, p.part, p.sponsor_kind, u.address_form
FROM engagement_parties p
JOIN memberships m ON m.tenant_id = p.tenant_id AND m.user_id = p.user_id
JOIN users u ON u.id = p.user_id
WHERE p.tenant_id = app_tenant()
    AND (p.user_id = app_user()
        OR EXISTS (SELECT 1 FROM engagement_parties me
            WHERE me.tenant_id = p.tenant_id AND me.engagement_id = p.engagement_id AND me.user_id = app_user())
        OR app_has_role('admin'));

REVOKE ALL ON engagement_people FROM PUBLIC;
GRANT SELECT ON engagement_people TO triade_app;

-- +goose Down
DROP VIEW engagement_people;
