// A large catalog's HNSW index kept with the iALS version: a seeded fit of
// 20,000 items is serialized, given its index once (as training and import
// do), stored in model_artifacts as uint8 bytes over several parts, read
// back and loaded without a rebuild; topHistory then finds the exact top 10
// (recall ≥ 0.95, the figure the index was chosen on) with the scores exact
// scoring gives, and never an excluded item. A version stored without index
// bytes (before they were kept) still serves, through the IVF index.
import { loadModelVersion, saveModelVersion } from "../../src/db/modelRepository";
import { ials } from "../../src/engine/algorithms/ials";
import { createRng } from "../../src/engine/random";
import { IVF_MIN_ITEMS } from "../../src/engine/recommender/ivfIndex";
import { selectTopK } from "../../src/engine/recommender/selectTopK";
import type { SerializedModel, TrainingSet, UserHistory } from "../../src/engine/types";
import { servedModelFrom } from "../../src/serving/ServedModel";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";

const N_ITEMS = IVF_MIN_ITEMS;
const N_USERS = 20_000;
const PER_USER = 20;

// As `npm run bench:index -- --compare --data ials`: 20 distinct items a
// user, item drawn as ⌊n·u²⌋ (low ids popular), values 1-5.
function skewedCatalog(seed: number): { data: TrainingSet; histories: UserHistory[] } {
  const rng = createRng(seed);
  const indptr = new Int32Array(N_USERS + 1);
  const indices = new Int32Array(N_USERS * PER_USER);
  const values = new Float32Array(N_USERS * PER_USER);
  const row = new Set<number>();
  for (let u = 0; u < N_USERS; u++) {
    row.clear();
    while (row.size < PER_USER) row.add(Math.floor(N_ITEMS * rng.next() ** 2));
    indices.set(Int32Array.from(row).sort(), u * PER_USER);
    for (let t = 0; t < PER_USER; t++) values[u * PER_USER + t] = 1 + rng.int(5);
    indptr[u + 1] = (u + 1) * PER_USER;
  }
  const histories = Array.from({ length: 100 }, () => {
    const u = rng.int(N_USERS);
    return { items: indices.slice(u * PER_USER, (u + 1) * PER_USER), values: values.slice(u * PER_USER, (u + 1) * PER_USER) };
  });
  return { data: { nUsers: N_USERS, nItems: N_ITEMS, ratings: { nRows: N_USERS, nCols: N_ITEMS, indptr, indices, values } }, histories };
}

describe.each(databaseTargets())("an iALS version of 20,000 items with its HNSW index on %s", (target) => {
  let t: TestDatabase;
  let fitted: SerializedModel;
  let histories: UserHistory[];
  beforeAll(async () => {
    t = await openTestDatabase(target);
    const catalog = skewedCatalog(3);
    histories = catalog.histories;
    fitted = ials.fit(catalog.data, { nFactors: 32 }, { seed: 7 }).serialize!();
  }, 300_000);
  afterAll(async () => t?.dispose());

  const save = (serialized: SerializedModel) =>
    saveModelVersion(t.db, {
      name: "ials",
      serialized,
      index: { users: new Int32Array(0), items: Int32Array.from({ length: N_ITEMS }, (_, i) => 1000 + i), features: new Int32Array(0) },
      // Parts of 1 MiB: the index's bytes span several rows.
      partBytes: 2 ** 20,
    });

  it("stores the index bytes with the version and serves the exact top 10 from them, never an excluded item", async () => {
    const indexed = ials.withServingIndex(fitted);
    const bytes = indexed.arrays.itemIndex as Uint8Array;
    expect(bytes.byteLength).toBeGreaterThan(2 ** 20);
    const row = await save(indexed);
    const [{ parts }] = await t.db.sql.query<{ parts: number }>(
      `SELECT count(*)::int AS parts FROM model_artifacts WHERE model_version_id = $1 AND key = 'array.itemIndex'`,
      [row.id],
    );
    expect(parts).toBe(Math.ceil(bytes.byteLength / 2 ** 20));

    const stored = (await loadModelVersion(t.db, "ials", row.version))!;
    const storedBytes = stored.serialized.arrays.itemIndex;
    expect(storedBytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(storedBytes as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    expect(stored.serialized.meta.itemIndex).toEqual({ library: "usearch", metric: "ip", connectivity: 16, expansionAdd: 128, expansionSearch: 64 });

    const served = servedModelFrom(stored);
    expect((served.model as { servingIndex?: string }).servingIndex).toBe("hnsw");
    let found = 0;
    let asked = 0;
    for (const history of histories) {
      // Excluded as served: the history's items, and a few named ones.
      const excluded = new Set([...history.items, 0, 1, 2]);
      const skip = (i: number) => excluded.has(i);
      const scores = served.model.scoreHistory!(history);
      const exact = selectTopK(scores, 10, skip);
      const top = served.model.topHistory!(history, 10, skip);
      expect(top).toHaveLength(10);
      for (const s of top) {
        expect(excluded.has(s.item)).toBe(false);
        expect(s.score).toBe(scores[s.item]);
      }
      // Best first, as exact scoring orders them.
      expect(top).toEqual([...top].sort((a, b) => b.score - a.score || a.item - b.item));
      const truth = new Set(exact.map((s) => s.item));
      found += top.filter((s) => truth.has(s.item)).length;
      asked += exact.length;
    }
    expect(found / asked).toBeGreaterThanOrEqual(0.95);
  }, 300_000);

  it("serves a version stored without index bytes through the IVF index built at load", async () => {
    const row = await save(fitted);
    const stored = (await loadModelVersion(t.db, "ials", row.version))!;
    expect(Object.keys(stored.serialized.arrays)).toEqual(["itemFactors"]);
    const served = servedModelFrom(stored);
    expect((served.model as { servingIndex?: string }).servingIndex).toBe("ivf");
    const history = histories[0];
    const excluded = new Set(history.items);
    const top = served.model.topHistory!(history, 10, (i) => excluded.has(i));
    expect(top).toHaveLength(10);
    for (const s of top) expect(excluded.has(s.item)).toBe(false);
  }, 300_000);
});
