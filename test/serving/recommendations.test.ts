// The recommendation API through the real server, on every target database,
// with answers worked out by hand on the tiny catalog (support/tinyCatalog).
//
// item-kNN (Jaccard over who liked what, unshrunk) similarities of s1, whose
// likers are {u1, u2, u5, ann}:
//   s2 {u1,u2,u3}: 2 shared / 5 in all = 0.4;  s3 {u1,u3}: 1/5 = 0.2;
//   s4 {u2,u3}: 1/5 = 0.2;  c1, c2 {u4,u5}: 1/5 = 0.2;  c3 {u4}: 0.
// ann liked s1 only, so her ITEM_KNN scores are exactly those; items the
// model has nothing for are filled from popularity (distinct positive users:
// s1 4, s2 3, s3 2, s4 2, c1 2, c2 2, c3 1, j1 1, n1 0).
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { tinyCatalog } from "./support/tinyCatalog";
import { trainAndActivate } from "./support/trainAndServe";

const RECS = `query($userId: ID!, $first: Int, $after: String, $filter: RecommendationFilter, $strategy: Strategy, $diversity: Float) {
  recommendations(userId: $userId, first: $first, after: $after, filter: $filter, strategy: $strategy, diversity: $diversity) {
    item { id } score rank strategy
    reasons {
      __typename
      ... on BecauseYouInteracted { item { id } weight }
      ... on SharedFeature { feature { facet value } }
      ... on SimilarUsersLiked { count }
      ... on Popular { window }
      ... on ColdStart { why }
      ... on Fallback { requested served why }
    }
  }
}`;

const close = (x: number) => expect.closeTo(x, 5);
const because = (id: string, weight: number) => ({ __typename: "BecauseYouInteracted", item: { id }, weight: close(weight) });
const popularReason = { __typename: "Popular", window: "ALL_TIME" };
const cold = (why: string) => ({ __typename: "ColdStart", why });
const fallback = (requested: string, served: string, why: string) => ({ __typename: "Fallback", requested, served, why });
// Only item-knn, user-knn, content, popular and baseline are trained here.
const hybridByItemKnn = fallback("HYBRID", "ITEM_KNN", "hybrid is not trained");

describe.each(databaseTargets())("recommendations on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await trainAndActivate(t.db, ["popular", "item-knn", "user-knn", "content", "baseline"]);
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  const recs = (variables: Record<string, unknown>) => server.run(RECS, variables);

  it("ranks by item-kNN from the user's history, explains, and fills up with popular items", async () => {
    expect(await recs({ userId: "ann", first: 7, strategy: "ITEM_KNN" })).toEqual({
      data: {
        recommendations: [
          { item: { id: "s2" }, score: close(0.4), rank: 1, strategy: "ITEM_KNN", reasons: [because("s1", 0.4)] },
          { item: { id: "s3" }, score: close(0.2), rank: 2, strategy: "ITEM_KNN", reasons: [because("s1", 0.2)] },
          { item: { id: "s4" }, score: close(0.2), rank: 3, strategy: "ITEM_KNN", reasons: [because("s1", 0.2)] },
          { item: { id: "c1" }, score: close(0.2), rank: 4, strategy: "ITEM_KNN", reasons: [because("s1", 0.2)] },
          { item: { id: "c2" }, score: close(0.2), rank: 5, strategy: "ITEM_KNN", reasons: [because("s1", 0.2)] },
          { item: { id: "c3" }, score: 1, rank: 6, strategy: "POPULAR", reasons: [popularReason] },
          { item: { id: "j1" }, score: 1, rank: 7, strategy: "POPULAR", reasons: [popularReason] },
        ],
      },
    });
  });

  it("pages with the cursor of the last result", async () => {
    const first = await server.run(`{ recommendations(userId: "ann", first: 2, strategy: ITEM_KNN) { item { id } rank cursor } }`);
    expect(first.data.recommendations.map((r: { item: { id: string } }) => r.item.id)).toEqual(["s2", "s3"]);
    const next = await server.run(`query($after: String) { recommendations(userId: "ann", first: 2, after: $after, strategy: ITEM_KNN) { item { id } rank } }`, {
      after: first.data.recommendations[1].cursor,
    });
    expect(next).toEqual({ data: { recommendations: [{ item: { id: "s4" }, rank: 3 }, { item: { id: "c1" }, rank: 4 }] } });
  });

  it("HYBRID is served by the best trained model and says which, with a Fallback reason", async () => {
    const result = await recs({ userId: "ann", first: 1 });
    expect(result).toEqual({
      data: { recommendations: [{ item: { id: "s2" }, score: close(0.4), rank: 1, strategy: "ITEM_KNN", reasons: [because("s1", 0.4), hybridByItemKnn] }] },
    });
  });

  it("USER_KNN counts the similar users who liked the item; CONTENT shares features", async () => {
    // ann {s1} against u1 {s1,s2,s3}: 1/3; u2 1/3; u5 {c1,c2,s1}: 1/3; others 0:
    // s2 is liked by u1 and u2 (2/3), s3 by u1 (1/3).
    const user = await recs({ userId: "ann", first: 2, strategy: "USER_KNN" });
    expect(user).toEqual({
      data: {
        recommendations: [
          { item: { id: "s2" }, score: close(2 / 3), rank: 1, strategy: "USER_KNN", reasons: [{ __typename: "SimilarUsersLiked", count: 2 }] },
          { item: { id: "s3" }, score: close(1 / 3), rank: 2, strategy: "USER_KNN", reasons: [{ __typename: "SimilarUsersLiked", count: 1 }] },
        ],
      },
    });
    const content = await recs({ userId: "ann", first: 2, strategy: "CONTENT" });
    expect(content).toEqual({
      data: {
        recommendations: ["s2", "s3"].map((id, k) => ({
          item: { id },
          score: close(1),
          rank: k + 1,
          strategy: "CONTENT",
          reasons: [{ __typename: "SharedFeature", feature: { facet: "genre", value: "Sci-Fi" } }],
        })),
      },
    });
  });

  it("filters by kind, features and year, and leaves out given items", async () => {
    const noSciFi = await recs({ userId: "ann", first: 3, strategy: "ITEM_KNN", filter: { kinds: ["MOVIE"], features: { none: [{ facet: "genre", value: "Sci-Fi" }] } } });
    expect(noSciFi.data.recommendations.map((r: { item: { id: string } }) => r.item.id)).toEqual(["c1", "c2", "c3"]);
    const recent = await recs({ userId: "ann", first: 5, strategy: "ITEM_KNN", filter: { releaseYear: { from: 2003 } } });
    expect(recent.data.recommendations.map((r: { item: { id: string } }) => r.item.id)).toEqual(["s3", "s4"]);
    const anyOf = await recs({ userId: "ann", first: 2, strategy: "ITEM_KNN", filter: { features: { any: [{ facet: "genre", value: "Jazz" }, { facet: "genre", value: "Comedy" }] }, excludeItems: ["c1"] } });
    expect(anyOf.data.recommendations.map((r: { item: { id: string } }) => r.item.id)).toEqual(["c2", "c3"]);
    const withSeen = await recs({ userId: "ann", first: 1, strategy: "POPULAR", filter: { excludeSeen: false } });
    expect(withSeen.data.recommendations.map((r: { item: { id: string } }) => r.item.id)).toEqual(["s1"]);
  });

  // Relevance is the position in the ranking (model results, then popular
  // fill), so s2 leads; then c1 (nothing in common with s2), then j1.
  it("diversity re-ranks by maximal marginal relevance over item features", async () => {
    const plain = await recs({ userId: "ann", first: 3, strategy: "ITEM_KNN" });
    expect(plain.data.recommendations.map((r: { item: { id: string } }) => r.item.id)).toEqual(["s2", "s3", "s4"]);
    const diverse = await recs({ userId: "ann", first: 3, strategy: "ITEM_KNN", diversity: 0.9 });
    expect(diverse.data.recommendations.map((r: { item: { id: string } }) => r.item.id)).toEqual(["s2", "c1", "j1"]);
  });

  it("answers an unknown user, a user without history and an untrained strategy with popular items and says why", async () => {
    expect(await recs({ userId: "ghost", first: 2 })).toEqual({
      data: {
        recommendations: [
          // A user the stand-in cannot personalise for is a cold start as well.
          { item: { id: "s1" }, score: 4, rank: 1, strategy: "POPULAR", reasons: [cold('unknown user "ghost"'), popularReason, hybridByItemKnn] },
          { item: { id: "s2" }, score: 3, rank: 2, strategy: "POPULAR", reasons: [cold('unknown user "ghost"'), popularReason, hybridByItemKnn] },
        ],
      },
    });
    const newbie = await recs({ userId: "newbie", first: 1, strategy: "CONTENT" });
    expect(newbie.data.recommendations[0].reasons).toEqual([cold("the user has no interactions yet"), popularReason]);
    expect(await recs({ userId: "ann", first: 1, strategy: "MATRIX_FACTORIZATION" })).toEqual({
      data: {
        recommendations: [
          {
            item: { id: "s2" },
            score: 3,
            rank: 1,
            strategy: "POPULAR",
            reasons: [popularReason, fallback("MATRIX_FACTORIZATION", "POPULAR", "ials, svd and bpr are not trained")],
          },
        ],
      },
    });
  });

  it.each([
    [{ first: 0 }, "first", "Invalid first: must be an integer from 1 to 100; got 0"],
    [{ first: 101 }, "first", "Invalid first: must be an integer from 1 to 100; got 101"],
    [{ filter: { kinds: [] } }, "filter.kinds", "Invalid filter.kinds: must not be empty (it would match nothing); got []"],
    [
      { filter: { features: { all: [{ facet: "genre", value: "Jazz" }], none: [{ facet: "genre", value: "Jazz" }] } } },
      "filter.features",
      'Invalid filter.features: the same feature is in both all and none; got {"facet":"genre","value":"Jazz"}',
    ],
    [{ filter: { releaseYear: { from: 2010, to: 2000 } } }, "filter.releaseYear", 'Invalid filter.releaseYear: from is after to; got {"from":2010,"to":2000}'],
    [{ diversity: 1.5 }, "diversity", "Invalid diversity: must be from 0 to 1; got 1.5"],
    [{ after: "not-a-cursor!" }, "after", 'Invalid after: not a cursor returned by this field; got "not-a-cursor!"'],
    // MMR is quadratic in the depth of the page: diversified lists stop at 500.
    [
      { first: 100, diversity: 0.5, after: Buffer.from("rec:9999").toString("base64url") },
      "after",
      'Invalid after: with diversity > 0 a list can be paged to its first 500 results; got "cmVjOjk5OTk"',
    ],
  ])("rejects %j as BAD_USER_INPUT naming %s", async (variables, argument, message) => {
    expect(await recs({ userId: "ann", ...variables })).toEqual({
      data: null,
      errors: [{ message, locations: [{ line: 2, column: 3 }], path: ["recommendations"], extensions: { code: "BAD_USER_INPUT", argument } }],
    });
  });

  it("reads the history at request time: a new interaction is excluded and changes the ranking", async () => {
    const before = await recs({ userId: "ann", first: 3, strategy: "ITEM_KNN" });
    expect(before.data.recommendations.map((r: { item: { id: string } }) => r.item.id)).toEqual(["s2", "s3", "s4"]);
    const recorded = await server.run(`mutation { recordInteractions(interactions: [{ userId: "ann", itemId: "s2", type: LIKE, occurredAt: "2026-02-01T00:00:00Z" }]) { created } }`);
    expect(recorded).toEqual({ data: { recordInteractions: { created: 1 } } });
    // s2's training similarities ({u1,u2,u3}): s1 0.4 (seen), s3 {u1,u3} 2/3,
    // s4 {u2,u3} 2/3, c1 and c2 0; added to s1's: s3 0.8667, s4 0.8667, c1 0.2.
    expect(await recs({ userId: "ann", first: 3, strategy: "ITEM_KNN" })).toEqual({
      data: {
        recommendations: [
          { item: { id: "s3" }, score: close(0.2 + 2 / 3), rank: 1, strategy: "ITEM_KNN", reasons: [because("s2", 2 / 3), because("s1", 0.2)] },
          { item: { id: "s4" }, score: close(0.2 + 2 / 3), rank: 2, strategy: "ITEM_KNN", reasons: [because("s2", 2 / 3), because("s1", 0.2)] },
          { item: { id: "c1" }, score: close(0.2), rank: 3, strategy: "ITEM_KNN", reasons: [because("s1", 0.2)] },
        ],
      },
    });
    // A user the model never saw is folded in from their history too.
    await server.run(`mutation { recordInteractions(interactions: [{ userId: "late", itemId: "c3", type: LIKE, occurredAt: "2026-02-01T00:00:00Z" }]) { created } }`);
    const late = await recs({ userId: "late", first: 2, strategy: "ITEM_KNN" });
    // c3 {u4}: c1 {u4,u5} 1/2, c2 1/2.
    expect(late.data.recommendations.map((r: { item: { id: string }; strategy: string }) => [r.item.id, r.strategy])).toEqual([["c1", "ITEM_KNN"], ["c2", "ITEM_KNN"]]);
  });

  it("serves the same lists as fields of User and Item", async () => {
    const result = await server.run(`{
      user(id: "u1") { recommendations(first: 1, strategy: ITEM_KNN) { item { id } } similar(first: 2) { user { id } score } }
      item(id: "s1") { similar(first: 1) { item { id } strategy } }
    }`);
    // u1 {s1,s2,s3}: u2 {s1,s2,s4} 2/4, u3 {s2,s3,s4} 2/4, ann 1/3, u5 1/5.
    expect(result).toEqual({
      data: {
        user: { recommendations: [{ item: { id: "s4" } }], similar: [{ user: { id: "u2" }, score: 0.5 }, { user: { id: "u3" }, score: 0.5 }] },
        item: { similar: [{ item: { id: "s2" }, strategy: "ITEM_KNN" }] },
      },
    });
  });

  it("similarItems by collaborative, content and embedding methods; an unknown item is NOT_FOUND", async () => {
    const query = `query($itemId: ID!, $method: SimilarityMethod) {
      similarItems(itemId: $itemId, method: $method, first: 2) {
        item { id } strategy reasons { __typename ... on SharedFeature { feature { facet value weight } } ... on ColdStart { why } ... on Fallback { requested served why } }
      }
    }`;
    const sciFi = { __typename: "SharedFeature", feature: { facet: "genre", value: "Sci-Fi", weight: 1 } };
    expect(await server.run(query, { itemId: "s1", method: "COLLABORATIVE" })).toEqual({
      data: { similarItems: [{ item: { id: "s2" }, strategy: "ITEM_KNN", reasons: [sciFi] }, { item: { id: "s3" }, strategy: "ITEM_KNN", reasons: [sciFi] }] },
    });
    expect(await server.run(query, { itemId: "s1", method: "CONTENT" })).toEqual({
      data: { similarItems: [{ item: { id: "s2" }, strategy: "CONTENT", reasons: [sciFi] }, { item: { id: "s3" }, strategy: "CONTENT", reasons: [sciFi] }] },
    });
    const why = fallback("MATRIX_FACTORIZATION", "CONTENT", "ials, bpr and svd are not trained");
    expect(await server.run(query, { itemId: "s1", method: "EMBEDDING" })).toEqual({
      data: { similarItems: [{ item: { id: "s2" }, strategy: "CONTENT", reasons: [sciFi, why] }, { item: { id: "s3" }, strategy: "CONTENT", reasons: [sciFi, why] }] },
    });
    expect(await server.run(query, { itemId: "nope" })).toEqual({
      data: null,
      errors: [{ message: 'No item with id "nope"', locations: [{ line: 2, column: 7 }], path: ["similarItems"], extensions: { code: "NOT_FOUND", argument: "itemId", ids: ["nope"] } }],
    });
  });

  it("predicts a rating from the explicit baseline, and lists popular items by kind", async () => {
    const result = await server.run(`{
      predictRating(userId: "u1", itemId: "s1") { item { id } rating model { name version algorithm } coldStart { why } }
      unknownItem: predictRating(userId: "u1", itemId: "zzz") { rating }
      popular(kind: MUSIC) { item { id } score rank strategy reasons { __typename ... on Popular { window } } }
      activeModels { name version algorithm }
    }`);
    expect(result.errors).toEqual([expect.objectContaining({ path: ["unknownItem"], extensions: { code: "NOT_FOUND", argument: "itemId", ids: ["zzz"] } })]);
    expect(result.data.predictRating).toEqual({ item: { id: "s1" }, rating: expect.any(Number), model: { name: "baseline", version: 1, algorithm: "baselineOnly" }, coldStart: null });
    expect(result.data.predictRating.rating).toBeGreaterThan(3.5);
    expect(result.data.popular).toEqual([{ item: { id: "j1" }, score: 1, rank: 1, strategy: "POPULAR", reasons: [{ __typename: "Popular", window: "ALL_TIME" }] }]);
    expect(result.data.activeModels).toEqual([
      { name: "baseline", version: 1, algorithm: "baselineOnly" },
      { name: "content", version: 1, algorithm: "contentBased" },
      { name: "item-knn", version: 1, algorithm: "itemKnn" },
      { name: "popular", version: 1, algorithm: "popularity" },
      { name: "user-knn", version: 1, algorithm: "userKnn" },
    ]);
  });
});
