// The GraphQL API through the real server (executeOperation runs parsing,
// validation, resolvers and error formatting), on every target database.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";

const UPSERT_ITEMS = `mutation($items: [ItemInput!]!) {
  upsertItems(items: $items) { id kind title releaseYear description attributes features { facet value weight } }
}`;
const RECORD = `mutation($interactions: [InteractionInput!]!) {
  recordInteractions(interactions: $interactions) { accepted created updated unchanged createdUsers }
}`;

const items = [
  { id: "m1", kind: "MOVIE", title: "Arrival", releaseYear: 2016, features: [{ facet: "genre", value: "Sci-Fi" }, { facet: "director", value: "Denis Villeneuve" }] },
  { id: "m2", kind: "MOVIE", title: "Airplane!", releaseYear: 1980, features: [{ facet: "genre", value: "Comedy" }] },
  { id: "m3", kind: "MOVIE", title: "Galaxy Quest", releaseYear: 1999, features: [{ facet: "genre", value: "Comedy" }, { facet: "genre", value: "Sci-Fi" }] },
  { id: "a1", kind: "MUSIC", title: "Kind of Blue", releaseYear: 1959, attributes: { label: "Columbia" }, features: [{ facet: "artist", value: "Miles Davis", weight: 2 }] },
  { id: "g1", kind: "GAME", title: "Outer Wilds", releaseYear: 2019, description: "A time loop", features: [] },
];

describe.each(databaseTargets())("GraphQL API on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    server = await startTestServer(t.db);
    const upserted = await server.run(UPSERT_ITEMS, { items });
    expect(upserted.errors).toBeUndefined();
    const users = await server.run(`mutation { upsertUsers(users: [{ id: "ann", attributes: { country: "NL" } }, { id: "bob" }]) { id attributes } }`);
    expect(users).toEqual({ data: { upsertUsers: [{ id: "ann", attributes: { country: "NL" } }, { id: "bob", attributes: {} }] } });
  });
  afterAll(async () => {
    await server.stop();
    await t.dispose();
  });

  it("upsertItems returns the items with their features", async () => {
    const again = await server.run(UPSERT_ITEMS, { items: [items[3]] });
    expect(again).toEqual({
      data: {
        upsertItems: [
          { id: "a1", kind: "MUSIC", title: "Kind of Blue", releaseYear: 1959, description: null, attributes: { label: "Columbia" }, features: [{ facet: "artist", value: "Miles Davis", weight: 2 }] },
        ],
      },
    });
  });

  it("filters items by kind and feature, with cursor pagination and totalCount", async () => {
    const query = `query($after: String) {
      items(first: 1, after: $after, filter: { kind: MOVIE, feature: { facet: "genre", value: "Comedy" } }) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { id title }
      }
    }`;
    const first = await server.run(query);
    expect(first.data.items.totalCount).toBe(2);
    expect(first.data.items.nodes).toEqual([{ id: "m2", title: "Airplane!" }]);
    expect(first.data.items.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await server.run(query, { after: first.data.items.pageInfo.endCursor });
    expect(second.data.items.nodes).toEqual([{ id: "m3", title: "Galaxy Quest" }]);
    expect(second.data.items.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it("filters by title text (case-insensitive), several features and a year range", async () => {
    const result = await server.run(`{
      byTitle: items(filter: { titleContains: "AIR" }) { nodes { id } }
      both: items(filter: { features: [{ facet: "genre", value: "Comedy" }, { facet: "genre", value: "Sci-Fi" }] }) { nodes { id } }
      years: items(filter: { releaseYear: { from: 1990, to: 2016 } }) { nodes { id } }
      kinds: items(filter: { kinds: [MUSIC, GAME] }) { nodes { id } }
    }`);
    expect(result).toEqual({
      data: {
        byTitle: { nodes: [{ id: "m2" }] },
        both: { nodes: [{ id: "m3" }] },
        years: { nodes: [{ id: "m1" }, { id: "m3" }] },
        kinds: { nodes: [{ id: "a1" }, { id: "g1" }] },
      },
    });
  });

  it("records interactions idempotently and pages a user's history newest first", async () => {
    const batch = [
      { userId: "ann", itemId: "m1", type: "RATING", value: 5, occurredAt: "2026-01-01T10:00:00Z" },
      { userId: "ann", itemId: "m2", type: "VIEW", occurredAt: "2026-01-02T10:00:00Z" },
      { userId: "ann", itemId: "a1", type: "PLAY", value: 3, occurredAt: "2026-01-03T10:00:00Z" },
      { userId: "carol", itemId: "g1", type: "PURCHASE", occurredAt: "2026-01-04T10:00:00Z" },
    ];
    expect(await server.run(RECORD, { interactions: batch })).toEqual({
      data: { recordInteractions: { accepted: 4, created: 4, updated: 0, unchanged: 0, createdUsers: 1 } },
    });
    // The same events again: nothing new; a changed rating value updates in place.
    const resend = [...batch, { ...batch[0], value: 4 }];
    expect(await server.run(RECORD, { interactions: resend })).toEqual({
      data: { recordInteractions: { accepted: 4, created: 0, updated: 1, unchanged: 3, createdUsers: 0 } },
    });
    const history = `query($after: String) { user(id: "ann") { id interactions(first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { type value occurredAt item { id title } user { id } } } } } }`;
    const page1 = await server.run(history);
    expect(page1.data.user.interactions.totalCount).toBe(3);
    expect(page1.data.user.interactions.edges).toEqual([
      { node: { type: "PLAY", value: 3, occurredAt: "2026-01-03T10:00:00.000Z", item: { id: "a1", title: "Kind of Blue" }, user: { id: "ann" } } },
      { node: { type: "VIEW", value: 1, occurredAt: "2026-01-02T10:00:00.000Z", item: { id: "m2", title: "Airplane!" }, user: { id: "ann" } } },
    ]);
    const page2 = await server.run(history, { after: page1.data.user.interactions.pageInfo.endCursor });
    expect(page2.data.user.interactions).toEqual({
      totalCount: 3,
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
      edges: [{ node: { type: "RATING", value: 4, occurredAt: "2026-01-01T10:00:00.000Z", item: { id: "m1", title: "Arrival" }, user: { id: "ann" } } }],
    });
    const byType = await server.run(`{ user(id: "ann") { interactions(type: RATING) { totalCount nodes { value } } } }`);
    expect(byType).toEqual({ data: { user: { interactions: { totalCount: 1, nodes: [{ value: 4 }] } } } });
  });

  it("answers features and catalog statistics", async () => {
    const result = await server.run(`{
      features(facet: "genre") { totalCount nodes { facet value itemCount } }
      catalogStats { items users features itemsByKind { kind count } facets { facet features } }
    }`);
    expect(result.data.features).toEqual({
      totalCount: 2,
      nodes: [
        { facet: "genre", value: "Comedy", itemCount: 2 },
        { facet: "genre", value: "Sci-Fi", itemCount: 2 },
      ],
    });
    expect(result.data.catalogStats).toMatchObject({
      items: 5,
      features: 4,
      // In the enum's declared order.
      itemsByKind: [
        { kind: "MOVIE", count: 3 },
        { kind: "MUSIC", count: 1 },
        { kind: "GAME", count: 1 },
      ],
      facets: [{ facet: "artist", features: 1 }, { facet: "director", features: 1 }, { facet: "genre", features: 2 }],
    });
  });

  it("returns null for an unknown user or item, and nulls in place for lists of ids", async () => {
    expect(await server.run(`{ user(id: "nobody") { id } item(id: "nothing") { id } itemsById(ids: ["m2", "zzz", "m1"]) { id } }`)).toEqual({
      data: { user: null, item: null, itemsById: [{ id: "m2" }, null, { id: "m1" }] },
    });
  });

  describe("bad input", () => {
    const code = (r: { errors?: any[] }) => r.errors?.map((e) => e.extensions.code);

    it("rejects an out-of-range rating, naming the argument and the value, and writes nothing", async () => {
      const before = await server.run(`{ catalogStats { interactions users } }`);
      const result = await server.run(RECORD, {
        interactions: [
          { userId: "dave", itemId: "m1", type: "RATING", value: 4 },
          { userId: "dave", itemId: "m2", type: "RATING", value: 7 },
        ],
      });
      expect(result).toEqual({
        data: null,
        errors: [
          {
            message: "Invalid interactions[1].value: a rating must be from 0.5 to 5; got 7",
            locations: [{ line: 2, column: 3 }],
            path: ["recordInteractions"],
            extensions: { code: "BAD_USER_INPUT", argument: "interactions[1].value" },
          },
        ],
      });
      expect(await server.run(`{ catalogStats { interactions users } }`)).toEqual(before);
    });

    it("rejects a batch naming an unknown item with NOT_FOUND and writes nothing, not even the new user", async () => {
      const before = await server.run(`{ catalogStats { interactions users } }`);
      const result = await server.run(RECORD, {
        interactions: [
          { userId: "erin", itemId: "m1", type: "LIKE" },
          { userId: "erin", itemId: "no-such-item", type: "LIKE" },
        ],
      });
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: 'No item with id "no-such-item"',
          extensions: { code: "NOT_FOUND", argument: "interactions.itemId", ids: ["no-such-item"] },
        }),
      ]);
      expect(await server.run(`{ catalogStats { interactions users } }`)).toEqual(before);
      expect(await server.run(`{ user(id: "erin") { id } }`)).toEqual({ data: { user: null } });
    });

    it("rejects a batch over the limit", async () => {
      const small = await startTestServer(t.db, { MARQUEE_MAX_INTERACTION_BATCH: "2" });
      const result = await small.run(RECORD, {
        interactions: [1, 2, 3].map(() => ({ userId: "ann", itemId: "m1", type: "VIEW" })),
      });
      await small.stop();
      expect(result.errors?.[0]).toMatchObject({
        message: 'Invalid interactions: at most 2 per call; got "3 interactions"',
        extensions: { code: "BAD_USER_INPUT", argument: "interactions" },
      });
    });

    it("rejects non-finite numbers and negative amounts", async () => {
      // JSON cannot carry NaN, but 1e999 parses to Infinity; GraphQL's Float refuses it.
      const inf = await server.run(RECORD, { interactions: [{ userId: "ann", itemId: "m1", type: "PLAY", value: Infinity }] });
      expect(code(inf)).toEqual(["BAD_USER_INPUT"]);
      expect(inf.errors![0].message).toMatch(/Float cannot represent non numeric value: Infinity/);
      const negative = await server.run(RECORD, { interactions: [{ userId: "ann", itemId: "m1", type: "PLAY", value: -1 }] });
      expect(negative.errors![0]).toMatchObject({
        message: "Invalid interactions[0].value: a PLAY amount must be from 0 to 1000000000; got -1",
        extensions: { code: "BAD_USER_INPUT" },
      });
    });

    it("rejects an unknown enum value in variables", async () => {
      const result = await server.run(RECORD, { interactions: [{ userId: "ann", itemId: "m1", type: "WATCH" }] });
      expect(code(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0].message).toMatch(/Value "WATCH" does not exist in "InteractionType" enum/);
    });

    it("rejects malformed cursors and first outside 1..100", async () => {
      const cursor = await server.run(`{ items(after: "not-a-cursor!") { totalCount } }`);
      expect(cursor.errors).toEqual([
        expect.objectContaining({
          message: 'Invalid after: not a cursor returned by this field; got "not-a-cursor!"',
          extensions: { code: "BAD_USER_INPUT", argument: "after" },
        }),
      ]);
      // A well-formed cursor of another field is refused too.
      const features = await server.run(`{ features(first: 1) { pageInfo { endCursor } } }`);
      const wrongKind = await server.run(`query($c: String) { items(after: $c) { totalCount } }`, { c: features.data.features.pageInfo.endCursor });
      expect(code(wrongKind)).toEqual(["BAD_USER_INPUT"]);
      for (const first of [0, -5, 101]) {
        const r = await server.run(`query($f: Int) { items(first: $f) { totalCount } }`, { f: first });
        expect(r.errors![0]).toMatchObject({ message: `Invalid first: must be an integer from 1 to 100; got ${first}`, extensions: { code: "BAD_USER_INPUT" } });
      }
    });

    it("rejects contradictory filters and a bad date", async () => {
      const r = await server.run(`{ items(filter: { kind: MOVIE, kinds: [GAME] }) { totalCount } }`);
      expect(r.errors![0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", argument: "filter.kind" } });
      const years = await server.run(`{ items(filter: { releaseYear: { from: 2000, to: 1990 } }) { totalCount } }`);
      expect(years.errors![0].extensions.code).toBe("BAD_USER_INPUT");
      const date = await server.run(RECORD, { interactions: [{ userId: "ann", itemId: "m1", type: "VIEW", occurredAt: "yesterday" }] });
      expect(date.errors![0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
      expect(date.errors![0].message).toMatch(/DateTime must be an ISO-8601 date-time/);
    });

    it("rejects blank ids, NUL characters and non-positive feature weights", async () => {
      const blank = await server.run(`mutation { upsertUsers(users: [{ id: "  " }]) { id } }`);
      expect(blank.errors![0]).toMatchObject({ message: 'Invalid users[0].id: must not be blank; got "  "', extensions: { code: "BAD_USER_INPUT" } });
      const nul = await server.run(UPSERT_ITEMS, { items: [{ id: "x\u0000y", kind: "GAME", title: "t" }] });
      expect(nul.errors![0].extensions).toEqual({ code: "BAD_USER_INPUT", argument: "items[0].id" });
      const weight = await server.run(UPSERT_ITEMS, { items: [{ id: "x", kind: "GAME", title: "t", features: [{ facet: "tag", value: "v", weight: 0 }] }] });
      expect(weight.errors![0].extensions).toEqual({ code: "BAD_USER_INPUT", argument: "items[0].features[0].weight" });
      expect(await server.run(`{ item(id: "x") { id } }`)).toEqual({ data: { item: null } });
    });

    it("rejects ids the database could not store, and cursors past the id range, with BAD_USER_INPUT", async () => {
      const ids = await server.run(`query($ids: [ID!]!) { itemsById(ids: $ids) { id } }`, { ids: ["m1", "bad\u0000id"] });
      expect(ids.errors![0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", argument: "ids[1]" } });
      const user = await server.run(`query($id: ID!) { user(id: $id) { id } }`, { id: "x".repeat(300) });
      expect(user.errors![0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", argument: "id" } });
      const huge = Buffer.from(`item:${2 ** 40}`).toString("base64url");
      const cursor = await server.run(`query($c: String) { items(after: $c) { totalCount } }`, { c: huge });
      expect(cursor.errors![0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", argument: "after" } });
    });

    it("answers NOT_FOUND when deleting an unknown user", async () => {
      const r = await server.run(`mutation { deleteUser(id: "ghost") { id } }`);
      expect(r).toEqual({
        data: null,
        errors: [{ message: 'No user with id "ghost"', locations: [{ line: 1, column: 12 }], path: ["deleteUser"], extensions: { code: "NOT_FOUND", argument: "id", ids: ["ghost"] } }],
      });
    });
  });

  it("returns the second write when one mutation upserts the same item twice", async () => {
    const r = await server.run(`mutation {
      a: upsertItems(items: [{ id: "twice", kind: GAME, title: "First" }]) { title }
      b: upsertItems(items: [{ id: "twice", kind: GAME, title: "Second" }]) { title }
    }`);
    expect(r).toEqual({ data: { a: [{ title: "First" }], b: [{ title: "Second" }] } });
  });

  it("deleteUser removes the user and all their interactions", async () => {
    await server.run(RECORD, { interactions: [{ userId: "zed", itemId: "m1", type: "LIKE" }, { userId: "zed", itemId: "m2", type: "SKIP" }] });
    const r = await server.run(`mutation { deleteUser(id: "zed") { id deletedInteractions } }`);
    expect(r).toEqual({ data: { deleteUser: { id: "zed", deletedInteractions: 2 } } });
    expect(await server.run(`{ user(id: "zed") { id } }`)).toEqual({ data: { user: null } });
    const rows = await t.db.sql.query(`SELECT 1 FROM interactions i JOIN users u ON u.id = i.user_id WHERE u.external_id = 'zed'`);
    expect(rows).toEqual([]);
  });
});
