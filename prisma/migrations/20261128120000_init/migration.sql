-- CreateEnum
CREATE TYPE "ItemKind" AS ENUM ('MOVIE', 'SHOW', 'MUSIC', 'GAME', 'BOOK', 'PODCAST', 'OTHER');

-- CreateEnum
CREATE TYPE "InteractionType" AS ENUM ('RATING', 'VIEW', 'PLAY', 'LIKE', 'DISLIKE', 'PURCHASE', 'SKIP');

-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "items" (
    "id" SERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "kind" "ItemKind" NOT NULL,
    "title" TEXT NOT NULL,
    "release_year" INTEGER,
    "description" TEXT,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "features" (
    "id" SERIAL NOT NULL,
    "facet" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "features_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "item_features" (
    "item_id" INTEGER NOT NULL,
    "feature_id" INTEGER NOT NULL,
    "weight" REAL NOT NULL DEFAULT 1,

    CONSTRAINT "item_features_pkey" PRIMARY KEY ("item_id","feature_id")
);

-- CreateTable
CREATE TABLE "interactions" (
    "id" BIGSERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "item_id" INTEGER NOT NULL,
    "type" "InteractionType" NOT NULL,
    "value" REAL NOT NULL DEFAULT 1,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "interactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_versions" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'TRAINED',
    "is_active" BOOLEAN NOT NULL DEFAULT false,
    "params" JSONB NOT NULL DEFAULT '{}',
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "data_stats" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activated_at" TIMESTAMPTZ(3),

    CONSTRAINT "model_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_artifacts" (
    "model_version_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "model_artifacts_pkey" PRIMARY KEY ("model_version_id","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_external_id_key" ON "users"("external_id");

-- CreateIndex
CREATE UNIQUE INDEX "items_external_id_key" ON "items"("external_id");

-- CreateIndex
CREATE INDEX "items_kind_id_idx" ON "items"("kind", "id");

-- CreateIndex
CREATE UNIQUE INDEX "features_facet_value_key" ON "features"("facet", "value");

-- CreateIndex
CREATE INDEX "item_features_feature_id_item_id_idx" ON "item_features"("feature_id", "item_id");

-- CreateIndex
CREATE UNIQUE INDEX "interactions_natural_key" ON "interactions"("user_id", "item_id", "type", "occurred_at");

-- CreateIndex
CREATE INDEX "interactions_user_time_idx" ON "interactions"("user_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "interactions_item_idx" ON "interactions"("item_id");

-- CreateIndex
CREATE INDEX "interactions_time_idx" ON "interactions"("occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "model_versions_name_version_key" ON "model_versions"("name", "version");

-- AddForeignKey
ALTER TABLE "item_features" ADD CONSTRAINT "item_features_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "item_features" ADD CONSTRAINT "item_features_feature_id_fkey" FOREIGN KEY ("feature_id") REFERENCES "features"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_artifacts" ADD CONSTRAINT "model_artifacts_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
