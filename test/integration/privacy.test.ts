// exportUser returns everything stored about a user; deleteUser removes it
// all, including the user's trace in every stored model version — proved
// with SQL over the tables and the model artifacts themselves.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { tinyCatalog } from "../serving/support/tinyCatalog";
import { trainModel } from "../../src/serving/trainModel";
import { activateModelVersion } from "../../src/db/modelRepository";
import { decodeArray } from "../../src/db/modelRepository";
import { modelStoreOf } from "../../src/serving/ModelStore";

const RATING_SCALE = { min: 0.5, max: 5 };

describe.each(databaseTargets())("privacy operations on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  let u1: number;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await t.db.sql.query(`UPDATE users SET attributes = '{"country":"SE","plan":"family"}' WHERE external_id = 'u1'`);
    u1 = (await t.db.sql.query<{ id: number }>(`SELECT id FROM users WHERE external_id = 'u1'`))[0].id;
    for (const name of ["item-knn", "user-knn", "popular"]) {
      await trainModel(t.db, name, { seed: 1, ratingScale: RATING_SCALE });
      await activateModelVersion(t.db, name, 1);
    }
    await trainModel(t.db, "item-knn", { seed: 2, ratingScale: RATING_SCALE });
    await modelStoreOf(t.db).reload();
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  async function versionsHolding(userId: number): Promise<string[]> {
    const rows = await t.db.sql.query<{ name: string; version: number; data: Uint8Array }>(
      `SELECT v.name, v.version, a.data FROM model_artifacts a JOIN model_versions v ON v.id = a.model_version_id WHERE a.key = 'index.users' ORDER BY v.name, v.version`,
    );
    return rows.filter((r) => (decodeArray(r.data, "int32") as Int32Array).includes(userId)).map((r) => `${r.name}@${r.version}`);
  }

  it("exports the profile, every interaction and the model versions that hold the user", async () => {
    const answer = await server.run(`{ exportUser(id: "u1") }`);
    expect(answer).toEqual({
      data: {
        exportUser: {
          exportedAt: expect.any(String),
          user: { id: "u1", attributes: { country: "SE", plan: "family" }, createdAt: expect.any(String), updatedAt: expect.any(String) },
          interactions: [
            { itemId: "s1", itemTitle: "Title s1", type: "LIKE", value: 1, occurredAt: "2026-01-01T00:00:00.000Z" },
            { itemId: "s2", itemTitle: "Title s2", type: "LIKE", value: 1, occurredAt: "2026-01-02T00:00:00.000Z" },
            { itemId: "s3", itemTitle: "Title s3", type: "LIKE", value: 1, occurredAt: "2026-01-03T00:00:00.000Z" },
            { itemId: "s1", itemTitle: "Title s1", type: "RATING", value: 5, occurredAt: "2026-01-10T00:00:00.000Z" },
          ],
          models: [
            { name: "item-knn", version: 1, perUserData: ["userBias", "ratings"] },
            { name: "item-knn", version: 2, perUserData: ["userBias", "ratings"] },
            { name: "popular", version: 1, perUserData: [] },
            { name: "user-knn", version: 1, perUserData: ["userBias", "ratings", "neighbours"] },
          ],
        },
      },
    });
    expect(await server.run(`{ exportUser(id: "nobody") }`)).toEqual({
      data: null,
      errors: [expect.objectContaining({ message: 'No user with id "nobody"', extensions: { code: "NOT_FOUND", argument: "id", ids: ["nobody"] } })],
    });
  });

  // Every per-user artifact of the kNN versions at the user's position.
  async function userRowsAt(name: string, version: number, position: number) {
    const rows = await t.db.sql.query<{ key: string; data: Uint8Array }>(
      `SELECT a.key, a.data FROM model_artifacts a JOIN model_versions v ON v.id = a.model_version_id WHERE v.name = $1 AND v.version = $2`,
      [name, version],
    );
    const get = (key: string, dtype: "int32" | "float32" | "float64") => {
      const row = rows.find((r) => r.key === key);
      return row ? Array.from(decodeArray(row.data, dtype)) : undefined;
    };
    const ptr = get("array.ratings.indptr", "int32")!;
    const graphPtr = get("array.neighbours.indptr", "int32")!;
    const graphIdx = get("array.neighbours.indices", "int32")!;
    return {
      ratings: ptr[position + 1] - ptr[position],
      userBias: get("array.userBias", "float64")?.[position] ?? get("array.userBias", "float32")?.[position],
      // user-knn: the user's own neighbour row and every entry naming them.
      graph: name === "user-knn" ? graphPtr[position + 1] - graphPtr[position] + graphIdx.filter((i) => i === position).length : 0,
    };
  }

  it("deletes the user, their interactions and their trace in every model version, in one go", async () => {
    expect(await versionsHolding(u1)).toEqual(["item-knn@1", "item-knn@2", "popular@1", "user-knn@1"]);
    const index = (await t.db.sql.query<{ data: Uint8Array }>(
      `SELECT a.data FROM model_artifacts a JOIN model_versions v ON v.id = a.model_version_id WHERE a.key = 'index.users' AND v.name = 'user-knn'`,
    ))[0];
    const position = (decodeArray(index.data, "int32") as Int32Array).indexOf(u1);
    const held = await userRowsAt("user-knn", 1, position);
    expect(held.ratings).toBe(3);
    expect(held.graph).toBeGreaterThan(0);
    const before = await t.db.sql.query<{ name: string; revision: number }>(`SELECT name || '@' || version AS name, revision FROM model_versions ORDER BY name, version`);
    expect(await server.run(`mutation { deleteUser(id: "u1") { id deletedInteractions } }`)).toEqual({
      data: { deleteUser: { id: "u1", deletedInteractions: 4 } },
    });
    expect(await t.db.sql.query(`SELECT id FROM users WHERE id = $1 OR external_id = 'u1'`, [u1])).toEqual([]);
    expect(await t.db.sql.query(`SELECT user_id FROM interactions WHERE user_id = $1`, [u1])).toEqual([]);
    expect(await versionsHolding(u1)).toEqual([]);
    for (const [name, version] of [["user-knn", 1], ["item-knn", 1], ["item-knn", 2]] as const) {
      expect(await userRowsAt(name, version, position)).toEqual({ ratings: 0, userBias: 0, graph: 0 });
    }
    // Every rewritten version's revision went up, so other replicas reload it.
    const after = await t.db.sql.query<{ name: string; revision: number }>(`SELECT name || '@' || version AS name, revision FROM model_versions ORDER BY name, version`);
    expect(after.map((r, i) => r.revision - before[i].revision)).toEqual([1, 1, 1, 1]);
    // The served models were reloaded without the user, and keep serving.
    const again = await server.run(`{ recommendations(userId: "u2", first: 2, strategy: ITEM_KNN) { strategy } }`);
    expect(again.data.recommendations).toEqual([{ strategy: "ITEM_KNN" }, { strategy: "ITEM_KNN" }]);
    expect(await server.run(`{ exportUser(id: "u1") }`)).toMatchObject({ errors: [{ extensions: { code: "NOT_FOUND" } }] });
  });
});
