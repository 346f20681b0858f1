// Reading a SerializedModel back: each array checked by its type tag (not
// instanceof: arrays may come from another realm, a worker or a test
// sandbox), so a damaged or foreign version fails at load with the key
// named, not later with a NaN in a score.
import type { SerializedModel } from "../types";

type ArrayType = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

export function serializedArray<T extends ArrayType>(algorithm: string, serialized: SerializedModel, key: string, type: T): InstanceType<T> {
  const a = serialized.arrays[key] as { [Symbol.toStringTag]?: string } | undefined;
  if (a?.[Symbol.toStringTag] !== type.name) throw new Error(`${algorithm}: serialized model has no ${type.name} '${key}'`);
  return a as InstanceType<T>;
}

export function checkAlgorithm(algorithm: string, serialized: SerializedModel): void {
  if (serialized.algorithm !== algorithm) throw new Error(`${algorithm}: cannot deserialize a ${serialized.algorithm} model`);
}
