// The two executors (graphql-jit, the default, and graphql-js) give the same
// whole answers: every documented example operation (README, docs/*.md,
// docs/operations, the GraphiQL tabs) on the demo catalog with trained
// models, and the error cases clients meet (bad variables, typed service
// errors, unions, masking), through the real server; over HTTP too, where the
// status code of a variable error must also agree.
import fs from "node:fs";
import path from "node:path";
import { Kind, parse, type OperationDefinitionNode } from "graphql";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp, startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { generateDemoCatalog } from "../../src/demo/demoCatalog";
import { trainModel } from "../../src/serving/trainModel";
import { activateModelVersion } from "../../src/db/modelRepository";
import { readTrainingData } from "../../src/db/trainingDataRepository";
import { loadModelStore } from "../../src/serving/ModelStore";
import { EXAMPLE_TABS } from "../../src/http/graphiql/exampleOperations";
import { CompiledOperations } from "../../src/graphql/jitExecutor";
import { createSchema } from "../../src/graphql/createApolloServer";
import type { App } from "../../src/app";

const ROOT = path.resolve(__dirname, "../..");

interface Example {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
}

function graphqlBlocks(file: string): Example[] {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```graphql\s*$/.test(lines[i])) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    out.push({ name: `${path.relative(ROOT, file)}:${i + 2}`, query: lines.slice(i + 1, end).join("\n") });
    i = end;
  }
  return out;
}

function documentedExamples(): Example[] {
  const docs = path.join(ROOT, "docs");
  const operations = path.join(docs, "operations");
  const opFiles = fs.readdirSync(operations).filter((f) => f.endsWith(".graphql"));
  const texts = new Map(opFiles.map((f) => [f, fs.readFileSync(path.join(operations, f), "utf8")]));
  const isFragments = (text: string) => parse(text).definitions.every((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  const fragments = [...texts.values()].filter(isFragments).join("\n");
  return [
    ...graphqlBlocks(path.join(ROOT, "README.md")),
    ...fs.readdirSync(docs).filter((f) => f.endsWith(".md")).flatMap((f) => graphqlBlocks(path.join(docs, f))),
    ...[...texts].filter(([, text]) => !isFragments(text)).map(([f, text]) => ({ name: `docs/operations/${f}`, query: text.includes("...") ? `${text}\n${fragments}` : text })),
    ...EXAMPLE_TABS.map((tab, i) => ({ name: `GraphiQL tab ${i}`, query: tab.query, ...(tab.variables ? { variables: JSON.parse(tab.variables) as Record<string, unknown> } : {}) })),
  ];
}

// Values for the variables the examples declare, by name (demo ids).
const VARIABLES: Record<string, unknown> = {
  after: null,
  filter: { kinds: ["MOVIE"] },
  first: 5,
  genre: "Comedy",
  id: "demo-movie-001",
  itemId: "demo-movie-001",
  user: "demo-user-001",
  userId: "demo-user-001",
  method: "CONTENT",
  strategy: "ITEM_KNN",
  interactions: [{ userId: "demo-user-002", itemId: "demo-music-010", type: "PLAY", value: 3, occurredAt: "2026-11-28T20:15:00Z" }],
  // An answer shown to demo-user-001, stored in beforeAll.
  impression: "9b2f6c1e-3c4d-4e5f-8a6b-7c8d9e0f1a2b",
};

function operationsOf(example: Example): OperationDefinitionNode[] {
  return parse(example.query).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

function variablesFor(example: Example, operation: OperationDefinitionNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of operation.variableDefinitions ?? []) {
    const name = v.variable.name.value;
    if (example.variables && name in example.variables) out[name] = example.variables[name];
    else if (name in VARIABLES) out[name] = VARIABLES[name];
    else throw new Error(`${example.name}: no test value for $${name}; add one to VARIABLES`);
  }
  return out;
}

// Answers that differ by design between two runs: a new token and its
// expiry, a new job's id and times, a page's new impression id.
const VOLATILE = new Set(["token", "expiresAt", "createdAt", "startedAt", "finishedAt", "impressionId"]);
function masked(value: unknown, parentKey = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => masked(v, parentKey));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, VOLATILE.has(k) || (parentKey === "trainModel" && k === "id") ? `<${typeof v}>` : masked(v, k)]));
  }
  return value;
}

describe.each(databaseTargets())("graphql-jit and graphql-js answer alike on %s", (target) => {
  let t: TestDatabase;
  let jit: TestServer;
  let js: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, generateDemoCatalog(42));
    const data = await readTrainingData(t.db);
    for (const name of ["popular", "item-knn", "user-knn", "content", "baseline", "ials", "ease", "hybrid", "transitions"]) {
      const { version } = await trainModel(t.db, name, { seed: 42, ratingScale: { min: 0.5, max: 5 }, data, evaluate: false });
      await activateModelVersion(t.db, name, version.version);
    }
    await loadModelStore(t.db);
    await t.db.sql.query(
      `INSERT INTO impressions (id, user_id, surface, strategy, shown_at, item_ids, ranks, scores)
       SELECT $1::uuid, id, 'recommendations', 'HYBRID', now(), '{}', '{}', '{}' FROM users WHERE external_id = 'demo-user-001'`,
      [VARIABLES.impression],
    );
    jit = await startTestServer(t.db, { MARQUEE_EXECUTOR: "jit" });
    js = await startTestServer(t.db, { MARQUEE_EXECUTOR: "graphql-js" });
  }, 300_000);
  afterAll(async () => {
    await jit?.stop();
    await js?.stop();
    await t?.dispose();
  });

  const examples = documentedExamples();

  it("finds the documented operations", () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
    expect(jit.config.executor).toBe("jit");
    expect(js.config.executor).toBe("graphql-js");
  });

  it.each(examples.map((e) => [e.name, e] as const))("%s", async (_, example) => {
    for (const operation of operationsOf(example)) {
      const variables = variablesFor(example, operation);
      const run = (server: TestServer) => server.run(example.query, variables);
      if (operation.operation === "mutation") {
        // Writes: the first run changes the database; then both executors see the same state.
        const first = await run(jit);
        const [a, b] = [await run(js), await run(jit)];
        expect(masked(b)).toEqual(masked(a));
        // An example marked "# creates:" makes something with a unique name:
        // it succeeds once, and both executors then refuse it alike.
        if (/^\s*# creates:/.test(example.query)) {
          expect(first.errors).toBeUndefined();
          expect(b.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
        } else expect(b.errors).toBeUndefined();
        // Exploring answers are random by design: an example that turns
        // exploration on is compared, then turned off for the examples after it.
        if (/setExploration/.test(example.query)) {
          for (const surface of ["recommendations", "upNext"]) await jit.run(`mutation { setExploration(surface: "${surface}", rate: 0) { rate } }`);
        }
      } else {
        const [a, b] = [await run(js), await run(jit)];
        expect(masked(b)).toEqual(masked(a));
        expect(b.errors).toBeUndefined();
        expect(b.data).toBeTruthy();
      }
    }
  });

  const RECORD = `mutation($interactions: [InteractionInput!]!) { recordInteractions(interactions: $interactions) { accepted created } }`;
  // Every row has its variables ({} for none): a shorter row would hand
  // Jest's done callback to the test as the third argument.
  const cases: [string, string, Record<string, unknown>][] = [
    ["an unknown enum value in variables", RECORD, { interactions: [{ userId: "demo-user-001", itemId: "demo-movie-001", type: "WATCH" }] }],
    ["a non-finite Float variable", RECORD, { interactions: [{ userId: "demo-user-001", itemId: "demo-movie-001", type: "PLAY", value: 1e999 }] }],
    ["a bad DateTime variable", RECORD, { interactions: [{ userId: "demo-user-001", itemId: "demo-movie-001", type: "VIEW", occurredAt: "yesterday" }] }],
    ["a missing required variable", `query($id: ID!) { item(id: $id) { id } }`, {}],
    ["a null for a non-null variable", `query($id: ID!) { item(id: $id) { id } }`, { id: null }],
    ["an unknown item in a write (NOT_FOUND)", RECORD, { interactions: [{ userId: "demo-user-001", itemId: "no-such-item", type: "VIEW" }] }],
    ["a rating off the scale (BAD_USER_INPUT from the service)", RECORD, { interactions: [{ userId: "demo-user-001", itemId: "demo-movie-001", type: "RATING", value: 9 }] }],
    ["first outside 1..100", `{ recommendations(userId: "demo-user-001", first: 0) { rank } }`, {}],
    ["a malformed cursor", `{ items(first: 2, after: "nonsense") { nodes { id } } }`, {}],
    ["an unknown user: cold start with its reason (a union)", `{ recommendations(userId: "nobody", first: 3) { rank strategy reasons { __typename ... on ColdStart { why } ... on Popular { window } } } }`, {}],
    ["a strategy whose model is not trained: a Fallback reason (a union member)", `{ recommendations(userId: "demo-user-001", first: 3, strategy: NEURAL) { rank strategy reasons { __typename ... on Fallback { requested served why } ... on Popular { window } } } }`, {}],
    ["reasons of every kind, aliases and fragments", `fragment R on Recommendation { rank score item { id title features(facet: "genre") { value } } }
      query { a: recommendations(userId: "demo-user-001", first: 4) { ...R reasons { __typename ... on BecauseYouInteracted { item { id } weight } ... on SharedFeature { feature { facet value } weight } ... on SimilarUsersLiked { count } } }
              b: recommendations(userId: "demo-user-002", first: 3, strategy: CONTENT) { ...R reasons { __typename } }
              c: recommendations(userId: "demo-user-003", first: 3, strategy: USER_KNN) { ...R reasons { __typename ... on SimilarUsersLiked { count } } } }`, {}],
    ["@skip and @include", `query($no: Boolean!) { item(id: "demo-movie-001") { id title @skip(if: $no) kind @include(if: $no) } }`, { no: true }],
    ["lists of ids with nulls in place", `{ itemsById(ids: ["demo-movie-001", "missing", "demo-game-001"]) { id } users(ids: ["demo-user-001", "ghost"]) { id } }`, {}],
    ["nested connections with totalCount", `{ user(id: "demo-user-001") { interactions(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { type value occurredAt item { id kind } } } } } features(facet: "genre", first: 3) { totalCount nodes { value itemCount } } }`, {}],
    ["JSON scalar, predictions and similar users", `{ predictRating(userId: "demo-user-001", itemId: "demo-movie-002") { rating coldStart { why } model { name } } similarUsers(userId: "demo-user-001", first: 3) { score user { id } } item(id: "demo-movie-001") { attributes similar(first: 3, method: COLLABORATIVE) { score item { id } } } }`, {}],
    ["introspection", `{ __schema { queryType { name } types { name kind } } __type(name: "Strategy") { enumValues { name } } }`, {}],
    ["a page with rails", `{ page(userId: "demo-user-001", rails: [{ kind: FOR_YOU, first: 3 }, { kind: TRENDING, first: 2 }]) { userId rails { kind title items { rank item { id } } } } }`, {}],
  ];

  it.each(cases)("errors and edge cases: %s", async (_, query, variables) => {
    const [a, b] = [await js.run(query, variables), await jit.run(query, variables)];
    expect(b).toEqual(a);
  });
});

describe.each(databaseTargets())("both executors over HTTP on %s", (target) => {
  let t: TestDatabase;
  const apps: App[] = [];
  beforeAll(async () => {
    t = await openTestDatabase(target);
    for (const executor of ["jit", "graphql-js"]) apps.push(await startHttpApp(t.db, { MARQUEE_EXECUTOR: executor, MARQUEE_WORKER: "false" }));
  }, 120_000);
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await t?.dispose();
  });

  it("answers a bad variable with HTTP 400 and BAD_USER_INPUT, and a masked failure alike", async () => {
    const bad = { query: `query($n: Int!) { items(first: $n) { totalCount } }`, variables: { n: "ten" } };
    const [a, b] = await Promise.all(apps.map((app) => postGraphQL(app.url, bad)));
    expect([b.status, b.json]).toEqual([a.status, a.json]);
    expect(a.status).toBe(400);
    expect(a.json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const ok = await Promise.all(apps.map((app) => postGraphQL(app.url, { query: `{ items(first: 2) { totalCount nodes { id } } ok }` })));
    expect(ok[1].json).toEqual(ok[0].json);
    expect(ok[0].json).toEqual({ data: { items: { totalCount: 0, nodes: [] }, ok: true } });
  });
});

describe("compiled operations cache", () => {
  const schema = createSchema();
  const doc = (text: string) => parse(text);

  it("compiles an operation once, keeps at most its bound, dropping the least recently used", () => {
    const ops = new CompiledOperations(schema, 2);
    const q1 = "{ ok }";
    const q2 = "{ items(first: 1) { totalCount } }";
    const q3 = "{ features { totalCount } }";
    const first = ops.runner(q1, doc(q1), null);
    expect(ops.runner(q1, doc(q1), null)).toBe(first);
    expect(ops.stats).toMatchObject({ compiled: 1, hits: 1, size: 1 });
    ops.runner(q2, doc(q2), null);
    ops.runner(q1, doc(q1), null); // q1 is now the most recent
    ops.runner(q3, doc(q3), null); // evicts q2
    expect(ops.stats).toMatchObject({ compiled: 3, hits: 2, evictions: 1, size: 2 });
    ops.runner(q1, doc(q1), null);
    expect(ops.stats.hits).toBe(3);
    ops.runner(q2, doc(q2), null);
    expect(ops.stats.compiled).toBe(4);
  });

  it("keys by operation name as well as source, and runs what graphql-jit cannot compile on graphql-js", () => {
    const ops = new CompiledOperations(schema, 10);
    const text = "query A { ok } query B { ok }";
    expect(ops.runner(text, doc(text), "A").kind).toBe("compiled");
    expect(ops.runner(text, doc(text), "B").kind).toBe("compiled");
    // An operation name the document lacks: graphql-jit refuses to compile,
    // so graphql-js runs it (and answers with its own error).
    expect(ops.runner(text, doc(text), "C").kind).toBe("fallback");
    expect(ops.stats).toMatchObject({ compiled: 2, fallbacks: 1, size: 3 });
  });
});
