// The served hybrid (rankingBlend) picks its parts by catalog size: EASE^R +
// iALS up to easeMaxItems items, RP3beta + iALS above, whose cost grows with
// the interactions rather than the square of the catalog; stored versions are
// rebuilt with the parts they were trained with.
import { blendPartsFor, rankingBlend, type HybridModel } from "../../../src/engine/algorithms/hybrid";
import { ease } from "../../../src/engine/algorithms/ease";
import { fitCostOf } from "../../../src/engine/fitCost";
import type { TrainingSet } from "../../../src/engine/types";
import { ndcgAt10, popularityNdcg, syntheticData } from "./support/syntheticData";

// A training set of the shape `npm run synthetic -- --users U --items I
// --per-user P` makes, without the values mattering: user u has P distinct
// items spread over the catalog.
function shapeOnly(nUsers: number, nItems: number, perUser: number): TrainingSet {
  const indptr = new Int32Array(nUsers + 1);
  const indices = new Int32Array(nUsers * perUser);
  for (let u = 0; u < nUsers; u++) {
    indptr[u + 1] = (u + 1) * perUser;
    const start = (u * 7919) % nItems;
    for (let t = 0; t < perUser; t++) indices[u * perUser + t] = (start + t * 13) % nItems;
    indices.subarray(u * perUser, (u + 1) * perUser).sort();
  }
  return { nUsers, nItems, ratings: { nRows: nUsers, nCols: nItems, indptr, indices, values: new Float32Array(indices.length).fill(1) } };
}

const GiB = 2 ** 30;

describe("rankingBlend by catalog size", () => {
  it("uses EASE^R + iALS up to easeMaxItems items and RP3beta + iALS above, unless told", () => {
    expect(blendPartsFor({ nItems: 1682 }, {})).toBe("ease+ials");
    expect(blendPartsFor({ nItems: 3000 }, {})).toBe("ease+ials");
    expect(blendPartsFor({ nItems: 3001 }, {})).toBe("rp3beta+ials");
    expect(blendPartsFor({ nItems: 100 }, { easeMaxItems: 99 })).toBe("rp3beta+ials");
    expect(blendPartsFor({ nItems: 100_000 }, { parts: "ease+ials" })).toBe("ease+ials");
    expect(blendPartsFor({ nItems: 10 }, { parts: "rp3beta+ials" })).toBe("rp3beta+ials");
  });

  it("estimates the default blend on 200,000 users × 100,000 items × 20 far under 6 GB, where EASE^R alone needs 360 GB", () => {
    const data = shapeOnly(200_000, 100_000, 20);
    const blend = rankingBlend.estimateCost(data, {});
    expect(blend.bytes).toBeLessThan(2 * GiB);
    expect(blend.multiplyAdds).toBeLessThan(2e12);
    // 36 bytes per item pair: 3.6e11 bytes.
    expect(fitCostOf(ease, data, {})!.bytes).toBe(36 * 1e10);
    // Forcing EASE^R on that catalog is estimated as what it is.
    expect(rankingBlend.estimateCost(data, { parts: "ease+ials" }).bytes).toBeGreaterThan(2 * 36e10);
  });

  it("fits RP3beta + iALS past easeMaxItems, beats popularity, and is rebuilt from storage with the same parts and scores", () => {
    const data = syntheticData(5, { implicit: true, nItems: 120 });
    const model = rankingBlend.fit(data.train, { easeMaxItems: 100 }, { seed: 3 }) as HybridModel;
    expect(model.components.map((m) => m.name)).toEqual(["rp3beta", "ials"]);
    expect(ndcgAt10(model, data)).toBeGreaterThan(popularityNdcg(data) + 0.05);
    const serialized = model.serialize!();
    expect(serialized.algorithm).toBe("rankingBlend");
    expect((serialized.meta as { components: { algorithm: string; params: { neighbours?: number } }[] }).components.map((c) => c.algorithm)).toEqual(["rp3beta", "ials"]);
    expect((serialized.meta as { components: { params: { neighbours?: number } }[] }).components[0].params.neighbours).toBe(200);
    const copy = rankingBlend.deserialize(structuredClone(serialized));
    expect(copy.components.map((m) => m.name)).toEqual(["rp3beta", "ials"]);
    expect(copy.weights).toEqual(model.weights);
    const history = { items: Int32Array.from([0, 4, 8, 12]), values: new Float32Array(4).fill(1) };
    const a = model.scoreHistory!(history);
    const b = copy.scoreHistory!(history);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 4);
  });

  it("keeps EASE^R + iALS, as before, on a small catalog", () => {
    const data = syntheticData(5, { implicit: true });
    const model = rankingBlend.fit(data.train, {}, { seed: 3 }) as HybridModel;
    expect(model.components.map((m) => m.name)).toEqual(["ease", "ials"]);
    const copy = rankingBlend.deserialize(structuredClone(model.serialize!()));
    expect(copy.components.map((m) => m.name)).toEqual(["ease", "ials"]);
  });

  it("chooses the same weights from each component's best candidates as from every item when the candidates cover the catalog", () => {
    // 80 items < 300 candidates per component: the sparse cache (a budget of
    // 0 MiB forces it) holds every open item, so the search sees the same blend.
    const data = syntheticData(7, { implicit: true });
    const dense = rankingBlend.fit(data.train, {}, { seed: 3 }) as HybridModel;
    const sparse = rankingBlend.fit(data.train, { validationCacheMb: 0 }, { seed: 3 }) as HybridModel;
    expect(sparse.weights).toEqual(dense.weights);
  });
});
