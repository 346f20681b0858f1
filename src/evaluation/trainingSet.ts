// Turns the rows of a RatingTable chosen by a splitter into the engine's
// TrainingSet. Users and items keep their dataset-wide dense indices, so a
// user absent from a training fold is simply an empty row (a cold start).
import type { TrainingSet } from "../engine/types";
import type { RatingTable } from "./datasets";

export function buildTrainingSet(table: RatingTable, rows: ArrayLike<number>): TrainingSet {
  const { nUsers, nItems } = table;
  const n = rows.length;
  const indptr = new Int32Array(nUsers + 1);
  for (let k = 0; k < n; k++) indptr[table.users[rows[k]] + 1]++;
  for (let u = 0; u < nUsers; u++) indptr[u + 1] += indptr[u];
  const fill = indptr.slice(0, nUsers);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[fill[table.users[rows[k]]]++] = rows[k];

  // Sort each row by item (stable, so for a repeated (user, item) the last
  // row given wins, as a re-sent rating should).
  const indices: number[] = [];
  const values: number[] = [];
  const times: number[] = [];
  const outPtr = new Int32Array(nUsers + 1);
  for (let u = 0; u < nUsers; u++) {
    const slice = Array.from(order.subarray(indptr[u], indptr[u + 1]));
    slice.sort((a, b) => table.items[a] - table.items[b]);
    let prev = -1;
    for (const r of slice) {
      const item = table.items[r];
      if (item === prev) {
        values[values.length - 1] = table.ratings[r];
        times[times.length - 1] = table.timestamps[r];
        continue;
      }
      indices.push(item);
      values.push(table.ratings[r]);
      times.push(table.timestamps[r]);
      prev = item;
    }
    outPtr[u + 1] = indices.length;
  }
  return {
    nUsers,
    nItems,
    ratings: {
      nRows: nUsers,
      nCols: nItems,
      indptr: outPtr,
      indices: Int32Array.from(indices),
      values: Float32Array.from(values),
    },
    timestamps: Float64Array.from(times),
    itemFeatures: table.itemFeatures,
    ratingScale: table.ratingScale,
  };
}
