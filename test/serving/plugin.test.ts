// How the models still in progress (svd, ials, bpr ...) will be served: a
// model without scoreHistory is scored with scoreAll(training index) for users
// it knows, with everything in the user's CURRENT history masked; a user it
// was not trained on falls back to POPULAR and says why. A stand-in "svd"
// (item-kNN's scores behind a Model with no fold-in) plays the part here.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { itemKnn } from "../../src/engine/algorithms/itemKnn";
import type { Algorithm, Model, SerializedModel } from "../../src/engine/types";
import { registerServingAlgorithm } from "../../src/serving/servingAlgorithms";
import { tinyCatalog } from "./support/tinyCatalog";
import { trainAndActivate } from "./support/trainAndServe";

function withoutFoldIn(model: Model): Model {
  return {
    name: "standInSvd",
    scoreAll: (u) => model.scoreAll(u),
    serialize: (): SerializedModel => ({ ...model.serialize!(), algorithm: "standInSvd" }),
  };
}

const standIn: Algorithm = {
  name: "standInSvd",
  defaults: {},
  fit: (data, _params, options) => withoutFoldIn(itemKnn.fit(data, { similarity: "jaccard", shrinkage: 0 }, options)),
  deserialize: (s) => withoutFoldIn(itemKnn.deserialize!({ ...s, algorithm: "itemKnn" })),
};

registerServingAlgorithm({ name: "svd", algorithm: standIn, strategy: "MATRIX_FACTORIZATION", explicit: false });

const QUERY = `query($userId: ID!) {
  recommendations(userId: $userId, first: 3, strategy: MATRIX_FACTORIZATION) { item { id } strategy reasons { __typename ... on ColdStart { why } } }
}`;

describe.each(databaseTargets())("a model without fold-in on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await trainAndActivate(t.db, ["popular", "svd"]);
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  it("scores a known user from the training index and masks what they have seen since", async () => {
    // As item-kNN for ann: s2 0.4, then s3, s4 0.2 (no evidence without explain()).
    const before = await server.run(QUERY, { userId: "ann" });
    expect(before).toEqual({
      data: { recommendations: ["s2", "s3", "s4"].map((id) => ({ item: { id }, strategy: "MATRIX_FACTORIZATION", reasons: [] })) },
    });
    await server.run(`mutation { recordInteractions(interactions: [{ userId: "ann", itemId: "s2", type: LIKE, occurredAt: "2026-02-01T00:00:00Z" }]) { created } }`);
    // The model cannot fold s2 in, but s2 is no longer offered.
    const after = await server.run(QUERY, { userId: "ann" });
    expect(after.data.recommendations.map((r: { item: { id: string } }) => r.item.id)).toEqual(["s3", "s4", "c1"]);
  });

  it("falls back to POPULAR for a user the model was not trained on, and says why", async () => {
    await server.run(`mutation { recordInteractions(interactions: [{ userId: "late", itemId: "c3", type: LIKE, occurredAt: "2026-02-01T00:00:00Z" }]) { created } }`);
    const why = { __typename: "ColdStart", why: "MATRIX_FACTORIZATION was trained before the user's first interaction" };
    expect(await server.run(QUERY, { userId: "late" })).toEqual({
      data: {
        recommendations: ["s1", "s2", "s3"].map((id) => ({ item: { id }, strategy: "POPULAR", reasons: [why, { __typename: "Popular" }] })),
      },
    });
  });
});
