// A model as the serving layer holds it: the engine model, the maps between
// its dense indices and database ids, and how to turn a user's interaction
// rows into the history it was trained on.
import { IdMap } from "../engine/data/IdMap";
import { parseImplicitRatingRule, type ImplicitRatingRule } from "../engine/data/implicitRatings";
import type { Model } from "../engine/types";
import type { StoredModel } from "../db/modelRepository";
import { deserializerFor } from "./servingAlgorithms";

export interface TrainingMode {
  explicit: boolean;
  ratingScale: { min: number; max: number };
  // How ratings were read as implicit feedback (implicit models).
  implicitRatings: ImplicitRatingRule;
}

// As stored in dataStats.training (the rule in its text form).
export interface StoredTrainingMode {
  explicit: boolean;
  ratingScale: { min: number; max: number };
  implicitRatings?: string;
}

// A version trained before the rule was recorded centred ratings on the
// middle of the scale: it folds histories in that way.
export function trainingModeOf(stored: Partial<StoredTrainingMode> | undefined): TrainingMode {
  const explicit = stored?.explicit ?? false;
  const ratingScale = stored?.ratingScale ?? { min: 0.5, max: 5 };
  const rule = stored?.implicitRatings === undefined ? { kind: "midpoint" as const } : parseImplicitRatingRule(stored.implicitRatings);
  if (!rule) throw new Error(`unknown implicit rating rule ${JSON.stringify(stored?.implicitRatings)} in the stored version`);
  return { explicit, ratingScale, implicitRatings: rule };
}

export interface ServedModel {
  readonly name: string;
  readonly version: number;
  // model_versions.revision when loaded (see ModelVersionRow).
  readonly revision: number;
  readonly versionId: number;
  readonly algorithm: string;
  readonly createdAt: Date;
  readonly activatedAt: Date | null;
  readonly model: Model;
  // Dense index <-> database id (as text), users, items and features.
  readonly users: IdMap;
  readonly items: IdMap;
  readonly features: IdMap;
  // Position -> database id, for the hot loops (no string round trip).
  readonly itemIds: Int32Array;
  readonly featureIds: Int32Array;
  // Database item id -> position (the request path's lookup).
  readonly itemIndex: ReadonlyMap<number, number>;
  readonly training: TrainingMode;
}

export function servedModelFrom(stored: StoredModel): ServedModel {
  const algorithm = deserializerFor(stored.serialized.algorithm);
  if (!algorithm?.deserialize) throw new Error(`model ${stored.name} v${stored.version}: no deserializer for algorithm ${stored.serialized.algorithm}`);
  const training = trainingModeOf(stored.dataStats.training as Partial<StoredTrainingMode> | undefined);
  return {
    name: stored.name,
    version: stored.version,
    revision: stored.revision,
    versionId: stored.id,
    algorithm: stored.serialized.algorithm,
    createdAt: stored.createdAt,
    activatedAt: stored.activatedAt,
    model: algorithm.deserialize(stored.serialized),
    users: IdMap.from(Array.from(stored.index.users, String)),
    items: IdMap.from(Array.from(stored.index.items, String)),
    features: IdMap.from(Array.from(stored.index.features, String)),
    itemIds: stored.index.items,
    featureIds: stored.index.features,
    itemIndex: new Map(Array.from(stored.index.items, (id, k) => [id, k])),
    training,
  };
}
