// A fitted next-item network as a Model: a sequence is scored by the
// network's state after its most recent maxLength items, read against every
// item embedding (sequenceNetwork.ts scoreItems). The stored version is the
// weights alone (one float32 vector): item-side state, shared by all users,
// so no per-user state (userState.ts). A known user's scoreAll reads their
// training sequence, which the fitted model keeps in memory and does not
// store; a deserialised model, like an unknown user, gets the ranking of an
// empty sequence, the output biases (popularity-like).
import { sequenceBatch } from "../nn/sequenceBatch";
import { scoreItems, type SequenceNetwork } from "../nn/sequenceNetwork";
import type { Evidence, Model, SerializedModel, UserHistory, UserSequences } from "../types";
import { NO_USER_STATE } from "../userState";

export interface SequenceModel extends Model {
  readonly network: SequenceNetwork;
  scoreSequence(sequence: Int32Array): Float32Array;
  explainSequence(sequence: Int32Array, item: number, maxEvidence: number): Evidence[];
}

// Weights over the tokens of a sequence (the most recent maxLength items,
// oldest first) saying how much each led to `item`, after the network has
// just encoded it alone.
export type SequenceAttribution = (net: SequenceNetwork, tokens: Int32Array, item: number) => Float32Array;

// The items of a sequence the network reads: known items only, the most recent maxLength.
export function networkInput(net: SequenceNetwork, sequence: Int32Array): Int32Array {
  let known = 0;
  for (let t = 0; t < sequence.length; t++) if (sequence[t] >= 0 && sequence[t] < net.nItems) known++;
  const kept = known === sequence.length ? sequence : sequence.filter((i) => i >= 0 && i < net.nItems);
  return kept.length > net.maxLength ? kept.subarray(kept.length - net.maxLength) : kept;
}

export function sequenceModel(
  name: string,
  net: SequenceNetwork,
  attribution: SequenceAttribution,
  params: Record<string, unknown>,
  meta: Record<string, unknown>,
  sequences?: UserSequences,
): SequenceModel {
  const batch = sequenceBatch(1, net.maxLength);
  const state = new Float32Array(net.dim);
  const encode = (tokens: Int32Array): void => {
    batch.sequences = 1;
    batch.offsets[0] = 0;
    batch.offsets[1] = tokens.length;
    batch.items.set(tokens);
    net.encodeLast(batch, state);
  };
  const scoreSequence = (sequence: Int32Array): Float32Array => {
    const tokens = networkInput(net, sequence);
    const out = new Float32Array(net.nItems);
    if (tokens.length === 0) {
      out.set(net.layout.view(net.params, "itemBias"));
      return out;
    }
    encode(tokens);
    scoreItems(net, state, 0, out);
    return out;
  };
  const userSequence = (user: number): Int32Array =>
    sequences && user >= 0 && user + 1 < sequences.offsets.length ? sequences.items.subarray(sequences.offsets[user], sequences.offsets[user + 1]) : new Int32Array(0);
  return {
    name,
    network: net,
    scoreSequence,
    scoreAll: (user) => scoreSequence(userSequence(user)),
    // A history without its order (no `sequence`) is read in item order: the best the model can do.
    scoreHistory: (history: UserHistory) => scoreSequence(history.sequence ?? history.items),
    explainSequence(sequence, item, maxEvidence) {
      const tokens = networkInput(net, sequence);
      if (tokens.length === 0 || maxEvidence <= 0) return [];
      encode(tokens);
      const weights = attribution(net, tokens, item);
      // A repeated item's weights add up.
      const byItem = new Map<number, number>();
      for (let t = 0; t < tokens.length; t++) byItem.set(tokens[t], (byItem.get(tokens[t]) ?? 0) + weights[t]);
      return [...byItem.entries()]
        .filter(([, w]) => w > 0)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, maxEvidence)
        .map(([i, weight]) => ({ kind: "becauseYouJustInteracted", item: i, weight }));
    },
    serialize: (): SerializedModel => ({
      algorithm: name,
      params: { ...params },
      meta: { ...meta },
      arrays: { weights: net.params },
      userState: NO_USER_STATE,
    }),
  };
}
