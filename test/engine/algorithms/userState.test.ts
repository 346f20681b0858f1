// Every servable algorithm declares what it keeps per training user
// (SerializedModel.userState), and the declaration is complete: an array the
// model stores that grows with the number of training users but is not
// declared would survive deleteUser. Fitted twice on the same interactions,
// once with three more (empty) users, the undeclared arrays keep their
// lengths and the declared ones grow by one row per user.
import { buildItemFeatures } from "../../../src/engine/data/buildItemFeatures";
import { buildTrainingSet } from "../../../src/engine/data/buildTrainingSet";
import type { SerializedModel } from "../../../src/engine/types";
import { hasUserState, legacyUserState, mergeUserState, prefixedUserState, userStateKeys } from "../../../src/engine/userState";
import { SERVING_ALGORITHMS } from "../../../src/serving/servingAlgorithms";
import { syntheticCatalog } from "../support/syntheticCatalog";

const EXTRA_USERS = 3;
const catalog = syntheticCatalog({ nUsers: 30, nItems: 40, ratingsPerUser: 12, seed: 3 });

function fitted(name: string, nUsers: number): SerializedModel {
  const entry = SERVING_ALGORITHMS.find((a) => a.name === name)!;
  const set = buildTrainingSet(catalog.records, {
    nUsers,
    nItems: catalog.nItems,
    explicit: entry.explicit,
    ratingScale: { min: 1, max: 5 },
    itemFeatures: buildItemFeatures(catalog.nItems, catalog.nFeatures, catalog.features),
  });
  // Small, fast settings where an algorithm has expensive defaults.
  const quick = { nIterations: 3, nEpochs: 3, epochs: 3, nSamples: 3, burnIn: 1 };
  return entry.algorithm.fit(set, { ...entry.params, ...quick }, { seed: 1 }).serialize!();
}

// Rows each array holds per user, from the declaration.
function perUserGrowth(s: SerializedModel): Map<string, number> {
  const growth = new Map<string, number>();
  for (const [key, width] of Object.entries(s.userState.rows ?? {})) growth.set(key, width);
  for (const prefix of [...(s.userState.csr ?? []), ...(s.userState.userGraph ?? [])]) growth.set(`${prefix}.indptr`, 1);
  return growth;
}

describe("per-user state of every servable algorithm", () => {
  it.each(SERVING_ALGORITHMS.map((a) => a.name))("%s declares every array that grows with the users", (name) => {
    const small = fitted(name, catalog.nUsers);
    const large = fitted(name, catalog.nUsers + EXTRA_USERS);
    expect(Object.keys(large.arrays).sort()).toEqual(Object.keys(small.arrays).sort());
    const growth = perUserGrowth(small);
    for (const key of growth.keys()) expect(Object.keys(small.arrays)).toContain(key);
    for (const [key, a] of Object.entries(small.arrays)) {
      // CSR indices/values of a declared matrix grow with the entries, not the users (empty users add none).
      expect({ key, growth: large.arrays[key].length - a.length }).toEqual({ key, growth: (growth.get(key) ?? 0) * EXTRA_USERS });
    }
  });

  it("history-served models keep nothing per user; the others say what they keep", () => {
    const declared = Object.fromEntries(SERVING_ALGORITHMS.map((a) => [a.name, userStateKeys(fitted(a.name, catalog.nUsers).userState)]));
    for (const a of SERVING_ALGORITHMS) if (a.historyOnly) expect({ name: a.name, keys: declared[a.name] }).toEqual({ name: a.name, keys: [] });
    expect(declared).toMatchObject({
      popular: [],
      content: [],
      baseline: ["userBias"],
      "item-knn": ["userBias", "ratings"],
      "user-knn": ["userBias", "ratings", "neighbours"],
    });
  });
});

describe("user state layouts", () => {
  it("prefixes and merges the layouts of a blend's parts", () => {
    const merged = mergeUserState([prefixedUserState({ rows: { userBias: 1 }, csr: ["ratings"] }, "0."), prefixedUserState({}, "1."), prefixedUserState({ userGraph: ["neighbours"] }, "2.")]);
    expect(merged).toEqual({ rows: { "0.userBias": 1 }, csr: ["0.ratings"], userGraph: ["2.neighbours"] });
    expect(hasUserState(merged)).toBe(true);
    expect(hasUserState(mergeUserState([{}, prefixedUserState({}, "1.")]))).toBe(false);
  });

  it("reads the layout of versions stored before models declared it", () => {
    expect(legacyUserState("baselineOnly", { globalMean: 3.5 })).toEqual({ rows: { userBias: 1 } });
    expect(legacyUserState("contentBased", { nUsers: 4 })).toEqual({ csr: ["ratings"] });
    expect(legacyUserState("userKnn", { userBased: true })).toEqual({ rows: { userBias: 1 }, csr: ["ratings"], userGraph: ["neighbours"] });
    expect(legacyUserState("itemKnn", { userBased: false })).toEqual({ rows: { userBias: 1 }, csr: ["ratings"], userGraph: [] });
    expect(legacyUserState("ials", { nItems: 4 })).toEqual({});
  });
});
