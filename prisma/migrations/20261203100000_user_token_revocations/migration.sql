-- deleteUser revokes the user's outstanding user tokens: a token whose
-- subject was deleted after it was issued is refused, so an old token cannot
-- act for (or re-create) a deleted user. The subject is stored as an HMAC of
-- the external id under the token secret, not the id itself, and a row is
-- kept only as long as a token issued before it can live
-- (MARQUEE_MAX_USER_TOKEN_SECONDS); older rows are pruned.
CREATE TABLE "user_token_revocations" (
    "subject_hash" BYTEA NOT NULL,
    "revoked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_token_revocations_pkey" PRIMARY KEY ("subject_hash")
);

CREATE INDEX "user_token_revocations_revoked_at_idx" ON "user_token_revocations"("revoked_at");
