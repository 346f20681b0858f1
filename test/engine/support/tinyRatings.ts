// The 3-user, 4-item example the kNN tests work out by hand. Item 3 has no
// ratings (a cold-start item); nEpochs 0 keeps every bias at 0 so the
// baseline is the global mean 27/8 = 3.375.
//        i0  i1  i2  i3
//   u0    5   3   .   .
//   u1    4   3   4   .
//   u2    1   5   2   .
import { buildTrainingSet, type InteractionInput } from "../../../src/engine/data/buildTrainingSet";

const cells: [number, number, number][] = [
  [0, 0, 5],
  [0, 1, 3],
  [1, 0, 4],
  [1, 1, 3],
  [1, 2, 4],
  [2, 0, 1],
  [2, 1, 5],
  [2, 2, 2],
];

export const tinyRecords: InteractionInput[] = cells.map(([user, item, value]) => ({ user, item, kind: "RATING", value, timestamp: 0 }));

export const tinyRatings = buildTrainingSet(tinyRecords, { nUsers: 3, nItems: 4, explicit: true });

export const NO_BIASES = { baseline: { nEpochs: 0 } };
