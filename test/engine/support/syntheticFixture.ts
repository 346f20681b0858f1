// The synthetic catalog split and built the way every algorithm test uses it.
import { buildItemFeatures } from "../../../src/engine/data/buildItemFeatures";
import { buildTrainingSet } from "../../../src/engine/data/buildTrainingSet";
import { selectTopK } from "../../../src/engine/recommender/selectTopK";
import type { Model, TrainingSet } from "../../../src/engine/types";
import { hitRate, rmse, splitRecords, syntheticCatalog } from "./syntheticCatalog";

export function syntheticFixture(seed = 7) {
  const catalog = syntheticCatalog({ seed });
  const { train, test } = splitRecords(catalog.records, 0.2, seed + 1);
  const itemFeatures = buildItemFeatures(catalog.nItems, catalog.nFeatures, catalog.features);
  const data = buildTrainingSet(train, { nUsers: catalog.nUsers, nItems: catalog.nItems, explicit: true, itemFeatures });
  return { catalog, train, test, data };
}

export function modelRmse(model: Model, test: Parameters<typeof rmse>[1]): number {
  return rmse((u, i) => model.predict!(u, i), test);
}

// Hit rate at 10 of a model's scoreAll ranking, training items excluded.
export function modelHitRate(model: Model, data: TrainingSet, test: Parameters<typeof hitRate>[1]): number {
  const R = data.ratings;
  return hitRate((u) => {
    const seen = new Uint8Array(data.nItems);
    for (let k = R.indptr[u]; k < R.indptr[u + 1]; k++) seen[R.indices[k]] = 1;
    return selectTopK(model.scoreAll(u), 10, seen).map((s) => s.item);
  }, test);
}
