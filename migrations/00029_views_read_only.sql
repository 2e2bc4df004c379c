-- +goose Up
-- The request role reads views, never writes them. A view created by a
-- migration receives the default privileges of migration 00001 (SELECT,
-- INSERT, UPDATE, DELETE for the request role); engagement_people (00024)
-- kept them. Writing through it failed anyway (a view of joins is not
-- updatable), but a right nobody should use is a right to take away.
-- TestViewsAreReadOnlyForTheRequestRole holds it for every view.
REVOKE ALL ON engagement_people FROM triade_app;
GRANT SELECT ON engagement_people TO triade_app;

-- +goose Down
GRANT INSERT, UPDATE, DELETE ON engagement_people TO triade_app;
