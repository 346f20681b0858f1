import type { Config } from "../config";
import type { Database } from "../db/Database";
import type { Loaders } from "../loaders/createLoaders";

// What a use case needs: the database, per-request loaders and the settings.
export interface ServiceContext {
  db: Database;
  loaders: Loaders;
  config: Pick<Config, "ratingScale" | "implicitRatings" | "maxInteractionBatch" | "maxUpsertBatch" | "impressions">;
}
