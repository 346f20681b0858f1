// Prometheus metrics for the service, exposed at /metrics. One registry per
// process (as Prometheus expects one set of series per target); label values
// that clients choose (operation names) are capped so a client cannot grow
// the number of series without bound.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

// Most distinct operation names kept as label values; later ones become "other".
export const MAX_OPERATION_NAMES = 200;

// Seconds; from 1 ms (a cached lookup) to 10 s (a slow recommendation).
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// Keys per DataLoader batch.
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000];

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: "marquee_http_requests_total",
    help: "HTTP requests answered, by route, method and status code",
    labelNames: ["route", "method", "status"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: "marquee_http_request_duration_seconds",
    help: "Time from receiving an HTTP request to the end of the response, by route (other than /graphql, which marquee_graphql_operation_duration_seconds breaks down by operation)",
    labelNames: ["route"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly graphqlDuration = new Histogram({
    name: "marquee_graphql_operation_duration_seconds",
    help: "Time from receiving a GraphQL request to the end of its response, by operation name and type (unresolved: it did not parse or validate); its _count is the number of requests",
    labelNames: ["operation", "type"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: "marquee_errors_total",
    help: "Errors sent to API clients at /graphql, by extensions.code (GraphQL errors and HTTP-level errors alike); a 404 for a path that is not the API is only in marquee_http_requests_total (route \"other\")",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly resolverDuration = new Histogram({
    name: "marquee_graphql_root_field_duration_seconds",
    help: "Time to resolve root fields (Query.*, Mutation.*), including their own data loading but not nested fields; sampled (one request in 10 by default)",
    labelNames: ["field"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: "marquee_dataloader_batch_size",
    help: "Keys per DataLoader batch (one SQL statement each), by loader",
    labelNames: ["loader"] as const,
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  readonly fallbacks = new Counter({
    name: "marquee_recommendation_fallbacks_total",
    help: "Recommendation answers (one list each) whose strategy was served by a model of another strategy or by popularity, because its own model is not trained or failed to load; by the strategy asked for, the one that served, and the surface (recommendations, upNext, similarItems, page, dashboard)",
    labelNames: ["requested", "served", "surface"] as const,
    registers: [this.registry],
  });
  readonly impressionsWritten = new Counter({
    name: "marquee_impressions_written_total",
    help: "Impressions (one recommendation answer each) written to the impressions table, by surface (recommendations, upNext, similarItems, page)",
    labelNames: ["surface"] as const,
    registers: [this.registry],
  });
  readonly impressionsDropped = new Counter({
    name: "marquee_impressions_dropped_total",
    help: "Impressions not written, by reason: overflow (the buffer was full, MARQUEE_IMPRESSION_BUFFER), write_failed (the database refused or was unreachable; the batch is dropped)",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly attributedInteractions = new Counter({
    name: "marquee_attributed_interactions_total",
    help: "Interactions recorded with the impression they came from, by the impression's surface (recommendations, upNext, similarItems, page), interaction type and how (named: the client sent impressionId; inferred: the user's latest impression showing the item within MARQUEE_ATTRIBUTION_WINDOW)",
    labelNames: ["surface", "type", "how"] as const,
    registers: [this.registry],
  });
  readonly exploringAnswers = new Counter({
    name: "marquee_exploring_answers_total",
    help: "Impressions written whose list was sampled by exploration (setExploration), with each item's propensity logged, by surface (recommendations, upNext)",
    labelNames: ["surface"] as const,
    registers: [this.registry],
  });
  readonly impressionsPruned = new Counter({
    name: "marquee_impressions_pruned_total",
    help: "Impressions deleted by retention (MARQUEE_IMPRESSION_RETENTION), with the attributions to them; the hourly rollups keep their figures",
    registers: [this.registry],
  });
  private readonly operationNames = new Set<string>();
  // Bound children per label set: prom-client hashes a labels object on every
  // call otherwise, which shows on a request path of a few microseconds.
  private readonly bound = new Map<string, { observe?(v: number): void; inc?(v?: number): void }>();

  // Where the active model versions come from (set by startApp).
  private activeModels: () => readonly { name: string; version: number }[] = () => [];

  constructor(options: { processMetrics?: boolean } = {}) {
    const source = () => this.activeModels();
    new Gauge({
      name: "marquee_active_model_version",
      help: "The version of each model this process serves (absent: none active)",
      labelNames: ["model"] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const m of source()) this.set({ model: m.name }, m.version);
      },
    });
    // CPU, memory, event loop lag, GC and handles, prefixed like ours.
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "marquee_" });
  }

  // The label for an operation name: anonymous operations and names past the cap are grouped.
  operationLabel(name: string | null | undefined): string {
    if (!name) return "anonymous";
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return "other";
    this.operationNames.add(name);
    return name;
  }

  // One request: counted by route, method and status; its latency goes to the
  // operation histogram for GraphQL requests and to the route histogram otherwise.
  observeHttp(route: string, method: string, status: number, seconds: number, operation?: { name: string | undefined; type: string | undefined }): void {
    this.child(`r|${route}|${method}|${status}`, () => this.httpRequests.labels({ route, method, status })).inc!();
    if (operation) {
      this.observeOperation(operation.type === undefined ? "unresolved" : this.operationLabel(operation.name), operation.type ?? "unknown", seconds);
    } else {
      this.child(`d|${route}`, () => this.httpDuration.labels({ route })).observe!(seconds);
    }
  }

  observeOperation(operation: string, type: string, seconds: number): void {
    this.child(`o|${type}|${operation}`, () => this.graphqlDuration.labels({ operation, type })).observe!(seconds);
  }

  observeRootField(field: string, seconds: number): void {
    this.child(`f|${field}`, () => this.resolverDuration.labels({ field })).observe!(seconds);
  }

  // Label values are the API's enum names and fixed surface names (a bounded set).
  countFallback(requested: string, served: string, surface: string): void {
    this.child(`fb|${requested}|${served}|${surface}`, () => this.fallbacks.labels({ requested, served, surface })).inc!();
  }

  // Surfaces and reasons are fixed names in the code (a bounded set).
  countImpressionsWritten(surface: string, n: number): void {
    this.child(`iw|${surface}`, () => this.impressionsWritten.labels({ surface })).inc!(n);
  }

  countImpressionsDropped(reason: "overflow" | "write_failed", n: number): void {
    this.child(`id|${reason}`, () => this.impressionsDropped.labels({ reason })).inc!(n);
  }

  // Surfaces and interaction types are fixed names (a bounded set).
  countAttributed(surface: string, type: string, how: "named" | "inferred", n: number): void {
    this.child(`ai|${surface}|${type}|${how}`, () => this.attributedInteractions.labels({ surface, type, how })).inc!(n);
  }

  countExploringAnswers(surface: string, n: number): void {
    this.child(`xa|${surface}`, () => this.exploringAnswers.labels({ surface })).inc!(n);
  }

  countImpressionsPruned(n: number): void {
    this.impressionsPruned.inc(n);
  }

  private child<T extends { observe?(v: number): void; inc?(v?: number): void }>(key: string, make: () => T): T {
    let found = this.bound.get(key) as T | undefined;
    if (!found) {
      found = make();
      this.bound.set(key, found);
    }
    return found;
  }

  watchActiveModels(source: () => readonly { name: string; version: number }[]): void {
    this.activeModels = source;
  }

  countError(code: unknown): void {
    this.errors.inc({ code: typeof code === "string" && code !== "" ? code : "UNKNOWN" });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

let shared: Metrics | undefined;

// The process's metrics: what /metrics shows and what plugins record into.
export function processMetrics(): Metrics {
  shared ??= new Metrics();
  return shared;
}
