// Batching before scoring: recommendations for many users cost a constant
// number of SQL statements. Every user's history comes from one statement
// (a DataLoader over all users of the request), every candidate item's row
// and features from one more, whatever the number of users.
import { countStatements, databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import type { CatalogData } from "../../src/importers/CatalogData";
import { trainAndActivate } from "./support/trainAndServe";

const N = 50;
const pad = (n: number) => String(n).padStart(3, "0");

// 2N items with a genre and a tag; user k liked items k, k+1 and N+k, so
// neighbouring users overlap and item-kNN has neighbours to offer.
function catalog(): CatalogData {
  const items = Array.from({ length: 2 * N }, (_, i) => ({
    externalId: `item-${pad(i)}`,
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
  const users = Array.from({ length: N }, (_, k) => ({ externalId: `user-${pad(k)}`, attributes: {} }));
  const interactions = users.flatMap((u, k) =>
    [k, k + 1, N + k].map((i, n) => ({
      userExternalId: u.externalId,
      itemExternalId: items[i].externalId,
      type: "LIKE" as const,
      value: 1,
      occurredAt: new Date(Date.UTC(2026, 0, 1 + n)),
    })),
  );
  return { items, users, interactions };
}

const QUERY = `query($userIds: [ID!]!, $strategy: Strategy) {
  users(ids: $userIds) {
    id
    recommendations(first: 10, strategy: $strategy) { item { title features { facet value } } reasons { __typename } }
  }
}`;

// What each statement is, by what it reads.
function classify(sql: string): string {
  if (/FROM "public"\."users"|FROM users WHERE external_id/.test(sql)) return "users by id";
  if (/FROM interactions i\s+WHERE i\.user_id = ANY/.test(sql)) return "histories of the users";
  if (/json_agg\(json_build_object/.test(sql)) return "candidate items with features";
  if (/count\(DISTINCT i\.user_id\)/.test(sql)) return "popularity fallback";
  return `other: ${sql.slice(0, 80)}`;
}

describe.each(databaseTargets())("recommendation statement counts on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, catalog());
    await trainAndActivate(t.db, ["popular", "item-knn", "content"]);
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  async function run(n: number, strategy: string) {
    const userIds = Array.from({ length: n }, (_, k) => `user-${pad(k)}`);
    const { result, statements } = await countStatements(t.db, () => server.run(QUERY, { userIds, strategy }));
    expect(result.errors).toBeUndefined();
    expect(result.data.users).toHaveLength(n);
    for (const user of result.data.users) {
      expect(user.recommendations).toHaveLength(10);
      for (const r of user.recommendations) {
        expect(r.item.title).toMatch(/^Item \d+$/);
        expect(r.item.features).toHaveLength(2);
        expect(r.reasons.length).toBeGreaterThan(0);
      }
    }
    return statements.map(classify).sort();
  }

  it.each(["ITEM_KNN", "CONTENT", "HYBRID"])("%s: the same 3 statements for 5 and for 50 users", async (strategy) => {
    const five = await run(5, strategy);
    const fifty = await run(N, strategy);
    expect(fifty).toEqual(five);
    // One each:
    //  - users by id: `users(ids:)`;
    //  - histories of the users: every user's interactions, one statement;
    //  - candidate items with features: the ranked candidates of every user
    //    (rows, kind, year, features), which also prime `item { title features }`.
    expect(fifty).toEqual(["candidate items with features", "histories of the users", "users by id"]);
  });

  it("selecting BecauseYouInteracted.item adds one statement for the evidence items, still constant", async () => {
    const query = `query($userIds: [ID!]!) {
      users(ids: $userIds) { recommendations(first: 10, strategy: ITEM_KNN) { item { id } reasons { ... on BecauseYouInteracted { item { title } } } } }
    }`;
    const count = async (n: number) => {
      const userIds = Array.from({ length: n }, (_, k) => `user-${pad(k)}`);
      const { result, statements } = await countStatements(t.db, () => server.run(query, { userIds }));
      expect(result.errors).toBeUndefined();
      return statements.length;
    };
    const five = await count(5);
    expect(await count(N)).toBe(five);
    // users, histories, candidate items, and at most one batch of items by
    // id for evidence items that were not candidates (here they all were:
    // every user's history items are other users' candidates).
    expect(five).toBeLessThanOrEqual(4);
  });
});
