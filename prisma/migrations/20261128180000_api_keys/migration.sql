-- API keys and the secret that signs user tokens.
-- A key is "mq_<id>_<secret>"; only sha256(secret) is stored (the secret is
-- 32 random bytes, so a fast hash is enough: nothing to brute-force). The id
-- is public and lets a request find its row with one indexed lookup.
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "secret_hash" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "api_keys_role_check" CHECK ("role" IN ('admin', 'service', 'client'))
);

-- Shared by every replica so a user token issued by one verifies on all
-- (unless MARQUEE_TOKEN_SECRET is set, which then wins).
CREATE TABLE "auth_secrets" (
    "name" TEXT NOT NULL,
    "secret" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auth_secrets_pkey" PRIMARY KEY ("name")
);

-- Bumped when a stored version is rewritten in place (deleteUser removing a
-- user's trace), so every replica's watcher reloads it.
ALTER TABLE "model_versions" ADD COLUMN "revision" INTEGER NOT NULL DEFAULT 0;
