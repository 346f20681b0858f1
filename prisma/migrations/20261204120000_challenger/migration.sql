-- The challenger gate's decision on a version trained as a challenger (all
-- NULL for the others): PROMOTED (activated) or REFUSED (left inactive), why,
-- the figures compared and the champion they were compared with.
ALTER TABLE "model_versions"
    ADD COLUMN "challenge_outcome" TEXT,
    ADD COLUMN "challenge_reason" TEXT,
    ADD COLUMN "challenge_metric" TEXT,
    ADD COLUMN "challenge_value" DOUBLE PRECISION,
    ADD COLUMN "challenge_champion_value" DOUBLE PRECISION,
    ADD COLUMN "challenge_margin" DOUBLE PRECISION,
    ADD COLUMN "challenge_champion_version" INTEGER,
    ADD COLUMN "challenge_off_policy" JSONB,
    ADD COLUMN "challenge_decided_at" TIMESTAMPTZ(3),
    ADD CONSTRAINT "model_versions_challenge_outcome_check" CHECK ("challenge_outcome" IN ('PROMOTED', 'REFUSED'));

-- One row per scheduled retraining round. Round 0 is the start of the
-- schedule (it queues nothing); round n+1 is claimed by inserting it, so of
-- two workers that find a round due at once, the primary key lets one in.
CREATE TABLE "retrain_rounds" (
    "round" INTEGER NOT NULL PRIMARY KEY,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    -- The highest interaction id when the round started: later ones are "new".
    "last_interaction_id" BIGINT NOT NULL,
    "trigger" TEXT NOT NULL,
    "job_ids" INTEGER[] NOT NULL DEFAULT '{}',
    "claimed_by" TEXT NOT NULL
);
