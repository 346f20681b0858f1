-- Background jobs (training runs), claimed by any replica or a separate
-- worker process with SELECT ... FOR UPDATE SKIP LOCKED. status is TEXT with
-- a CHECK rather than an enum type so the queue needs nothing beyond plain
-- PostgreSQL (and PGlite); progress is a fraction 0..1.

-- CreateTable
CREATE TABLE "jobs" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "progress" REAL NOT NULL DEFAULT 0,
    "result" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "locked_by" TEXT,
    "heartbeat_at" TIMESTAMPTZ(3),

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "jobs_status_check" CHECK ("status" IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    CONSTRAINT "jobs_progress_check" CHECK ("progress" >= 0 AND "progress" <= 1)
);

-- CreateIndex
CREATE INDEX "jobs_status_id_idx" ON "jobs"("status", "id");
