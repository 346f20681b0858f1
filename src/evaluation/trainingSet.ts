// Turns the rows of a RatingTable chosen by a splitter into the engine's
// TrainingSet. Users and items keep their dataset-wide dense indices, so a
// user absent from a training fold is simply an empty row (a cold start).
import { buildUserSequences } from "../engine/data/buildUserSequences";
import type { TrainingSet } from "../engine/types";
import type { RatingTable } from "./datasets";

export interface TableTrainingOptions {
  // Every rating read as an interaction of value 1, with no rating scale (the
  // leave-last-out protocol's implicit reading); the ratings as they are otherwise.
  implicit?: boolean;
}

export function buildTrainingSet(table: RatingTable, rows: ArrayLike<number>, options: TableTrainingOptions = {}): TrainingSet {
  const { nUsers, nItems } = table;
  const n = rows.length;
  const indptr = new Int32Array(nUsers + 1);
  for (let k = 0; k < n; k++) indptr[table.users[rows[k]] + 1]++;
  for (let u = 0; u < nUsers; u++) indptr[u + 1] += indptr[u];
  const fill = indptr.slice(0, nUsers);
  const value = (row: number): number => (options.implicit ? 1 : table.ratings[row]);
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
        values[values.length - 1] = value(r);
        times[times.length - 1] = table.timestamps[r];
        continue;
      }
      indices.push(item);
      values.push(value(r));
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
    ...(options.implicit ? {} : { ratingScale: table.ratingScale }),
    // Every rating is an interaction, whatever its value; rows sorted into
    // file order first so equal times keep the file's order.
    sequences: buildUserSequences(
      Array.from(rows)
        .sort((a, b) => a - b)
        .map((r) => ({ user: table.users[r], item: table.items[r], timestamp: table.timestamps[r] })),
      nUsers,
    ),
  };
}
