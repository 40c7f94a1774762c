package pgstore

import "strings"

// schemaSQL creates the store's tables and its rotate function in the
// schema named by the placeholder {schema} (quoted by the caller). Every
// statement can run again: Migrate is idempotent.
const schemaSQL = `
CREATE SCHEMA IF NOT EXISTS {schema};

CREATE TABLE IF NOT EXISTS {schema}.families (
	id         text PRIMARY KEY,
	subject    text NOT NULL,
	scopes     text[],
	claims     bytea,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	last_use   timestamptz NOT NULL,
	revoked    boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS families_subject ON {schema}.families (subject);
CREATE INDEX IF NOT EXISTS families_expires_at ON {schema}.families (expires_at);

CREATE TABLE IF NOT EXISTS {schema}.refresh_tokens (
	id          text PRIMARY KEY,
	family_id   text NOT NULL REFERENCES {schema}.families (id) ON DELETE CASCADE,
	hash        bytea NOT NULL,
	issued_at   timestamptz NOT NULL,
	consumed_at timestamptz
);
CREATE INDEX IF NOT EXISTS refresh_tokens_family_id ON {schema}.refresh_tokens (family_id);
ALTER TABLE {schema}.refresh_tokens ADD COLUMN IF NOT EXISTS consumed_by bytea;
-- shared: the token's successor was handed to a grace retry, so the
-- rotation can no longer be taken back (Abandon).
ALTER TABLE {schema}.refresh_tokens ADD COLUMN IF NOT EXISTS shared boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS families_subject_created ON {schema}.families (subject, created_at);

-- revocations: every family ended before its time (revoked, or a
-- subject's oldest forgotten), kept for an access token's lifetime so
-- that a server subscribing to the feed catches up; each is also sent on
-- the channel {channel}, with an empty notification as a heartbeat.
CREATE TABLE IF NOT EXISTS {schema}.revocations (
	family_id text NOT NULL,
	at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS revocations_at ON {schema}.revocations (at);

CREATE OR REPLACE FUNCTION {schema}.announce_revocation() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.revoked AND NOT OLD.revoked THEN
		INSERT INTO {schema}.revocations (family_id) VALUES (NEW.id);
		PERFORM pg_notify('{channel}', NEW.id);
	ELSIF TG_OP = 'DELETE' AND NOT OLD.revoked AND OLD.expires_at > clock_timestamp() THEN
		INSERT INTO {schema}.revocations (family_id) VALUES (OLD.id);
		PERFORM pg_notify('{channel}', OLD.id);
	END IF;
	RETURN NULL;
END
$fn$;
DROP TRIGGER IF EXISTS families_revoked ON {schema}.families;
CREATE TRIGGER families_revoked AFTER UPDATE OF revoked OR DELETE ON {schema}.families
	FOR EACH ROW EXECUTE FUNCTION {schema}.announce_revocation();

DROP FUNCTION IF EXISTS {schema}.rotate(text, bytea, text, bytea, timestamptz, timestamptz, bigint, bigint);
DROP FUNCTION IF EXISTS {schema}.rotate(text, bytea, text, bytea, timestamptz, timestamptz, bigint, bigint, bytea, timestamptz, int);

-- rotate applies session.Store's Rotate rules in their order, in the one
-- transaction of its statement, at the later of the caller's time and the
-- server's clock (clock_timestamp()): a statement that waited in a paused
-- server is timed when it runs. The family row is locked before the
-- token's consumption is read, so rotations of one family decide one
-- after the other, each seeing what the previous one committed.
-- Durations are in microseconds; an idle of 0 disables the idle timeout;
-- a NULL request matches nothing, a NULL deadline is none, and so are
-- NULL unanswered presentations (the caller's times, shifted by v_now
-- less p_now).
CREATE OR REPLACE FUNCTION {schema}.rotate(
	p_id text, p_hash bytea, p_next_id text, p_next_hash bytea, p_next_issued timestamptz,
	p_now timestamptz, p_grace_us bigint, p_idle_us bigint, p_request bytea, p_deadline timestamptz, p_kept int,
	p_unanswered_first timestamptz, p_unanswered_last timestamptz,
	OUT r_outcome text, OUT r_request bytea, OUT r_family_id text, OUT r_subject text, OUT r_scopes text[], OUT r_claims bytea,
	OUT r_created_at timestamptz, OUT r_expires_at timestamptz)
LANGUAGE plpgsql AS $fn$
DECLARE
	fam {schema}.families%ROWTYPE;
	tok {schema}.refresh_tokens%ROWTYPE;
	v_now timestamptz;
	v_since timestamptz;
	v_latest boolean;
BEGIN
	SELECT f.* INTO fam FROM {schema}.families f
	WHERE f.id = (SELECT t.family_id FROM {schema}.refresh_tokens t WHERE t.id = p_id AND t.hash = p_hash)
	FOR UPDATE;
	IF NOT FOUND THEN
		r_outcome := 'invalid';
		RETURN;
	END IF;
	IF fam.revoked THEN
		r_outcome := 'revoked';
		RETURN;
	END IF;
	v_now := greatest(p_now, clock_timestamp());
	IF v_now >= fam.expires_at
		OR (p_idle_us > 0 AND v_now >= fam.last_use + p_idle_us * interval '1 microsecond') THEN
		r_outcome := 'expired';
		RETURN;
	END IF;
	SELECT t.* INTO tok FROM {schema}.refresh_tokens t WHERE t.id = p_id;
	IF tok.consumed_at IS NOT NULL THEN
		-- The successor is unused while no later consumption is in the family.
		v_latest := NOT EXISTS (SELECT 1 FROM {schema}.refresh_tokens o
			WHERE o.family_id = fam.id AND o.id <> p_id AND o.consumed_at >= tok.consumed_at);
		v_since := tok.consumed_at;
		IF v_latest AND p_unanswered_first IS NOT NULL
			AND p_unanswered_first + (v_now - p_now) < tok.consumed_at + p_grace_us * interval '1 microsecond'
			AND p_unanswered_last + (v_now - p_now) > tok.consumed_at THEN
			v_since := p_unanswered_last + (v_now - p_now);
		END IF;
		IF p_request IS NOT NULL AND tok.consumed_by = p_request THEN
			r_outcome := 'rotated';
		ELSIF p_grace_us > 0 AND v_now < v_since + p_grace_us * interval '1 microsecond' THEN
			r_outcome := 'grace';
			UPDATE {schema}.families SET last_use = greatest(last_use, v_now) WHERE id = fam.id;
			-- While the successor is unused, the window runs from this retry.
			UPDATE {schema}.refresh_tokens SET shared = true,
				consumed_at = CASE WHEN v_latest THEN greatest(consumed_at, v_now) ELSE consumed_at END
			WHERE id = p_id;
		ELSIF p_deadline IS NOT NULL AND clock_timestamp() > p_deadline THEN
			r_outcome := 'late';
			RETURN;
		ELSE
			UPDATE {schema}.families SET revoked = true WHERE id = fam.id;
			r_outcome := 'reuse';
			RETURN;
		END IF;
	ELSIF p_deadline IS NOT NULL AND clock_timestamp() > p_deadline THEN
		r_outcome := 'late';
		RETURN;
	ELSE
		UPDATE {schema}.refresh_tokens SET consumed_at = v_now, consumed_by = p_request WHERE id = p_id;
		INSERT INTO {schema}.refresh_tokens (id, family_id, hash, issued_at)
		VALUES (p_next_id, fam.id, p_next_hash, p_next_issued);
		UPDATE {schema}.families SET last_use = greatest(last_use, v_now) WHERE id = fam.id;
		DELETE FROM {schema}.refresh_tokens WHERE family_id = fam.id AND consumed_at IS NOT NULL AND id NOT IN (
			SELECT t.id FROM {schema}.refresh_tokens t WHERE t.family_id = fam.id AND t.consumed_at IS NOT NULL
			ORDER BY t.consumed_at DESC, t.id LIMIT p_kept);
		r_outcome := 'rotated';
		tok.consumed_by := p_request;
	END IF;
	r_request := tok.consumed_by;
	r_family_id := fam.id;
	r_subject := fam.subject;
	r_scopes := fam.scopes;
	r_claims := fam.claims;
	r_created_at := fam.created_at;
	r_expires_at := fam.expires_at;
END
$fn$;
`

// inSchema replaces the placeholder {schema} in sql with the quoted schema.
func inSchema(sql, quoted string) string {
	return strings.ReplaceAll(sql, "{schema}", quoted)
}
