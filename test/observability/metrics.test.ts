// /metrics over real HTTP: request counts and latency by GraphQL operation
// name, errors by extensions.code (GraphQL and HTTP-level alike), root field
// timings, DataLoader batch sizes, recommendation fallbacks and process
// metrics, in Prometheus format.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp, type LoggedLine } from "../support/testServer";
import type { App } from "../../src/app";
import { observeBatch } from "../../src/observability/observeBatch";
import { Metrics, MAX_OPERATION_NAMES } from "../../src/observability/metrics";
import { trainAndActivate } from "../serving/support/trainAndServe";
import { tinyCatalog } from "../serving/support/tinyCatalog";
import { importCatalog } from "../../src/services/importService";

// The value of one sample line, e.g. sample(text, 'marquee_errors_total{code="NOT_FOUND"}').
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe.each(databaseTargets())("/metrics on %s", (target) => {
  let t: TestDatabase;
  let app: App & { logs: LoggedLine[] };
  let base: string;
  const metrics = async () => {
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return r.text();
  };
  beforeAll(async () => {
    t = await openTestDatabase(target);
    app = await startHttpApp(t.db);
    base = app.url.replace(/\/graphql$/, "");
  });
  afterAll(async () => {
    await app.stop();
    await t.dispose();
  });

  it("counts operations and their latency by operation name and type", async () => {
    const before = await metrics();
    const name = `marquee_graphql_operation_duration_seconds_count{operation="StatsForMetrics",type="query"}`;
    for (let i = 0; i < 3; i++) {
      expect((await postGraphQL(app.url, { query: `query StatsForMetrics { catalogStats { items } }` })).status).toBe(200);
    }
    await postGraphQL(app.url, { query: `{ ok }` });
    const after = await metrics();
    expect(sample(after, name) - sample(before, name)).toBe(3);
    expect(after).toMatch(/marquee_graphql_operation_duration_seconds_bucket\{le="0\.005",operation="StatsForMetrics",type="query"\} \d+/);
    expect(sample(after, `marquee_graphql_operation_duration_seconds_count{operation="anonymous",type="query"}`)).toBeGreaterThanOrEqual(1);
    const http = `marquee_http_requests_total{route="/graphql",method="POST",status="200"}`;
    expect(sample(after, http) - sample(before, http)).toBe(4);
    // Other routes have their own latency histogram.
    await fetch(`${base}/healthz`);
    expect(sample(await metrics(), `marquee_http_request_duration_seconds_count{route="/healthz"}`)).toBeGreaterThanOrEqual(1);
  });

  it("shows the model versions served", async () => {
    await importCatalog(t.db, tinyCatalog());
    await trainAndActivate(t.db, ["popular"]);
    const text = await metrics();
    expect(text).toContain("# TYPE marquee_active_model_version gauge");
    expect(sample(text, `marquee_active_model_version{model="popular"}`)).toBe(1);
  });

  it("counts recommendation answers that fell back, once per answer", async () => {
    // Only `popular` is trained (the test above): HYBRID falls back to POPULAR.
    const series = `marquee_recommendation_fallbacks_total{requested="HYBRID",served="POPULAR",surface="recommendations"}`;
    const before = sample(await metrics(), series);
    const r = await postGraphQL(app.url, { query: `{ a: recommendations(userId: "ann", first: 2) { rank } b: recommendations(userId: "u1", first: 1) { rank } c: recommendations(userId: "ann", strategy: POPULAR) { rank } }` });
    expect(r.json.errors).toBeUndefined();
    const text = await metrics();
    expect(text).toContain("# TYPE marquee_recommendation_fallbacks_total counter");
    expect(sample(text, series) - before).toBe(2);
  });

  it("labels requests that did not parse as unresolved", async () => {
    const series = `marquee_graphql_operation_duration_seconds_count{operation="unresolved",type="unknown"}`;
    const before = sample(await metrics(), series);
    await postGraphQL(app.url, { query: `query Broken {` });
    expect(sample(await metrics(), series) - before).toBe(1);
  });

  it("times root fields only, in one request out of ten", async () => {
    for (let i = 0; i < 10; i++) await postGraphQL(app.url, { query: `{ items(first: 2) { nodes { id features { value } } } }` });
    const text = await metrics();
    expect(sample(text, `marquee_graphql_root_field_duration_seconds_count{field="Query.items"}`)).toBeGreaterThanOrEqual(1);
    expect(text).not.toMatch(/field="(Item|ItemConnection)\./);
  });

  it("counts errors by the code the client saw", async () => {
    const before = await metrics();
    const codes = ["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "NOT_FOUND", "BAD_REQUEST", "PAYLOAD_TOO_LARGE", "METHOD_NOT_ALLOWED"];
    await postGraphQL(app.url, { query: `{ items(` });
    await postGraphQL(app.url, { query: `{ nope }` });
    await postGraphQL(app.url, { query: `{ items(first: -1) { totalCount } }` });
    await postGraphQL(app.url, {
      query: `mutation { recordInteractions(interactions: [{ userId: "u", itemId: "no-such-item", type: VIEW }]) { accepted } }`,
    });
    await postGraphQL(app.url, "{ not json"); // BAD_REQUEST from our own HTTP layer
    await fetch(`${app.url}?query=${encodeURIComponent("{ ok }")}`); // BAD_REQUEST from CSRF prevention
    await postGraphQL(app.url, JSON.stringify({ query: "{ ok }", variables: { pad: "x".repeat(5 * 1024 * 1024) } }));
    await fetch(app.url, { method: "PUT" });
    const after = await metrics();
    const delta = Object.fromEntries(codes.map((code) => {
      const series = `marquee_errors_total{code="${code}"}`;
      return [code, sample(after, series) - sample(before, series)];
    }));
    expect(delta).toEqual({
      GRAPHQL_PARSE_FAILED: 1,
      GRAPHQL_VALIDATION_FAILED: 1,
      BAD_USER_INPUT: 1,
      NOT_FOUND: 1,
      BAD_REQUEST: 2,
      PAYLOAD_TOO_LARGE: 1,
      METHOD_NOT_ALLOWED: 1,
    });
  });

  it("serves the favicon, and keeps 404s of paths outside the API out of the error counts", async () => {
    const before = await metrics();
    const ico = await fetch(`${base}/favicon.ico`);
    expect([ico.status, ico.headers.get("content-type")]).toEqual([200, "image/x-icon"]);
    const bytes = Buffer.from(await ico.arrayBuffer());
    // ICONDIR: reserved 0, type 1 (icon), one 16x16 image of 32 bits per pixel.
    expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2), bytes.readUInt16LE(4), bytes[6], bytes[7], bytes.readUInt16LE(12)]).toEqual([0, 1, 1, 16, 16, 32]);
    expect(bytes.length).toBe(6 + 16 + 40 + 16 * 16 * 4 + 16 * 4);
    const svg = await fetch(`${base}/favicon.svg`);
    expect([svg.status, svg.headers.get("content-type")]).toEqual([200, "image/svg+xml"]);
    expect(await svg.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const p of ["/robots.txt", "/apple-touch-icon.png", "/wp-login.php"]) {
      const r = await fetch(`${base}${p}`);
      expect(r.status).toBe(404);
      expect(await r.json()).toEqual({ errors: [{ message: `No route ${p}; the API is at /graphql`, extensions: { code: "NOT_FOUND" } }] });
    }
    // An API error with the same code still counts.
    await postGraphQL(app.url, { query: `mutation { recordInteractions(interactions: [{ userId: "u", itemId: "no-such-item", type: VIEW }]) { accepted } }` });
    const after = await metrics();
    const delta = (series: string) => sample(after, series) - sample(before, series);
    expect({
      notFound: delta(`marquee_errors_total{code="NOT_FOUND"}`),
      other404: delta(`marquee_http_requests_total{route="other",method="GET",status="404"}`),
      icon: delta(`marquee_http_requests_total{route="/favicon.ico",method="GET",status="200"}`),
    }).toEqual({ notFound: 1, other404: 3, icon: 1 });
  });

  it("records DataLoader batch sizes through observeBatch", async () => {
    observeBatch("itemById", 7);
    observeBatch("itemById", 1);
    const text = await metrics();
    expect(sample(text, `marquee_dataloader_batch_size_count{loader="itemById"}`)).toBeGreaterThanOrEqual(2);
    expect(sample(text, `marquee_dataloader_batch_size_bucket{le="5",loader="itemById"}`)).toBeGreaterThanOrEqual(1);
  });

  it("includes process metrics", async () => {
    const text = await metrics();
    for (const name of ["marquee_process_cpu_seconds_total", "marquee_process_resident_memory_bytes", "marquee_nodejs_eventloop_lag_seconds", "marquee_nodejs_heap_size_used_bytes"]) {
      expect(text).toContain(`\n${name} `);
    }
  });
});

describe("operation name labels", () => {
  it("are capped so clients cannot create series without bound", () => {
    const m = new Metrics({ processMetrics: false });
    expect(m.operationLabel(undefined)).toBe("anonymous");
    expect(m.operationLabel(null)).toBe("anonymous");
    for (let i = 0; i < MAX_OPERATION_NAMES; i++) expect(m.operationLabel(`Op${i}`)).toBe(`Op${i}`);
    expect(m.operationLabel("OneTooMany")).toBe("other");
    expect(m.operationLabel("Op0")).toBe("Op0");
  });
});
