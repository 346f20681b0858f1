// Play counts through the real server: a user who played one song 42 times
// and another once gets the heavy song's neighbours first from the iALS
// model (MATRIX_FACTORIZATION), and the reverse for the reverse amounts.
// Also: the implicit rating rule a version was trained with is stored with
// it and used to fold histories in.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { activateModelVersion, loadActiveModels } from "../../src/db/modelRepository";
import { historiesOfUsers, readTrainingData } from "../../src/db/trainingDataRepository";
import { buildTrainingSet } from "../../src/engine/data/buildTrainingSet";
import { loadModelStore, modelStoreOf } from "../../src/serving/ModelStore";
import { historyOf } from "../../src/serving/historyOf";
import { trainingModeOf } from "../../src/serving/ServedModel";
import { trainModel } from "../../src/serving/trainModel";
import type { CatalogData } from "../../src/importers/CatalogData";

const RECS = `query($userId: ID!) { recommendations(userId: $userId, first: 4, strategy: MATRIX_FACTORIZATION) { item { id } score strategy } }`;
const SCALE = { min: 1, max: 5 };

// Two circles of listeners: eight play a, a1, a2, a3; eight play b, b1, b2, b3.
function catalog(): CatalogData {
  const song = (id: string) => ({ externalId: id, kind: "MUSIC" as const, title: id, releaseYear: null, description: null, attributes: {}, features: [] });
  const items = ["a", "a1", "a2", "a3", "b", "b1", "b2", "b3", "r1", "r2", "r3"].map(song);
  const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n));
  const interactions: CatalogData["interactions"] = [];
  for (let n = 0; n < 8; n++) {
    for (const s of ["a", "a1", "a2", "a3"]) interactions.push({ userExternalId: `fa${n}`, itemExternalId: s, type: "PLAY", value: 1, occurredAt: at(n) });
    for (const s of ["b", "b1", "b2", "b3"]) interactions.push({ userExternalId: `fb${n}`, itemExternalId: s, type: "PLAY", value: 1, occurredAt: at(n) });
  }
  interactions.push(
    { userExternalId: "heavy-a", itemExternalId: "a", type: "PLAY", value: 42, occurredAt: at(20) },
    { userExternalId: "heavy-a", itemExternalId: "b", type: "PLAY", value: 1, occurredAt: at(21) },
    { userExternalId: "heavy-b", itemExternalId: "a", type: "PLAY", value: 1, occurredAt: at(20) },
    { userExternalId: "heavy-b", itemExternalId: "b", type: "PLAY", value: 42, occurredAt: at(21) },
    // Ratings 4, 4 and 2 of songs outside the circles: their values under the rule the version is trained with.
    { userExternalId: "rater", itemExternalId: "r1", type: "RATING", value: 4, occurredAt: at(22) },
    { userExternalId: "rater", itemExternalId: "r2", type: "RATING", value: 4, occurredAt: at(23) },
    { userExternalId: "rater", itemExternalId: "r3", type: "RATING", value: 2, occurredAt: at(24) },
  );
  return { users: [], items, interactions };
}

describe.each(databaseTargets())("amounts and implicit ratings through the server on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, catalog());
    // λ = 50 is tuned on 100,000 ratings; on 17 listeners it shrinks every factor to zero (all scores tie).
    const { version } = await trainModel(t.db, "ials", { seed: 7, ratingScale: SCALE, implicitRatings: { kind: "user-mean" }, evaluate: false, params: { regularization: 5 } });
    await activateModelVersion(t.db, "ials", version.version);
    await loadModelStore(t.db);
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  type Rec = { item: { id: string }; score: number; strategy: string };
  const top4 = async (userId: string): Promise<Rec[]> => {
    const result = await server.run(RECS, { userId });
    expect(result.errors).toBeUndefined();
    for (const r of result.data.recommendations) expect(r.strategy).toBe("MATRIX_FACTORIZATION");
    return result.data.recommendations;
  };

  it("recommends the songs co-played with the one played 42 times before those of the one played once", async () => {
    for (const [user, heavy, light] of [["heavy-a", "a", "b"], ["heavy-b", "b", "a"]]) {
      const list = await top4(user);
      expect(list.slice(0, 3).map((r) => r.item.id).sort()).toEqual([1, 2, 3].map((n) => `${heavy}${n}`));
      expect(list[3].item.id).toMatch(new RegExp(`^${light}\\d$`));
      expect(list[2].score).toBeGreaterThan(list[3].score); // by the model, not by a tie
    }
  });

  it("folds a history in with the stored rule: log-scaled plays, ratings against the user's mean", async () => {
    const [stored] = await loadActiveModels(t.db);
    expect(stored.dataStats.training).toEqual({ explicit: false, ratingScale: SCALE, implicitRatings: "user-mean" });
    const served = modelStoreOf(t.db).get("ials")!;
    expect(served.training.implicitRatings).toEqual({ kind: "user-mean" });
    const users = await t.db.sql.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM users WHERE external_id IN ('heavy-a', 'rater')`);
    const id = (external: string) => users.find((u) => u.external_id === external)!.id;
    const rows = await historiesOfUsers(t.db, [id("heavy-a"), id("rater")]);
    const history = (external: string) => {
      const h = historyOf(served, id(external), rows.filter((r) => r.userId === id(external)));
      return new Map(Array.from(h.items, (i, k) => [served.itemIds[i], h.values[k]]));
    };
    const items = await t.db.sql.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM items`);
    const item = (external: string) => items.find((i) => i.external_id === external)!.id;
    const heavy = history("heavy-a");
    expect(heavy.get(item("a"))).toBeCloseTo(Math.log2(43), 5);
    expect(heavy.get(item("b"))).toBe(1);
    // mean 10/3 on 1..5: 4 → 1 + 4 × (2/3) / 4 = 5/3; 2 → 4 × (−4/3) / 4 = −4/3
    const rater = history("rater");
    expect(rater.get(item("r1"))).toBeCloseTo(5 / 3, 5);
    expect(rater.get(item("r3"))).toBeCloseTo(-4 / 3, 5);
    // The very numbers training used for the same rows.
    const data = await readTrainingData(t.db);
    const set = buildTrainingSet(data.interactions, { nUsers: data.users.size, nItems: data.items.size, explicit: false, ratingScale: SCALE, implicitRatings: { kind: "user-mean" } });
    const u = data.users.index(String(id("rater")))!;
    const trained = new Map(Array.from(set.ratings.indices.subarray(set.ratings.indptr[u], set.ratings.indptr[u + 1]), (i, k) => [Number(data.items.id(i)), set.ratings.values[set.ratings.indptr[u] + k]]));
    expect(rater).toEqual(trained);
  });
});

describe("trainingModeOf", () => {
  it("reads the stored rule; a version stored without one folds in by the midpoint it was trained with", () => {
    expect(trainingModeOf({ explicit: false, ratingScale: SCALE, implicitRatings: "threshold:3.5" }).implicitRatings).toEqual({ kind: "threshold", rating: 3.5 });
    expect(trainingModeOf({ explicit: false, ratingScale: SCALE })).toEqual({ explicit: false, ratingScale: SCALE, implicitRatings: { kind: "midpoint" } });
    expect(() => trainingModeOf({ explicit: false, ratingScale: SCALE, implicitRatings: "median" })).toThrow('unknown implicit rating rule "median"');
  });
});
