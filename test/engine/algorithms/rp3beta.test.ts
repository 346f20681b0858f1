import { csrFromTriplets } from "../../../src/engine/data/CsrMatrix";
import { rp3beta } from "../../../src/engine/algorithms/rp3beta";
import type { TrainingSet } from "../../../src/engine/types";
import { ndcgAt10, popularityNdcg, syntheticData } from "./support/syntheticData";

// Dense W from the model's CSR rows.
function dense(model: ReturnType<typeof rp3beta.fit>, n: number): number[] {
  const w = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) for (let t = model.indptr[i]; t < model.indptr[i + 1]; t++) w[i * n + model.indices[t]] = model.weights[t];
  return w;
}

describe("rp3beta (Paudel et al. 2016)", () => {
  // Users {0,1}, {1,2}, {0,1,2} (|I(u)| = 2, 2, 3), user 3 cold; item degrees
  // |U(0)| = 2, |U(1)| = 3, |U(2)| = 2. W_ij = |U(i)|^-α |U(j)|^-β Σ_{u∋i,j} |I(u)|^-α.
  const tiny: TrainingSet = {
    nUsers: 4,
    nItems: 3,
    ratings: csrFromTriplets(4, 3, [0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 2, 0, 1, 2], [5, 3, 4, 1, 2, 5, 4]),
  };

  it("computes W by hand on a 3x3 case (α = β = 1)", () => {
    // W01 = 1/2 · 1/3 · (1/2 + 1/3) = 5/36, W02 = 1/2 · 1/2 · 1/3 = 1/12, W12 = 1/3 · 1/2 · (1/2 + 1/3) = 5/36;
    // with α = β, W is symmetric. Rating values are ignored (binary walk).
    const model = rp3beta.fit(tiny, { alpha: 1, beta: 1, neighbours: 0 }, { seed: 0 });
    const expected = [0, 5 / 36, 1 / 12, 5 / 36, 0, 5 / 36, 1 / 12, 5 / 36, 0];
    dense(model, 3).forEach((v, k) => expect(v).toBeCloseTo(expected[k], 6));
    // user 0 = x(0) + x(1): rows 0 and 1 of W
    Array.from(model.scoreAll(0)).forEach((v, k) => expect(v).toBeCloseTo([5 / 36, 5 / 36, 8 / 36][k], 6));
    expect(model.similarItems!(0, 2).map((s) => s.item)).toEqual([1, 2]);
    // user 1 = {1, 2} reaches item 0 through W10 = 5/36 and W20 = 1/12, strongest first.
    expect(model.explain!(1, 0, 3)).toEqual([
      { kind: "becauseYouInteracted", item: 1, weight: expect.closeTo(5 / 36, 6) },
      { kind: "becauseYouInteracted", item: 2, weight: expect.closeTo(1 / 12, 6) },
    ]);
  });

  it("is the plain three-step walk for α = 1, β = 0: each row sums to 1 minus the return probability", () => {
    // P(0 -> 0) = 1/2 · (1/2 + 1/3) = 5/12, so row 0 off the diagonal sums to 7/12.
    const w = dense(rp3beta.fit(tiny, { alpha: 1, beta: 0, neighbours: 0 }, { seed: 0 }), 3);
    expect(w[1] + w[2]).toBeCloseTo(7 / 12, 6);
    expect(w[1]).toBeCloseTo(5 / 12, 6);
  });

  it("keeps the k largest entries of each row (ties: lower item)", () => {
    const model = rp3beta.fit(tiny, { alpha: 1, beta: 1, neighbours: 1 }, { seed: 0 });
    expect(Array.from(model.indptr)).toEqual([0, 1, 2, 3]);
    expect(Array.from(model.indices)).toEqual([1, 0, 1]);
  });

  it("gives a cold-start user all-zero scores and ignores unknown items in a history", () => {
    const model = rp3beta.fit(tiny, {}, { seed: 0 });
    expect(Array.from(model.scoreAll(3))).toEqual([0, 0, 0]);
    const fromHistory = model.scoreHistory!({ items: Int32Array.from([0, 1, 7]), values: new Float32Array(3) });
    expect(Array.from(fromHistory)).toEqual(Array.from(model.scoreAll(0)));
  });

  it("round-trips through serialize/deserialize", () => {
    const model = rp3beta.fit(tiny, {}, { seed: 0 });
    const back = rp3beta.deserialize(model.serialize!());
    const history = { items: Int32Array.from([1, 2]), values: new Float32Array(2) };
    expect(Array.from(back.scoreHistory!(history))).toEqual(Array.from(model.scoreAll(1)));
    expect(back.similarItems!(1, 2)).toEqual(model.similarItems!(1, 2));
  });

  it("ranks the synthetic catalog far above popularity (pinned nDCG@10)", () => {
    const data = syntheticData(1, { implicit: true });
    const value = ndcgAt10(rp3beta.fit(data.train, {}, { seed: 0 }), data);
    expect(value).toBeGreaterThan(popularityNdcg(data) + 0.3);
    expect(value).toBeCloseTo(0.6709, 3);
  });

  it("is deterministic and independent of the seed (closed form)", () => {
    const data = syntheticData(2, { implicit: true });
    const a = rp3beta.fit(data.train, {}, { seed: 1 });
    const b = rp3beta.fit(data.train, {}, { seed: 2 });
    expect(Array.from(a.scoreAll(5))).toEqual(Array.from(b.scoreAll(5)));
  });
});
