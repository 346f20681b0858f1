-- A model array larger than one part (64 MiB) is stored across several
-- rows, parts 0, 1, ... in order: PostgreSQL refuses a single bytea value
-- over 1 GB, and one row per part keeps every message well under it.
ALTER TABLE "model_artifacts" ADD COLUMN "part" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "model_artifacts" DROP CONSTRAINT "model_artifacts_pkey";
ALTER TABLE "model_artifacts" ADD CONSTRAINT "model_artifacts_pkey" PRIMARY KEY ("model_version_id", "key", "part");
