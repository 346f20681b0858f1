// Query shape limits (graphql-armor) are checked before any resolver runs.
import { buildASTSchema, getIntrospectionQuery, parse, type OperationDefinitionNode } from "graphql";
import { openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp, startTestServer, type TestServer } from "../support/testServer";
import { listCost } from "../../src/graphql/listCostLimit";
import { loadTypeDefs } from "../../src/graphql/typeDefs";
import { createApiKey } from "../../src/auth/apiKeys";

const buildSchemaOf = () => buildASTSchema(parse(loadTypeDefs().join("\n")));

describe("query limits", () => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    server = await startTestServer(t.db, { MARQUEE_MAX_QUERY_DEPTH: "6", MARQUEE_MAX_QUERY_ALIASES: "3", MARQUEE_MAX_QUERY_TOKENS: "400" });
  });
  afterAll(async () => {
    await server.stop();
    await t.dispose();
  });

  it("rejects a query deeper than the limit", async () => {
    const deep = `{ users(ids: ["a"]) { interactions { nodes { item { similar { item { similar { item { id } } } } } } } } }`;
    const r = await server.run(deep);
    expect(r.data).toBeUndefined();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(r.errors![0].message).toMatch(/Query depth limit of 6 exceeded/);
  });

  it("rejects more aliases than the limit", async () => {
    const r = await server.run(`{ a: ok b: ok c: ok d: ok }`);
    expect(r.errors![0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(r.errors![0].message).toMatch(/Aliases limit of 3 exceeded/);
  });

  it("rejects a query with more tokens than the limit", async () => {
    const r = await server.run(`{ ${Array.from({ length: 500 }, () => "ok").join(" ")} }`);
    expect(r.errors![0].extensions.code).toBe("GRAPHQL_PARSE_FAILED");
    expect(r.errors![0].message).toMatch(/Document contains more (than|that) 400 tokens/);
  });

  it("takes at most 100 ids in users(ids:) and itemsById (README: Limits)", async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `nobody-${i}`);
    for (const field of ["users", "itemsById"]) {
      const query = `query Q($ids: [ID!]!) { ${field}(ids: $ids) { id } }`;
      expect(await server.run(query, { ids: ids(100) })).toEqual({ data: { [field]: Array(100).fill(null) } });
      const over = await server.run(query, { ids: ids(101) });
      expect(over.data).toBeNull();
      expect(over.errors!.map((e) => ({ message: e.message, code: e.extensions.code, argument: e.extensions.argument }))).toEqual([
        { message: `Invalid ids: at most 100; got "101 ids"`, code: "BAD_USER_INPUT", argument: "ids" },
      ]);
    }
  });

  it("still answers ordinary queries and GraphiQL's introspection", async () => {
    expect(await server.run(`{ a: ok b: ok }`)).toEqual({ data: { a: true, b: true } });
    const introspection = await startTestServer(t.db);
    try {
      const r = await introspection.run(getIntrospectionQuery());
      expect(r.errors).toBeUndefined();
      expect(r.data.__schema.queryType.name).toBe("Query");
    } finally {
      await introspection.stop();
    }
  });
});

describe("list cost: list sizes multiplied through nesting", () => {
  let t: TestDatabase;
  let server: TestServer;
  let app: Awaited<ReturnType<typeof startHttpApp>>;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    server = await startTestServer(t.db);
    app = await startHttpApp(t.db, { MARQUEE_WORKER: "false", NODE_ENV: "production", MARQUEE_AUTH: "on" });
  });
  afterAll(async () => {
    await app.stop();
    await server.stop();
    await t.dispose();
  });

  const ids = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `u${i}`));
  const batch = (n: number, first: number) =>
    `{ users(ids: ${ids(n)}) { recommendations(first: ${first}) { item { title features { facet value } } reasons { __typename } } } }`;

  it("counts each field once per element of every list above it", () => {
    const fields = (q: string, variables: Record<string, unknown> = {}) => {
      const document = parse(q);
      return listCost(buildSchemaOf(), document, document.definitions[0] as OperationDefinitionNode, variables);
    };
    // users(1) + 5 × [recommendations(1) + 10 × (item, title, features, 10 × (facet, value), reasons)].
    expect(fields(batch(5, 10))).toBe(1 + 5 * (1 + 10 * (1 + 1 + 1 + 10 * 2 + 1)));
    // Variables count: first from a variable, ids from a variable's length.
    expect(fields(`query Q($n: Int, $ids: [ID!]!) { users(ids: $ids) { interactions(first: $n) { edges { node { value } } } } }`, { n: 7, ids: ["a", "b"] })).toBe(
      1 + 2 * (1 + 7 * (1 + 1 + 1)),
    );
  });

  it("answers the 50-user page and refuses a nested fan-out before anything runs", async () => {
    const page = await server.run(batch(50, 10));
    expect(page.errors).toBeUndefined();
    // Sizes in variables: a static cost (graphql-armor's) cannot see them.
    const bomb = `query Fan($ids: [ID!]!, $n: Int) { users(ids: $ids) { recommendations(first: $n) { item { similar(first: $n) { item { id } } } } } }`;
    const r = await server.run(bomb, { ids: JSON.parse(ids(100)), n: 100 });
    expect(r).toEqual({
      errors: [
        {
          message: "Query cost 2020101 exceeds the limit of 50000 (each field counts once per list element above it: lower `first` or the number of ids)",
          extensions: { code: "GRAPHQL_VALIDATION_FAILED", limit: "listCost", cost: 2020101, maxCost: 50000 },
        },
      ],
    });
  });

  it("is HTTP 400 over HTTP; production hides introspection and GraphiQL", async () => {
    const key = (await createApiKey(t.db, { role: "service", name: "limits" })).key;
    const bomb = `query Fan($ids: [ID!]!, $n: Int) { users(ids: $ids) { recommendations(first: $n) { item { similar(first: $n) { item { id } } } } } }`;
    const refused = await postGraphQL(app.url, { query: bomb, variables: { ids: JSON.parse(ids(100)), n: 100 } }, { authorization: `Bearer ${key}` });
    expect([refused.status, refused.json.errors[0].extensions.code]).toEqual([400, "GRAPHQL_VALIDATION_FAILED"]);
    const introspection = await postGraphQL(app.url, { query: getIntrospectionQuery() }, { authorization: `Bearer ${key}` });
    expect(introspection.json.errors[0]).toMatchObject({ extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
    expect(introspection.json.errors[0].message).toMatch(/introspection is not allowed/i);
    const graphiql = await fetch(app.url.replace("/graphql", "/graphiql"));
    expect(graphiql.status).toBe(404);
    await graphiql.text();
  });
});
