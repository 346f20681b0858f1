// Training sequences inside a serialized model: one CSR row per training
// user (`<prefix>.indptr|indices|values`, the values their timestamps), so
// the user-state declaration ({ csr: [prefix] }) lets deletion of a user
// empty their row like any other per-user matrix.
import type { SerializedModel, UserSequences } from "../types";
import { serializedArray } from "./serializedArray";

export const SEQUENCES_KEY = "sequences";

export function sequenceArrays(sequences: UserSequences): Record<string, Int32Array | Float64Array> {
  return {
    [`${SEQUENCES_KEY}.indptr`]: sequences.offsets,
    [`${SEQUENCES_KEY}.indices`]: sequences.items,
    [`${SEQUENCES_KEY}.values`]: sequences.timestamps,
  };
}

export function readSequences(algorithm: string, serialized: SerializedModel): UserSequences {
  return {
    offsets: serializedArray(algorithm, serialized, `${SEQUENCES_KEY}.indptr`, Int32Array),
    items: serializedArray(algorithm, serialized, `${SEQUENCES_KEY}.indices`, Int32Array),
    timestamps: serializedArray(algorithm, serialized, `${SEQUENCES_KEY}.values`, Float64Array),
  };
}
