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

-- rotate applies session.Store's Rotate rules in their order, in the one
-- transaction of its statement. The family row is locked before the
-- token's consumption is read, so rotations of one family decide one
-- after the other, each seeing what the previous one committed.
-- Durations are in microseconds; an idle of 0 disables the idle timeout.
CREATE OR REPLACE FUNCTION {schema}.rotate(
	p_id text, p_hash bytea, p_next_id text, p_next_hash bytea, p_next_issued timestamptz,
	p_now timestamptz, p_grace_us bigint, p_idle_us bigint,
	OUT r_outcome text, OUT r_family_id text, OUT r_subject text, OUT r_scopes text[], OUT r_claims bytea,
	OUT r_created_at timestamptz, OUT r_expires_at timestamptz)
LANGUAGE plpgsql AS $fn$
DECLARE
	fam {schema}.families%ROWTYPE;
	consumed timestamptz;
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
	IF p_now >= fam.expires_at
		OR (p_idle_us > 0 AND p_now >= fam.last_use + p_idle_us * interval '1 microsecond') THEN
		r_outcome := 'expired';
		RETURN;
	END IF;
	SELECT t.consumed_at INTO consumed FROM {schema}.refresh_tokens t WHERE t.id = p_id;
	IF consumed IS NULL THEN
		UPDATE {schema}.refresh_tokens SET consumed_at = p_now WHERE id = p_id;
		r_outcome := 'rotated';
	ELSIF p_grace_us > 0 AND p_now < consumed + p_grace_us * interval '1 microsecond' THEN
		r_outcome := 'grace';
	ELSE
		UPDATE {schema}.families SET revoked = true WHERE id = fam.id;
		r_outcome := 'reuse';
		RETURN;
	END IF;
	INSERT INTO {schema}.refresh_tokens (id, family_id, hash, issued_at)
	VALUES (p_next_id, fam.id, p_next_hash, p_next_issued);
	UPDATE {schema}.families SET last_use = p_now WHERE id = fam.id;
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
