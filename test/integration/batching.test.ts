// A query's SQL statement count must not grow with the number of users or
// items it touches: every nested field resolves through a per-request
// DataLoader that turns the loads of one tick into one statement.
import { countStatements, databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import type { CatalogData } from "../../src/importers/CatalogData";

const N = 50;

// 2N items with two features each; N users; user k interacted with item N+k
// (items outside the first page, so no loader is primed by the page query).
function catalog(): CatalogData {
  const items = Array.from({ length: 2 * N }, (_, i) => ({
    externalId: `item-${String(i).padStart(3, "0")}`,
    kind: "MOVIE" as const,
    title: `Item ${i}`,
    releaseYear: 2000 + (i % 20),
    description: null,
    attributes: {},
    features: [
      { facet: "genre", value: `g${i % 7}`, weight: 1 },
      { facet: "tag", value: `t${i}`, weight: 1 },
    ],
  }));
  const users = Array.from({ length: N }, (_, k) => ({ externalId: `user-${String(k).padStart(3, "0")}`, attributes: {} }));
  const interactions = users.map((u, k) => ({
    userExternalId: u.externalId,
    itemExternalId: items[N + k].externalId,
    type: "RATING" as const,
    value: 4,
    occurredAt: new Date(Date.UTC(2026, 0, 1 + k)),
  }));
  return { items, users, interactions };
}

const QUERY = `query($n: Int!, $userIds: [ID!]!) {
  items(first: $n) { totalCount nodes { id title features { facet value weight } } }
  users(ids: $userIds) {
    id
    interactions(first: 1) { nodes { type value item { id title features { facet value } } user { id } } }
  }
}`;

// What each statement is, by the table it reads.
function classify(sql: string): string {
  if (/FROM "public"\."items".*ORDER BY/s.test(sql) && /LIMIT/.test(sql)) return "items page";
  if (/SELECT COUNT\(\*\)/i.test(sql) && /"items"/.test(sql)) return "items count";
  if (/FROM item_features/.test(sql)) return "features of items";
  if (/CROSS JOIN LATERAL/.test(sql)) return "interaction pages";
  if (/FROM "public"\."users"|FROM users WHERE external_id/.test(sql)) return "users by id";
  if (/FROM "public"\."items"/.test(sql)) return "items by id";
  return `other: ${sql.slice(0, 80)}`;
}

describe.each(databaseTargets())("statement counts on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, catalog());
    server = await startTestServer(t.db);
  });
  afterAll(async () => {
    await server.stop();
    await t.dispose();
  });

  async function run(n: number) {
    const userIds = Array.from({ length: n }, (_, k) => `user-${String(k).padStart(3, "0")}`);
    const { result, statements } = await countStatements(t.db, () => server.run(QUERY, { n, userIds }));
    expect(result.errors).toBeUndefined();
    expect(result.data.items.nodes).toHaveLength(n);
    expect(result.data.users).toHaveLength(n);
    for (const [k, user] of result.data.users.entries()) {
      expect(user.interactions.nodes).toEqual([
        {
          type: "RATING",
          value: 4,
          item: { id: `item-${String(N + k).padStart(3, "0")}`, title: `Item ${N + k}`, features: [{ facet: "genre", value: `g${(N + k) % 7}` }, { facet: "tag", value: `t${N + k}` }] },
          user: { id: user.id },
        },
      ]);
    }
    return statements.map(classify).sort();
  }

  it("costs the same statements for 5 and for 50 items and users, one per list or batch", async () => {
    const five = await run(5);
    const fifty = await run(N);
    expect(fifty).toEqual(five);
    // The statements, one each:
    //  - items page: the first page of `items` (one SELECT ... LIMIT n+1);
    //  - items count: its totalCount;
    //  - users by id: `users(ids:)` (Interaction.user is then served from the primed loader);
    //  - features of items: once for the page's items, once for the interactions'
    //    items (they are loaded a tick later, so they form a second batch);
    //  - interaction pages: every user's `interactions(first: 1)` in one LATERAL join;
    //  - items by id: the interactions' items.
    expect(fifty).toEqual(
      ["features of items", "features of items", "interaction pages", "items by id", "items count", "items page", "users by id"].sort(),
    );
  });
});
