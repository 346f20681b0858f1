// Query shape limits (graphql-armor) are checked before any resolver runs.
import { getIntrospectionQuery } from "graphql";
import { openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";

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
