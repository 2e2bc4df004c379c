-- +goose Up
-- How each person chooses to be named where the French words for the parts
-- agree with the person: f (coachée), m (coaché) or x (epicene: la personne
-- coachée). Epicene until the person chooses.
ALTER TABLE users ADD COLUMN address_form text NOT NULL DEFAULT 'x' CHECK (address_form IN ('f', 'm', 'x'));

-- +goose Down
ALTER TABLE users DROP COLUMN address_form;
