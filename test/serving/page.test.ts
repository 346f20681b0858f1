// page(userId, rails): several rails in one request, in order, no item twice,
// nothing the user has seen, one impression id, loads batched across rails.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { tinyCatalog } from "./support/tinyCatalog";
import { trainAndActivate } from "./support/trainAndServe";

const PAGE = `query($userId: ID!, $rails: [RailInput!]!) {
  page(userId: $userId, rails: $rails) {
    impressionId userId
    rails { kind title anchor { id } items { item { id features { value } } rank strategy } }
  }
}`;

const RAILS = [
  { kind: "TRENDING", window: "ALL_TIME", first: 2, filter: { features: { any: [{ facet: "genre", value: "Sci-Fi" }] } } },
  { kind: "BECAUSE_YOU_INTERACTED", itemId: "c1", first: 2 },
  { kind: "MORE_LIKE_LAST", first: 2 },
  { kind: "RECOMMENDED", first: 3, strategy: "ITEM_KNN" },
];

type Rail = { kind: string; title: string; anchor: { id: string } | null; items: { item: { id: string; features: { value: string }[] }; rank: number; strategy: string }[] };

describe.each(databaseTargets())("page on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await trainAndActivate(t.db, ["popular", "item-knn", "content"]);
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  it("builds the rails in order, anchored, without repeats or seen items", async () => {
    // u5 liked c1, c2 and then s1 (the last thing they did).
    const answer = await server.run(PAGE, { userId: "u5", rails: RAILS });
    expect(answer.errors).toBeUndefined();
    const { impressionId, userId, rails } = answer.data.page as { impressionId: string; userId: string; rails: Rail[] };
    expect(impressionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(userId).toBe("u5");
    // Trending Sci-Fi by distinct users: s1 (4, seen), s2 (3), s3 and s4 (2).
    // Like c1 (item-kNN): c2 (seen), c3. Like s1, the last thing u5 did: s2,
    // s3 (taken above), s4. Recommended: what is left unseen, j1 and n1.
    expect(rails.map((r) => [r.kind, r.title, r.anchor?.id ?? null, r.items.map((i) => i.item.id)])).toEqual([
      ["TRENDING", "Trending in Sci-Fi", null, ["s2", "s3"]],
      ["BECAUSE_YOU_INTERACTED", "Because you liked Title c1", "c1", ["c3"]],
      ["MORE_LIKE_LAST", "More like Title s1", "s1", ["s4"]],
      ["RECOMMENDED", "Recommended for you", null, ["j1", "n1"]],
    ]);
    const ids = rails.flatMap((r) => r.items.map((i) => i.item.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const seen of ["c1", "c2", "s1"]) expect(ids).not.toContain(seen);
    for (const rail of rails) expect(rail.items.map((i) => i.rank)).toEqual(rail.items.map((_, k) => k + 1));
    // The recommended rail alone: the user's ITEM_KNN list as the query gives it.
    const alone = await server.run(PAGE, { userId: "u5", rails: [RAILS[3]] });
    const direct = await server.run(`{ recommendations(userId: "u5", first: 3, strategy: ITEM_KNN) { item { id } } }`);
    expect(alone.data.page.rails[0].items.map((i: { item: { id: string } }) => i.item.id)).toEqual(direct.data.recommendations.map((r: { item: { id: string } }) => r.item.id));
    expect(rails[0].items.every((i) => i.strategy === "POPULAR" && i.item.features.some((f) => f.value === "Sci-Fi"))).toBe(true);
    // A fresh page, a fresh impression id.
    const again = await server.run(PAGE, { userId: "u5", rails: RAILS });
    expect(again.data.page.impressionId).not.toBe(impressionId);
    expect(again.data.page.rails).toEqual(rails);
  });

  it("costs a few statements per kind of rail, whatever the number of items", async () => {
    const count = async (rails: unknown[]) => {
      const statements: string[] = [];
      const off = t.db.onStatement((sql) => statements.push(sql));
      try {
        const answer = await server.run(PAGE, { userId: "u2", rails });
        expect(answer.errors).toBeUndefined();
      } finally {
        off();
      }
      return statements.length;
    };
    const fourRails = (first: number) => RAILS.map((r) => ({ ...r, first, ...(r.kind === "BECAUSE_YOU_INTERACTED" ? { itemId: "s2" } : {}) }));
    const one = await count([RAILS[0]]);
    const fewItems = await count(fourRails(2));
    const moreItems = await count(fourRails(6));
    // One rail: the user with their history (one statement), popular
    // fallback, candidates. Four: + trending's popularity read, the anchors'
    // items, and their candidates. The candidates of rails whose inputs
    // arrive in different ticks can make a second batch (seen under load on
    // PostgreSQL), hence 6 or 7; never more, and not more for more items.
    expect(one).toBe(3);
    for (const n of [fewItems, moreItems]) {
      expect(n).toBeGreaterThanOrEqual(6);
      expect(n).toBeLessThanOrEqual(7);
    }
  });

  it("gives an unknown user cold-start rails, with empty anchor rails", async () => {
    const answer = await server.run(PAGE, { userId: "stranger", rails: [{ kind: "RECOMMENDED", first: 2 }, { kind: "MORE_LIKE_LAST" }, { kind: "TRENDING", window: "ALL_TIME", first: 2 }] });
    const rails = answer.data.page.rails as Rail[];
    expect(rails.map((r) => [r.kind, r.items.length, r.anchor])).toEqual([
      ["RECOMMENDED", 2, null],
      ["MORE_LIKE_LAST", 0, null],
      ["TRENDING", 2, null],
    ]);
    expect(rails[0].items.every((i) => i.strategy === "POPULAR")).toBe(true);
    expect(rails[2].items.map((i) => i.item.id)).not.toContain(rails[0].items[0].item.id);
  });

  it.each([
    [[], "rails", "Invalid rails: must hold 1 to 8 rails; got \"0 rails\""],
    [Array.from({ length: 9 }, () => ({ kind: "TRENDING" })), "rails", "Invalid rails: must hold 1 to 8 rails; got \"9 rails\""],
    [[{ kind: "TRENDING", first: 21 }], "rails[0].first", "Invalid rails[0].first: must be an integer from 1 to 20; got 21"],
    [[{ kind: "TRENDING" }, { kind: "RECOMMENDED", itemId: "s1" }], "rails[1].itemId", "Invalid rails[1].itemId: only a BECAUSE_YOU_INTERACTED rail takes an itemId; got \"s1\""],
  ])("refuses bad rails (%#)", async (rails, argument, message) => {
    expect(await server.run(PAGE, { userId: "u5", rails })).toEqual({
      data: null,
      errors: [expect.objectContaining({ message, extensions: { code: "BAD_USER_INPUT", argument } })],
    });
  });
});
