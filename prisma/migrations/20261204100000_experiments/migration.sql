-- Online experiments (A/B tests) of recommendation surfaces. A user's arm
-- is not stored: it is computed from sha256(experiment id, user id) on every
-- request (src/services/experimentAssignment.ts), so there is no write per
-- user and nothing per user to delete. Per-arm figures come from the
-- impression rollups, whose `arm` is "<experiment name>/<arm name>".
CREATE TABLE "experiments" (
    "id" SERIAL NOT NULL,
    -- Unique, without '/': it prefixes the rollups' arm label.
    "name" TEXT NOT NULL,
    -- The surface whose requests it routes: recommendations or upNext.
    "surface" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    -- CLICK_THROUGH (CTR@k) or CONVERSION (purchases per answer).
    "metric" TEXT NOT NULL,
    "k" INTEGER NOT NULL DEFAULT 10,
    -- The test's false positive rate (split over the treatments).
    "alpha" DOUBLE PRECISION NOT NULL DEFAULT 0.05,
    -- The mSPRT's mixing standard deviation, on the difference of the metric.
    "tau" DOUBLE PRECISION NOT NULL DEFAULT 0.05,
    -- {maxErrorRate, maxLatencyP99Ms, minRequests}; each may be absent.
    "guardrails" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "stopped_at" TIMESTAMPTZ(3),
    "stop_reason" TEXT,
    -- The sticky decision: set once, the first time the evidence held.
    "winner_arm" TEXT,
    "decided_at" TIMESTAMPTZ(3),

    CONSTRAINT "experiments_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "experiments_status_check" CHECK ("status" IN ('DRAFT', 'RUNNING', 'STOPPED')),
    CONSTRAINT "experiments_metric_check" CHECK ("metric" IN ('CLICK_THROUGH', 'CONVERSION')),
    CONSTRAINT "experiments_name_check" CHECK (position('/' in "name") = 0)
);

CREATE UNIQUE INDEX "experiments_name_key" ON "experiments"("name");
-- Two running experiments on one surface would split the same requests
-- twice: startExperiment checks first, and this settles a race of two starts.
CREATE UNIQUE INDEX "experiments_one_running_per_surface" ON "experiments"("surface") WHERE "status" = 'RUNNING';

CREATE TABLE "experiment_arms" (
    "experiment_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    -- 0 is the control: every other arm is compared with it.
    "position" INTEGER NOT NULL,
    -- Exactly one: a Strategy, or a model version "name@version".
    "strategy" TEXT,
    "model" TEXT,
    "weight" DOUBLE PRECISION NOT NULL,
    -- The running minimum of the always-valid p-value against the control.
    "min_p_value" DOUBLE PRECISION,
    -- A guardrail stop: its users are served as the control from then on.
    "stopped_at" TIMESTAMPTZ(3),
    "stop_reason" TEXT,

    CONSTRAINT "experiment_arms_pkey" PRIMARY KEY ("experiment_id", "name"),
    CONSTRAINT "experiment_arms_one_target" CHECK (("strategy" IS NULL) <> ("model" IS NULL))
);

CREATE UNIQUE INDEX "experiment_arms_position_key" ON "experiment_arms"("experiment_id", "position");

ALTER TABLE "experiment_arms" ADD CONSTRAINT "experiment_arms_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("id") ON DELETE CASCADE ON UPDATE CASCADE;
