-- Exploration per surface (setExploration): with probability `rate` the
-- first page of an answer is a uniformly random ordered sample from the top
-- `pool_size` items of the normal ranking (src/engine/exploration/
-- epsilonExploration.ts). A surface without a row does not explore. Every
-- serving process keeps these rows in memory (serving/explorationSettings.ts)
-- and reads them again on its active-version watch tick.
CREATE TABLE "exploration_settings" (
    "surface" TEXT NOT NULL,
    "rate" DOUBLE PRECISION NOT NULL,
    "pool_size" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exploration_settings_pkey" PRIMARY KEY ("surface"),
    CONSTRAINT "exploration_settings_rate_check" CHECK ("rate" >= 0 AND "rate" <= 1),
    CONSTRAINT "exploration_settings_pool_size_check" CHECK ("pool_size" >= 1)
);

-- The pool an exploring answer sampled from (database item ids, best
-- first; empty when the answer did not explore). With the propensities it
-- tells an off-policy estimate which items the logging policy could have
-- shown at all (its support), not only the probabilities of those it did.
ALTER TABLE "impressions" ADD COLUMN "pool_item_ids" INTEGER[] NOT NULL DEFAULT '{}';
