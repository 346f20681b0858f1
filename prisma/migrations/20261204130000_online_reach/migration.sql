-- Rollups for the reach of what was served (onlineMetrics' users,
-- itemsDistinct, coverage and novelty), kept by the same statement that
-- writes a batch of impressions, like impression_hourly. Both are keyed by
-- hour and the same groups (surface, strategy, model, arm; '' for none).

-- Which items each group showed in an hour, and how often: distinct items
-- over a range (coverage) and the shown items' self-information (novelty).
-- At most one row per item of the catalog per hour and group.
CREATE TABLE "impression_item_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "surface" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    -- Database id of the item (no foreign key: a deleted item stays counted where it was shown).
    "item_id" INTEGER NOT NULL,
    "shown" BIGINT NOT NULL,

    CONSTRAINT "impression_item_hourly_pkey" PRIMARY KEY ("hour", "surface", "strategy", "model", "arm", "item_id")
);

-- The users shown to, as a HyperLogLog sketch (Flajolet et al. 2007) of
-- 4096 registers per hour and group, stored sparse: a row per register that
-- is set, holding its largest rank (leading zeros of the user's hash + 1).
-- Registers of several hours merge by max, so distinct users over any range
-- read at most 4096 rows per hour and group, however many users there are,
-- at a standard error of 1.04 / sqrt(4096) = 1.6%. The register and rank
-- come from a hash of the user's database id (src/engine/sketch/hyperLogLog.ts):
-- no user can be read back from them, so deleteUser leaves them.
CREATE TABLE "impression_user_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "surface" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "register" SMALLINT NOT NULL,
    "rho" SMALLINT NOT NULL,

    CONSTRAINT "impression_user_hourly_pkey" PRIMARY KEY ("hour", "surface", "strategy", "model", "arm", "register")
);
