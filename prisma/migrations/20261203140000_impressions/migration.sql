-- What was shown (impressions) and which interactions it led to
-- (attributions). An impression is one answer of a recommendation surface,
-- one row with its items in arrays (position k: item_ids[k], ranks[k],
-- scores[k]; a page's rails[k]): a row and three index entries per answer,
-- not one per item, since every answer is written and few are acted on.
-- The serving process writes them in batches from an in-memory buffer
-- (src/serving/impressionLog.ts).
CREATE TABLE "impressions" (
    "id" UUID NOT NULL,
    -- NULL: an anonymous session, similar items, or a user not yet known.
    "user_id" INTEGER,
    -- The root field that answered: recommendations, upNext, page, similarItems.
    "surface" TEXT NOT NULL,
    -- The strategy asked for (recommendations, upNext) or the similarity method's (similarItems).
    "strategy" TEXT,
    -- The served model that ranked the top of the list, "name@version".
    "model" TEXT,
    -- For online experiments; not set yet.
    "experiment" TEXT,
    "arm" TEXT,
    "shown_at" TIMESTAMPTZ(3) NOT NULL,
    -- Database ids of the items shown, in order (no foreign key: an item
    -- deleted later stays named here, and is left out of exports).
    "item_ids" INTEGER[] NOT NULL,
    -- Each item's 1-based position in its list (a page: in its rail).
    "ranks" INTEGER[] NOT NULL,
    "scores" REAL[] NOT NULL,
    -- A page's rail of each item, 0-based; empty for a plain list.
    "rails" INTEGER[] NOT NULL DEFAULT '{}',
    -- Probability of showing each item under the serving policy; empty
    -- until a policy that explores records it.
    "propensities" REAL[] NOT NULL DEFAULT '{}',

    CONSTRAINT "impressions_pkey" PRIMARY KEY ("id")
);

-- Attribution ("the user's latest answer showing item I within the window")
-- walks the user's answers in the window, newest first. The only index
-- besides the key: every index is written for every answer, and metrics
-- read the hourly rollups, not this table. Ids are UUIDv7 (time first), so
-- the key's index grows at its right edge instead of at random pages.
CREATE INDEX "impressions_user_id_shown_at_idx" ON "impressions"("user_id", "shown_at" DESC);

ALTER TABLE "impressions" ADD CONSTRAINT "impressions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Which impression an interaction came from: named by the client
-- (InteractionInput.impressionId) or inferred (the user's latest impression
-- showing the item within MARQUEE_ATTRIBUTION_WINDOW).
CREATE TABLE "interaction_attributions" (
    "interaction_id" BIGINT NOT NULL,
    "impression_id" UUID NOT NULL,
    -- Where the client says the item was shown (InteractionInput.position).
    "position" INTEGER,
    -- The item's rank in the impression; NULL when the impression did not show it.
    "rank" INTEGER,
    "inferred" BOOLEAN NOT NULL,
    "attributed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "interaction_attributions_pkey" PRIMARY KEY ("interaction_id")
);

CREATE INDEX "interaction_attributions_impression_id_idx" ON "interaction_attributions"("impression_id");

ALTER TABLE "interaction_attributions" ADD CONSTRAINT "interaction_attributions_interaction_id_fkey" FOREIGN KEY ("interaction_id") REFERENCES "interactions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "interaction_attributions" ADD CONSTRAINT "interaction_attributions_impression_id_fkey" FOREIGN KEY ("impression_id") REFERENCES "impressions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
