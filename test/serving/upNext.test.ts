// upNext, the SEQUENTIAL strategy and the UP_NEXT rail over real HTTP, on a
// catalog made of orders: two series watched episode after episode (e1 → e2
// → e3 → e4) and a trilogy (m1 → m2 → m3), by users who each stopped
// somewhere. What follows what is all there is to learn, so the answers can
// be read off the histories: after e1 comes e2, after m1 comes m2.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp } from "../support/testServer";
import type { App } from "../../src/app";
import type { CatalogData } from "../../src/importers/CatalogData";
import { importCatalog } from "../../src/services/importService";
import { trainAndActivate } from "./support/trainAndServe";

const day = (d: number) => new Date(Date.UTC(2026, 0, d));

function seriesCatalog(): CatalogData {
  const ids = ["e1", "e2", "e3", "e4", "m1", "m2", "m3", "p1"];
  const items = ids.map((externalId) => ({
    externalId,
    kind: "SHOW" as const,
    title: `Title ${externalId}`,
    releaseYear: 2020,
    description: null,
    attributes: {},
    features: [{ facet: "genre", value: externalId[0] === "e" ? "Drama" : "Adventure", weight: 1 }],
  }));
  const histories: [string, string[]][] = [
    ["v1", ["e1", "e2", "e3", "e4"]],
    ["v2", ["e1", "e2", "e3"]],
    ["v3", ["e1", "e2"]],
    ["v4", ["m1", "m2", "m3"]],
    ["v5", ["m1", "m2", "m3"]],
    ["v6", ["m1", "m2"]],
    // p1 is the most popular item and follows nothing in particular.
    ["v7", ["p1"]],
    ["v8", ["p1"]],
    ["v9", ["p1"]],
    ["v10", ["p1"]],
    ["v11", ["p1"]],
    ["ann", ["e1"]],
  ];
  // Recorded out of time order: the sequence comes from the times.
  const interactions = histories.flatMap(([user, seq]) =>
    seq.map((item, k) => ({ userExternalId: user, itemExternalId: item, type: "VIEW" as const, value: 1, occurredAt: day(1 + k) })).reverse(),
  );
  const users = [...histories.map(([id]) => id), "newbie"].map((externalId) => ({ externalId, attributes: {} }));
  return { items, users, interactions };
}

const UP_NEXT = `query($userId: ID, $first: Int, $context: SessionContext) {
  upNext(userId: $userId, first: $first, context: $context) {
    rank item { id } strategy
    reasons {
      __typename
      ... on BecauseYouJustInteracted { item { id } }
      ... on ColdStart { why }
      ... on Fallback { requested served why }
    }
  }
}`;

const justInteracted = (id: string) => ({ __typename: "BecauseYouJustInteracted", item: { id } });
const popular = { __typename: "Popular" };
const fallback = (served: string, why: string) => ({ __typename: "Fallback", requested: "SEQUENTIAL", served, why });
const standIn = fallback("SEQUENTIAL", "transitions is not trained");

describe.each(databaseTargets())("upNext on %s", (target) => {
  let t: TestDatabase;
  let app: App;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, seriesCatalog());
    app = await startHttpApp(t.db);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await t?.dispose();
  });

  const upNext = async (variables: Record<string, unknown>) => (await postGraphQL(app.url, { query: UP_NEXT, variables })).json;
  const ids = (answer: any) => answer.data.upNext.map((r: { item: { id: string } }) => r.item.id);

  it("with no sequence model trained, serves popular items and says which models are missing", async () => {
    const why = fallback("POPULAR", "transitions, gru4rec and sasrec are not trained");
    expect(await upNext({ userId: "ann", first: 1 })).toEqual({
      data: { upNext: [{ rank: 1, item: { id: "p1" }, strategy: "POPULAR", reasons: [popular, why] }] },
    });
  });

  it("with a neural sequence model trained but not transitions, serves it and says transitions is missing", async () => {
    await trainAndActivate(t.db, ["popular", "sasrec"]);
    const answer = await upNext({ userId: "ann", first: 3 });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.upNext).toHaveLength(3);
    for (const r of answer.data.upNext) {
      expect(r.strategy).toBe("SEQUENTIAL");
      expect(r.item.id).not.toBe("e1");
      expect(r.reasons[r.reasons.length - 1]).toEqual(standIn);
    }
  }, 120_000);

  describe("with transitions trained", () => {
    beforeAll(async () => {
      await trainAndActivate(t.db, ["transitions"]);
    }, 120_000);

    it("answers what follows the user's latest item, with the item that leads to it", async () => {
      const answer = await upNext({ userId: "ann", first: 3 });
      expect(answer.errors).toBeUndefined();
      expect(ids(answer)).toEqual(["e2", "e3", "e4"]);
      expect(answer.data.upNext[0]).toEqual({ rank: 1, item: { id: "e2" }, strategy: "SEQUENTIAL", reasons: [justInteracted("e1")] });
    });

    it("reads its own writes: after a recorded view of e2 the next answer starts from e2", async () => {
      const recorded = await postGraphQL(app.url, {
        query: `mutation { recordInteractions(interactions: [{ userId: "ann", itemId: "e2", type: VIEW, occurredAt: "2026-01-05T00:00:00Z" }]) { accepted } }`,
      });
      expect(recorded.json).toEqual({ data: { recordInteractions: { accepted: 1 } } });
      const answer = await upNext({ userId: "ann", first: 2 });
      expect(ids(answer)).toEqual(["e3", "e4"]);
      expect(answer.data.upNext[0].reasons[0]).toEqual(justInteracted("e2"));
    });

    it("serves an anonymous session from its items alone, in their order", async () => {
      const one = await upNext({ context: { items: ["m1"] }, first: 2 });
      expect(ids(one)).toEqual(["m2", "m3"]);
      expect(one.data.upNext[0].reasons).toEqual([justInteracted("m1")]);
      // The latest item leads: after m1 then m2, m3 comes first.
      expect(ids(await upNext({ context: { items: ["m1", "m2"] }, first: 1 }))).toEqual(["m3"]);
      // A signed-in user's session goes after their history (e1, e2): both
      // lead, the session's m1 most (the latest), and m1 itself is left out.
      const mixed = await upNext({ userId: "ann", context: { items: ["m1"] }, first: 3 });
      expect(ids(mixed)).toEqual(expect.arrayContaining(["e3", "m2"]));
      const m2 = mixed.data.upNext.find((r: any) => r.item.id === "m2");
      expect(m2.reasons[0]).toEqual(justInteracted("m1"));
    });

    it("is the same list as recommendations(strategy: SEQUENTIAL), and fills the UP_NEXT rail", async () => {
      const recs = await postGraphQL(app.url, { query: `{ recommendations(userId: "ann", first: 2, strategy: SEQUENTIAL) { item { id } strategy } }` });
      expect(recs.json).toEqual({ data: { recommendations: [{ item: { id: "e3" }, strategy: "SEQUENTIAL" }, { item: { id: "e4" }, strategy: "SEQUENTIAL" }] } });
      const page = await postGraphQL(app.url, { query: `{ page(userId: "ann", rails: [{ kind: UP_NEXT, first: 2 }]) { rails { kind title items { item { id } } } } }` });
      expect(page.json).toEqual({ data: { page: { rails: [{ kind: "UP_NEXT", title: "Up next", items: [{ item: { id: "e3" } }, { item: { id: "e4" } }] }] } } });
    });

    it("gives a cold start with its reason when there is nothing to go on", async () => {
      const cold = (why: string) => ({ data: { upNext: [{ rank: 1, item: { id: "p1" }, strategy: "POPULAR", reasons: [{ __typename: "ColdStart", why }, popular] }] } });
      expect(await upNext({ userId: "ghost", first: 1 })).toEqual(cold('unknown user "ghost"'));
      expect(await upNext({ userId: "ghost", first: 1, context: { items: [] } })).toEqual(cold('unknown user "ghost"'));
      expect(await upNext({ first: 1 })).toEqual(cold("no user and an empty session"));
      expect(await upNext({ userId: "newbie", first: 1 })).toEqual(cold("the user has no interactions yet"));
    });

    it("refuses unknown context items (all named) and sessions over 200 items", async () => {
      const unknown = await upNext({ context: { items: ["m1", "zz1", "zz2", "zz1"] } });
      expect(unknown.data).toBeNull();
      expect(unknown.errors).toEqual([
        expect.objectContaining({ message: 'No item with id "zz1", "zz2"', extensions: expect.objectContaining({ code: "NOT_FOUND", argument: "context.items", ids: ["zz1", "zz2"] }) }),
      ]);
      const long = await upNext({ context: { items: Array.from({ length: 201 }, () => "m1") } });
      expect(long.errors.map((e: any) => e.extensions.code)).toEqual(["BAD_USER_INPUT"]);
      expect(long.errors[0].message).toContain("context.items");
    });
  });
});
