-- What was shown (impressions) and which interactions it led to
-- (attributions). An impression is one answer of a recommendation surface;
-- its items carry their rank and score. The serving process writes them in
-- batches from an in-memory buffer (src/serving/impressionLog.ts).
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

    CONSTRAINT "impressions_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "impressions_user_id_shown_at_idx" ON "impressions"("user_id", "shown_at" DESC);
CREATE INDEX "impressions_shown_at_idx" ON "impressions"("shown_at");

ALTER TABLE "impressions" ADD CONSTRAINT "impressions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One row per item shown. user_id and shown_at repeat the impression's, so
-- "the most recent impression of user U that showed item I" is one index
-- probe on (user_id, item_id, shown_at DESC) instead of a walk over all of
-- U's impressions.
CREATE TABLE "impression_items" (
    "impression_id" UUID NOT NULL,
    "item_id" INTEGER NOT NULL,
    -- 1-based position in its list (a page: in its rail).
    "rank" INTEGER NOT NULL,
    -- A page's rail, 0-based; NULL for a plain list.
    "rail" SMALLINT,
    "score" REAL NOT NULL,
    -- Probability of showing the item under the serving policy; NULL until
    -- a policy that explores records it.
    "propensity" REAL,
    "user_id" INTEGER,
    "shown_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "impression_items_pkey" PRIMARY KEY ("impression_id", "item_id")
);

CREATE INDEX "impression_items_user_id_item_id_shown_at_idx" ON "impression_items"("user_id", "item_id", "shown_at" DESC);

ALTER TABLE "impression_items" ADD CONSTRAINT "impression_items_impression_id_fkey" FOREIGN KEY ("impression_id") REFERENCES "impressions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "impression_items" ADD CONSTRAINT "impression_items_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

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
