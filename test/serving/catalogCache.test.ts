// The catalog cache: candidate items stay in memory, so a warm
// recommendation request reads only users and histories; an upsert here
// invalidates at once, one on another replica within a refresh; histories
// are never cached (read-your-writes).
import { createDatabase } from "../../src/db/createDatabase";
import type { Database } from "../../src/db/Database";
import { enableCatalogCache } from "../../src/loaders/catalogCache";
import { importCatalog } from "../../src/services/importService";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { tinyCatalog } from "./support/tinyCatalog";
import { trainAndActivate } from "./support/trainAndServe";

const BATCH = `{ users(ids: ["u1", "u2", "u3", "u4", "ann"]) { recommendations(first: 3, strategy: ITEM_KNN) { item { id title features { value } } } } }`;

describe.each(databaseTargets())("catalog cache on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await trainAndActivate(t.db, ["popular", "item-knn"]);
    await enableCatalogCache(t.db).refresh(t.db);
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  async function statementsOf(query: string): Promise<{ answer: any; statements: string[] }> {
    const statements: string[] = [];
    const off = t.db.onStatement((sql) => statements.push(sql.replace(/\s+/g, " ").slice(0, 60)));
    try {
      return { answer: await server.run(query), statements };
    } finally {
      off();
    }
  }

  it("reads candidates once, then serves them from memory with the same answer", async () => {
    const cold = await statementsOf(BATCH);
    const warm = await statementsOf(BATCH);
    expect(warm.answer).toEqual(cold.answer);
    expect(cold.answer.errors).toBeUndefined();
    expect(cold.statements.length - warm.statements.length).toBeGreaterThanOrEqual(1);
    expect(warm.statements.some((s) => /FROM items i/.test(s))).toBe(false);
    // Users and their histories are read on every request.
    expect(warm.statements).toHaveLength(2);
  });

  it("shows this process's upsert at once, and an interaction at once", async () => {
    await server.run(BATCH);
    const upsert = await server.run(`mutation { upsertItems(items: [{ id: "s3", kind: MOVIE, title: "Renamed s3", features: [{ facet: "genre", value: "Sci-Fi" }] }]) { id } }`);
    expect(upsert.errors).toBeUndefined();
    const after = await server.run(`{ recommendations(userId: "ann", first: 9, strategy: ITEM_KNN) { item { id title } } }`);
    expect(after.data.recommendations).toContainEqual({ item: { id: "s3", title: "Renamed s3" } });
    await server.run(`mutation { recordInteractions(interactions: [{ userId: "ann", itemId: "s3", type: LIKE }]) { accepted } }`);
    const seen = await server.run(`{ recommendations(userId: "ann", first: 9, strategy: ITEM_KNN) { item { id } } }`);
    expect(seen.data.recommendations.map((r: { item: { id: string } }) => r.item.id)).not.toContain("s3");
  });

  if (target === "postgres") {
    it("sees another replica's upsert after its refresh", async () => {
      const replica: Database = await createDatabase({ databaseUrl: t.url!, poolSize: 2 });
      const other = await startTestServer(replica);
      try {
        const cache = enableCatalogCache(replica);
        await cache.refresh(replica);
        const title = async () =>
          (await other.run(`{ recommendations(userId: "u4", first: 9, strategy: ITEM_KNN) { item { id title } } }`)).data.recommendations.find(
            (r: { item: { id: string } }) => r.item.id === "s2",
          )?.item.title;
        expect(await title()).toBe("Title s2");
        await server.run(`mutation { upsertItems(items: [{ id: "s2", kind: MOVIE, title: "Renamed s2", features: [{ facet: "genre", value: "Sci-Fi" }] }]) { id } }`);
        expect(await title()).toBe("Title s2");
        expect(await cache.refresh(replica)).toBe(true);
        expect(await title()).toBe("Renamed s2");
        expect(await cache.refresh(replica)).toBe(false);
      } finally {
        await other.stop();
        await replica.close();
      }
    });
  }
});
