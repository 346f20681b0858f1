-- Hourly rollups of what was shown and what it led to, by surface, strategy,
-- model and arm ('' where the impression has none), so online metrics over a
-- time range read a few rows per hour instead of every impression. The
-- batch that writes impressions adds to them in the same statement, and so
-- does the statement that attributes interactions (counted once, under the
-- impression an interaction was first attributed to). They are aggregates
-- over all users, like popularity: deleteUser leaves them.
CREATE TABLE "impression_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "surface" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "impressions" BIGINT NOT NULL,

    CONSTRAINT "impression_hourly_pkey" PRIMARY KEY ("hour", "surface", "strategy", "model", "arm")
);

-- Per rank of the item in its impression (0: attributed, but the impression
-- did not show the item): how often a rank was shown, and the attributed
-- interactions of each type there.
CREATE TABLE "impression_rank_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "surface" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "rank" INTEGER NOT NULL,
    "shown" BIGINT NOT NULL DEFAULT 0,
    "rating" BIGINT NOT NULL DEFAULT 0,
    "view" BIGINT NOT NULL DEFAULT 0,
    "play" BIGINT NOT NULL DEFAULT 0,
    "like" BIGINT NOT NULL DEFAULT 0,
    "dislike" BIGINT NOT NULL DEFAULT 0,
    "purchase" BIGINT NOT NULL DEFAULT 0,
    "skip" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "impression_rank_hourly_pkey" PRIMARY KEY ("hour", "surface", "strategy", "model", "arm", "rank")
);
