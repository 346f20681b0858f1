// Serving contract of the learned models (iALS, BPR, SVD, EASE, Mult-DAE and
// the EASE + iALS ranking blend): what they store holds no user state, a
// stored model answers exactly as the fitted one, and folding a training
// user's own row in at request time agrees with what training learnt.
import { bpr } from "../../../src/engine/algorithms/bpr";
import { ease } from "../../../src/engine/algorithms/ease";
import { createHybrid } from "../../../src/engine/algorithms/hybrid";
import { ials } from "../../../src/engine/algorithms/ials";
import { multVae } from "../../../src/engine/algorithms/multVae";
import { svd } from "../../../src/engine/algorithms/svd";
import type { CsrMatrix } from "../../../src/engine/data/CsrMatrix";
import type { Algorithm, Model, SerializedModel, TrainingSet, UserHistory } from "../../../src/engine/types";
import { syntheticData } from "../algorithms/support/syntheticData";

const implicit = syntheticData(1, { implicit: true }).train;
const explicit = syntheticData(1).train;

function rowOf(m: CsrMatrix, u: number): UserHistory {
  return { items: m.indices.slice(m.indptr[u], m.indptr[u + 1]), values: m.values.slice(m.indptr[u], m.indptr[u + 1]) };
}

// structuredClone stands in for the trip through the database.
function roundTrip(algorithm: Algorithm<any>, model: Model): Model {
  return algorithm.deserialize!(structuredClone(model.serialize!()));
}

// Pearson correlation over the items not in the history (the candidates).
function correlation(a: Float32Array, b: Float32Array, seen: Int32Array): number {
  const skip = new Set(seen);
  let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (let i = 0; i < a.length; i++) {
    if (skip.has(i)) continue;
    n++;
    sa += a[i];
    sb += b[i];
    saa += a[i] * a[i];
    sbb += b[i] * b[i];
    sab += a[i] * b[i];
  }
  return (sab / n - (sa / n) * (sb / n)) / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
}

function topItems(scores: Float32Array, seen: Int32Array, k: number): number[] {
  const skip = new Set(seen);
  return Array.from(scores.keys()).filter((i) => !skip.has(i)).sort((x, y) => scores[y] - scores[x] || x - y).slice(0, k);
}

const rankingBlend = createHybrid([ease, ials], { name: "rankingBlend", target: "ranking", componentParams: [{ lambda: 50 }, { nFactors: 8, regularization: 1 }] });

// [name, algorithm, data, params, minimum correlation of fold-in and trained scores, minimum top-10 overlap]
// Why these bounds: EASE and the DAE score a row by the same arithmetic as
// scoreAll (only float32 rounding of the stored weights differs), so they
// must agree to 1e-4. iALS solves the user's normal equations exactly against
// the final item factors where training took 2 CG steps against the previous
// ones. BPR and SVD replay the training's SGD for the user with the item side
// frozen, from 0 rather than a random start and with different samples, so
// they agree in ranking, not to the digit.
const cases: [string, Algorithm<any>, TrainingSet, Record<string, unknown>, number, number][] = [
  ["ials", ials, implicit, { nFactors: 8, regularization: 1 }, 0.99, 0.9],
  ["bpr", bpr, implicit, { nFactors: 8, nEpochs: 30 }, 0.9, 0.6],
  ["svd", svd, explicit, { nFactors: 10 }, 0.9, 0.6],
  ["ease", ease, implicit, { lambda: 50 }, 0.9999, 1],
  ["multVae", multVae, implicit, { hiddenDim: 16, nEpochs: 20, batchSize: 20 }, 0.9999, 1],
  ["rankingBlend", rankingBlend, implicit, {}, 0.99, 0.9],
];

describe.each(cases)("%s served from storage", (_name, algorithm, data, params, minCorrelation, minOverlap) => {
  const model = algorithm.fit(data, params, { seed: 3 });
  const users = [0, 5, 17, 42, 77];

  it("stores item-side arrays only: fifty more users change no stored size", () => {
    const extra = 50;
    const indptr = new Int32Array(data.nUsers + extra + 1).fill(data.ratings.indices.length);
    indptr.set(data.ratings.indptr);
    const wider: TrainingSet = { ...data, nUsers: data.nUsers + extra, ratings: { ...data.ratings, nRows: data.nUsers + extra, indptr } };
    const sizes = (s: SerializedModel) => Object.fromEntries(Object.entries(s.arrays).map(([k, a]) => [k, a.length]));
    expect(sizes(algorithm.fit(wider, params, { seed: 3 }).serialize!())).toEqual(sizes(model.serialize!()));
    expect(JSON.stringify(model.serialize!().meta)).not.toMatch(/nUsers/);
  });

  it("round-trips through serialize/deserialize with identical scores, evidence and similar items", () => {
    const copy = roundTrip(algorithm, model);
    expect(copy.name).toBe(model.name);
    for (const u of users) {
      const history = rowOf(data.ratings, u);
      expect(Array.from(copy.scoreHistory!(history))).toEqual(Array.from(model.scoreHistory!(history)));
      const best = topItems(copy.scoreHistory!(history), history.items, 1)[0];
      expect(copy.explainHistory!(history, best, 3)).toEqual(model.explainHistory!(history, best, 3));
    }
    if (model.similarItems) expect(copy.similarItems!(4, 5)).toEqual(model.similarItems(4, 5));
    expect(copy.serialize!()).toEqual(model.serialize!());
  });

  it("folds a training user's own row in close to the trained scores", () => {
    let correlations = 0;
    let overlap = 0;
    for (const u of users) {
      const history = rowOf(data.ratings, u);
      const folded = model.scoreHistory!(history);
      const trained = model.scoreAll(u);
      correlations += correlation(folded, trained, history.items);
      const top = new Set(topItems(trained, history.items, 10));
      overlap += topItems(folded, history.items, 10).filter((i) => top.has(i)).length / 10;
    }
    expect(correlations / users.length).toBeGreaterThanOrEqual(minCorrelation);
    expect(overlap / users.length).toBeGreaterThanOrEqual(minOverlap);
  });

  it("reads a new interaction at once (read-your-writes) and scores an empty history without failing", () => {
    const history = rowOf(data.ratings, 5);
    const seen = new Set(history.items);
    const added = Array.from({ length: data.nItems }, (_, i) => i).find((i) => !seen.has(i))!;
    const more = [...Array.from(history.items), added].sort((a, b) => a - b);
    const value = data.ratingScale ? data.ratingScale.max : 1;
    const grown = { items: Int32Array.from(more), values: Float32Array.from(more, (i) => (i === added ? value : history.values[history.items.indexOf(i)])) };
    expect(Array.from(model.scoreHistory!(grown))).not.toEqual(Array.from(model.scoreHistory!(history)));
    const empty = model.scoreHistory!({ items: new Int32Array(0), values: new Float32Array(0) });
    expect(empty).toHaveLength(data.nItems);
    expect(empty.every(Number.isFinite)).toBe(true);
  });

  it("explains a recommendation by items of the history", () => {
    const history = rowOf(data.ratings, 17);
    const evidence = topItems(model.scoreHistory!(history), history.items, 5).flatMap((i) => model.explainHistory!(history, i, 3));
    expect(evidence.length).toBeGreaterThan(0);
    for (const e of evidence) {
      expect(e.kind).toBe("becauseYouInteracted");
      if (e.kind === "becauseYouInteracted") expect(Array.from(history.items)).toContain(e.item);
    }
  });
});

describe("ials fold-in", () => {
  it("solves the user's normal equations: with converged training it matches the trained user factor", () => {
    const model = ials.fit(implicit, { nFactors: 4, regularization: 1, nIterations: 30, cgSteps: 50 }, { seed: 1 });
    const history = rowOf(implicit.ratings, 2);
    const folded = model.scoreHistory!(history);
    const trained = model.scoreAll(2);
    folded.forEach((s, i) => expect(s).toBeCloseTo(trained[i], 1));
    expect(correlation(folded, trained, history.items)).toBeGreaterThan(0.999);
  });

  it("treats a non-positive entry (a dislike) as a confident zero: it lowers the item's neighbours", () => {
    const model = ials.fit(implicit, { nFactors: 8, regularization: 1 }, { seed: 3 });
    const liked = rowOf(implicit.ratings, 5);
    const target = liked.items[0];
    const disliked = { items: liked.items, values: liked.values.map((v, k) => (k === 0 ? -2 : v)) };
    expect(model.scoreHistory!(disliked)[target]).toBeLessThan(model.scoreHistory!(liked)[target]);
    const onlyDislikes = model.scoreHistory!({ items: Int32Array.of(target), values: Float32Array.of(-2) });
    expect(onlyDislikes.every((s) => s === 0)).toBe(true);
  });
});

describe("svd fold-in", () => {
  it("predicts the ratings of a history's own items near the given values and clips nothing (ranking scores)", () => {
    const model = svd.fit(explicit, { nFactors: 10 }, { seed: 3 });
    const history = rowOf(explicit.ratings, 17);
    const scores = model.scoreHistory!(history);
    let err = 0;
    history.items.forEach((i, k) => (err += (scores[i] - history.values[k]) ** 2));
    let trainedErr = 0;
    history.items.forEach((i, k) => (trainedErr += (model.predict!(17, i) - history.values[k]) ** 2));
    // The fold-in fits this history with the items fixed: no worse than training did, give or take.
    expect(Math.sqrt(err / history.items.length)).toBeLessThan(Math.sqrt(trainedErr / history.items.length) + 0.1);
  });

  it("a stored model predicts an unknown user as μ + b_i, clipped to the scale", () => {
    const copy = roundTrip(svd, svd.fit(explicit, { nFactors: 10 }, { seed: 3 }));
    const p = copy.predict!(0, 3);
    expect(p).toBeGreaterThanOrEqual(explicit.ratingScale?.min ?? 1);
    expect(p).toBeLessThanOrEqual(explicit.ratingScale?.max ?? 5);
    expect(copy.scoreAll(0)[3]).toBeCloseTo(p, 4);
  });
});

describe("hybrid from storage", () => {
  it("keeps its weights and parts, and blends the parts' fold-ins with per-history normalisation", () => {
    const model = rankingBlend.fit(implicit, {}, { seed: 3 }) as Model & { weights: number[] };
    const serialized = model.serialize!();
    expect((serialized.meta as { weights: number[] }).weights).toEqual(model.weights);
    expect(Object.keys(serialized.arrays).sort()).toEqual(["0.weights", "1.itemFactors"]);
    const copy = rankingBlend.deserialize!(structuredClone(serialized)) as Model & { weights: number[] };
    expect(copy.weights).toEqual(model.weights);
  });
});
