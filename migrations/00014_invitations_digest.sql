-- +goose Up
-- The weekly digest of a person's open duties: asked for, off until then.
ALTER TABLE users ADD COLUMN weekly_digest boolean NOT NULL DEFAULT false;

-- Meetings and sessions reach calendars as e-mailed invitations (RFC 5546).
-- invited: what the last invitation showed (null: none sent);
-- invite_sequence: its SEQUENCE; invite_due: something it shows may have
-- changed (a new row, a new date, length, status or attendee, the engagement
-- ended), for the invitation job to look at.
ALTER TABLE meetings ADD COLUMN invited jsonb, ADD COLUMN invite_sequence integer NOT NULL DEFAULT 0,
    ADD COLUMN invite_due boolean NOT NULL DEFAULT true;
ALTER TABLE coaching_sessions ADD COLUMN invited jsonb, ADD COLUMN invite_sequence integer NOT NULL DEFAULT 0,
    ADD COLUMN invite_due boolean NOT NULL DEFAULT true;
CREATE INDEX meetings_invite_due_idx ON meetings (tenant_id, engagement_id) WHERE invite_due;
CREATE INDEX coaching_sessions_invite_due_idx ON coaching_sessions (tenant_id, engagement_id) WHERE invite_due;

-- +goose StatementBegin
CREATE FUNCTION app_invite_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.invite_due := true;
    RETURN NEW;
END $$;

CREATE FUNCTION app_attendees_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r meeting_attendees;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    UPDATE meetings SET invite_due = true WHERE tenant_id = r.tenant_id AND id = r.meeting_id AND NOT invite_due;
    RETURN NULL;
END $$;

-- An engagement that ends (closed or interrupted) takes its meetings out of
-- the calendars.
CREATE FUNCTION app_engagement_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.phase IN ('clos', 'interrompu') AND OLD.phase IS DISTINCT FROM NEW.phase THEN
        UPDATE meetings SET invite_due = true WHERE tenant_id = NEW.tenant_id AND engagement_id = NEW.id AND invited IS NOT NULL;
        UPDATE coaching_sessions SET invite_due = true WHERE tenant_id = NEW.tenant_id AND engagement_id = NEW.id AND invited IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER coaching_sessions_invite_due BEFORE UPDATE OF scheduled_at, minutes, status ON coaching_sessions
    FOR EACH ROW EXECUTE FUNCTION app_invite_due();
CREATE TRIGGER meetings_invite_due BEFORE UPDATE OF scheduled_at ON meetings
    FOR EACH ROW EXECUTE FUNCTION app_invite_due();
CREATE TRIGGER meeting_attendees_invite_due AFTER INSERT OR DELETE ON meeting_attendees
    FOR EACH ROW EXECUTE FUNCTION app_attendees_changed();
CREATE TRIGGER engagements_ended_invite_due AFTER UPDATE OF phase ON engagements
    FOR EACH ROW EXECUTE FUNCTION app_engagement_ended();

-- +goose Down
DROP TRIGGER engagements_ended_invite_due ON engagements;
DROP TRIGGER meeting_attendees_invite_due ON meeting_attendees;
DROP TRIGGER meetings_invite_due ON meetings;
DROP TRIGGER coaching_sessions_invite_due ON coaching_sessions;
DROP FUNCTION app_engagement_ended(), app_attendees_changed(), app_invite_due();
ALTER TABLE coaching_sessions DROP COLUMN invited, DROP COLUMN invite_sequence, DROP COLUMN invite_due;
ALTER TABLE meetings DROP COLUMN invited, DROP COLUMN invite_sequence, DROP COLUMN invite_due;
ALTER TABLE users DROP COLUMN weekly_digest;
