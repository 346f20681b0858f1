// Reads and validates the environment once, at start. Nothing else in the
// code base reads process.env: everything receives a Config.
import os from "node:os";
import path from "node:path";
import type { QueryLimits } from "./graphql/queryLimits";
import type { RateLimit } from "./auth/rateLimiter";
import type { KeyRole } from "./db/apiKeyRepository";
import { DEFAULT_IMPLICIT_RATING_RULE, parseImplicitRatingRule, type ImplicitRatingRule } from "./engine/data/implicitRatings";

export interface AuthConfig {
  // API keys required (MARQUEE_AUTH; always on with NODE_ENV=production).
  enabled: boolean;
  // Signs user tokens (MARQUEE_TOKEN_SECRET); undefined: a random secret kept in the database.
  tokenSecret: Buffer | undefined;
  // Longest lifetime issueUserToken grants (s).
  maxUserTokenSeconds: number;
  // Requests per second per key, by role (burst: twice that); 0 means unlimited.
  rateLimits: Record<KeyRole, RateLimit>;
}

export interface ImpressionConfig {
  // Log what every recommendation answer showed (MARQUEE_IMPRESSIONS; default on).
  enabled: boolean;
  // Impressions written per statement; a full batch is written at once (MARQUEE_IMPRESSION_BATCH).
  batchSize: number;
  // Longest an impression waits in the buffer before it is written (ms; MARQUEE_IMPRESSION_FLUSH_MS).
  flushIntervalMs: number;
  // Most impressions held in memory, waiting or being written; more are
  // dropped and counted (MARQUEE_IMPRESSION_BUFFER).
  maxBuffered: number;
  // Feedback sent without an impressionId is attributed to the user's latest
  // impression showing the item at most this long before it (ms;
  // MARQUEE_ATTRIBUTION_WINDOW, e.g. "24h", "30m", "900s"; 0 = only named impressions).
  attributionWindowMs: number;
  // Impressions (and the attributions to them) older than this are deleted
  // by the job worker; the hourly rollups stay (ms; MARQUEE_IMPRESSION_RETENTION,
  // e.g. "90d"; default 90 days or the attribution window if longer; 0 = keep forever).
  retentionMs: number;
}

export interface RetrainConfig {
  // Queue a challenger of every active model this long after the last round
  // (MARQUEE_RETRAIN_EVERY, e.g. "6h"); undefined: no interval.
  everyMs: number | undefined;
  // ... or once this many interactions were recorded since the last round
  // (MARQUEE_RETRAIN_EVERY, e.g. "5000 interactions"); undefined: no count.
  everyInteractions: number | undefined;
  // How much worse than the champion a challenger may be on the gate metric,
  // relative (MARQUEE_CHALLENGER_MARGIN; 0.02 = 2%).
  margin: number;
  // How often a worker checks whether a round is due (ms; MARQUEE_RETRAIN_POLL_INTERVAL_MS).
  pollIntervalMs: number;
}

export interface Config {
  // PostgreSQL connection string; undefined means the embedded PGlite database.
  databaseUrl: string | undefined;
  // Folder holding the embedded database (only used without databaseUrl).
  dataDir: string;
  host: string;
  port: number;
  // Load the demo catalog at start when the database has no items
  // (MARQUEE_DEMO_DATA; default true, false with NODE_ENV=production).
  demoData: boolean;
  // Inclusive rating scale for RATING interactions.
  ratingScale: { min: number; max: number };
  // How a rating reads as implicit feedback for the implicit models (see engine/data/implicitRatings.ts).
  implicitRatings: ImplicitRatingRule;
  // Most interactions one recordInteractions call may carry.
  maxInteractionBatch: number;
  // Most users or items one upsert call may carry.
  maxUpsertBatch: number;
  // PostgreSQL pool size per process.
  databasePoolSize: number;
  // PostgreSQL: statements cancelled after this long, 0 = never (the API's
  // guard against a stuck or frozen database; bulk commands turn it off).
  databaseStatementTimeoutMs: number;
  // Server processes sharing the port (MARQUEE_PROCESSES, "auto" = one per core; PostgreSQL only; see cluster.ts).
  processes: number;
  // Run a job worker with this server (false: leave jobs to `npm run worker`).
  worker: boolean;
  // That worker as a child process (on PostgreSQL; PGlite keeps it in-process), so fits never block the API.
  workerProcess: boolean;
  // How often each replica checks which model versions are active (ms).
  watchIntervalMs: number;
  // How often an idle worker looks for queued jobs (ms).
  jobPollIntervalMs: number;
  // A RUNNING job whose heartbeat is older than this is requeued (s); must exceed the longest single fit.
  jobStaleAfterSeconds: number;
  // Memory a training fit may plan to use (MARQUEE_TRAIN_MEMORY_MB; default half
  // the machine's): a model estimated over it is refused before it starts.
  trainMemoryMb: number;
  // Threads a training fit may use (MARQUEE_TRAIN_THREADS; default the machine's cores).
  trainThreads: number;
  // Shape limits on every GraphQL operation (see src/graphql/queryLimits.ts).
  queryLimits: QueryLimits;
  auth: AuthConfig;
  // Keep candidate items (rows and features) in memory for recommendations (see loaders/catalogCache.ts).
  catalogCache: boolean;
  // Keep users and their histories in memory, invalidated on every replica by each write (see loaders/userStateCache.ts).
  userCache: boolean;
  // With the user cache: also keep each user's ranked list per model version until their next write.
  rankedListCache: boolean;
  // Schema introspection and GraphiQL (default on, off with NODE_ENV=production).
  introspection: boolean;
  graphiql: boolean;
  // With a value, /metrics answers only requests that send it as a bearer
  // token (MARQUEE_METRICS_TOKEN; at least 16 characters); open without.
  metricsToken: string | undefined;
  // How operations run: compiled by graphql-jit (default) or by graphql-js
  // (MARQUEE_EXECUTOR); see src/graphql/jitExecutor.ts.
  executor: "jit" | "graphql-js";
  // V8's allocation-site pretenuring in the server process
  // (MARQUEE_V8_PRETENURING, default off); see src/runtimeTuning.ts.
  v8Pretenuring: boolean;
  // The impression log and attribution (see src/serving/impressionLog.ts).
  impressions: ImpressionConfig;
  // Scheduled retraining and the challenger gate (see src/jobs/retrainScheduler.ts).
  retrain: RetrainConfig;
  nodeEnv: string;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

// Half of the machine's memory, in MiB.
export function defaultTrainMemoryMb(): number {
  return Math.floor(os.totalmem() / 2 / 2 ** 20);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(raw)}`);
  }
  return value;
}

function metricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.MARQUEE_METRICS_TOKEN;
  if (raw === undefined || raw === "") return undefined;
  if (raw.trim().length < 16 || /\s/.test(raw)) throw new ConfigError("MARQUEE_METRICS_TOKEN must be at least 16 characters without spaces (the bearer token /metrics asks for)");
  return raw;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false; got ${JSON.stringify(raw)}`);
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw.trim() === "") return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`DATABASE_URL must be a postgresql:// URL; got ${JSON.stringify(redact(raw))}`);
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new ConfigError(`DATABASE_URL must be a postgresql:// URL; got ${JSON.stringify(redact(raw))}`);
  }
  return raw;
}

// Never echo a password back into logs or error messages.
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):([^@]*)@/, "//$1:***@");
}

function ratingScale(env: Env): { min: number; max: number } {
  const raw = env.MARQUEE_RATING_SCALE;
  if (raw === undefined || raw === "") return { min: 0.5, max: 5 };
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*$/.exec(raw);
  const min = match ? Number(match[1]) : NaN;
  const max = match ? Number(match[2]) : NaN;
  if (!match || !(min < max)) {
    throw new ConfigError(`MARQUEE_RATING_SCALE must look like "0.5..5" (min..max, min < max); got ${JSON.stringify(raw)}`);
  }
  return { min, max };
}

function implicitRatings(env: Env, scale: { min: number; max: number }): ImplicitRatingRule {
  const raw = env.MARQUEE_IMPLICIT_RATINGS;
  if (raw === undefined || raw.trim() === "") return DEFAULT_IMPLICIT_RATING_RULE;
  const rule = parseImplicitRatingRule(raw);
  if (!rule) {
    throw new ConfigError(`MARQUEE_IMPLICIT_RATINGS must be graded, user-mean, midpoint or threshold:<rating> (e.g. threshold:3.5); got ${JSON.stringify(raw)}`);
  }
  if (rule.kind === "threshold" && !(rule.rating >= scale.min && rule.rating <= scale.max)) {
    throw new ConfigError(`MARQUEE_IMPLICIT_RATINGS threshold must lie on the rating scale ${scale.min}..${scale.max}; got ${JSON.stringify(raw)}`);
  }
  return rule;
}

function processes(env: Env): number {
  const raw = env.MARQUEE_PROCESSES;
  const count = raw !== undefined && raw.trim().toLowerCase() === "auto" ? os.availableParallelism() : integer(env, "MARQUEE_PROCESSES", 1, 1, 64);
  // PGlite is a database inside one process: a second process could not open it.
  if (count > 1 && (env.DATABASE_URL === undefined || env.DATABASE_URL === "")) {
    throw new ConfigError(`MARQUEE_PROCESSES=${raw} needs DATABASE_URL: the embedded PGlite database lives in one process`);
  }
  return count;
}

function logLevel(env: Env): Config["logLevel"] {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw === "") return "info";
  const levels = ["debug", "info", "warn", "error", "silent"] as const;
  const found = levels.find((l) => l === raw.trim().toLowerCase());
  if (!found) throw new ConfigError(`LOG_LEVEL must be one of ${levels.join(", ")}; got ${JSON.stringify(raw)}`);
  return found;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${values.join(", ")}; got ${JSON.stringify(raw)}`);
  return raw as T;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

// A duration such as "24h", "30m", "900s", "1500ms" or "2d"; a bare number is seconds.
function duration(env: Env, name: string, fallbackMs: number, maxMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallbackMs;
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  const ms = match ? Number(match[1]) * DURATION_UNITS[match[2] ?? "s"] : NaN;
  if (!match || !Number.isSafeInteger(ms) || ms > maxMs) {
    throw new ConfigError(`${name} must be a duration such as 24h, 30m or 900s (at most ${maxMs / 86_400_000} days); got ${JSON.stringify(raw)}`);
  }
  return ms;
}

const DEFAULT_RETENTION_MS = 90 * 86_400_000;

// How long impressions are kept: a duration, or "0"/"off" for ever. Never
// shorter than the attribution window, which looks impressions up that far
// back (an explicit shorter one is refused rather than silently widened).
function impressionRetention(env: Env, attributionWindowMs: number): number {
  const raw = env.MARQUEE_IMPRESSION_RETENTION;
  if (raw !== undefined && ["off", "0"].includes(raw.trim().toLowerCase())) return 0;
  if (raw === undefined || raw.trim() === "") return Math.max(DEFAULT_RETENTION_MS, attributionWindowMs);
  const ms = duration(env, "MARQUEE_IMPRESSION_RETENTION", DEFAULT_RETENTION_MS, 3650 * 86_400_000);
  if (ms < attributionWindowMs) {
    throw new ConfigError(`MARQUEE_IMPRESSION_RETENTION must be at least MARQUEE_ATTRIBUTION_WINDOW (${attributionWindowMs / 3_600_000}h), or off; got ${JSON.stringify(raw)}`);
  }
  return ms;
}

function impressions(env: Env): ImpressionConfig {
  const attributionWindowMs = duration(env, "MARQUEE_ATTRIBUTION_WINDOW", 86_400_000, 365 * 86_400_000);
  return {
    enabled: boolean(env, "MARQUEE_IMPRESSIONS", true),
    batchSize: integer(env, "MARQUEE_IMPRESSION_BATCH", 500, 1, 100_000),
    flushIntervalMs: integer(env, "MARQUEE_IMPRESSION_FLUSH_MS", 1000, 10, 600_000),
    maxBuffered: integer(env, "MARQUEE_IMPRESSION_BUFFER", 20_000, 1, 10_000_000),
    attributionWindowMs,
    retentionMs: impressionRetention(env, attributionWindowMs),
  };
}

const RETRAIN_EVERY_EXAMPLE = `"6h", "30m", "900s", "5000 interactions" or both ("6h, 5000 interactions")`;

// MARQUEE_RETRAIN_EVERY: an interval, a count of new interactions, or both
// (comma-separated: whichever comes first starts a round); empty or "off": never.
export function parseRetrainEvery(raw: string | undefined): Pick<RetrainConfig, "everyMs" | "everyInteractions"> {
  const out: { everyMs: number | undefined; everyInteractions: number | undefined } = { everyMs: undefined, everyInteractions: undefined };
  if (raw === undefined || raw.trim() === "" || raw.trim().toLowerCase() === "off") return out;
  const bad = (why: string) => new ConfigError(`MARQUEE_RETRAIN_EVERY must be ${RETRAIN_EVERY_EXAMPLE}; ${why}; got ${JSON.stringify(raw)}`);
  for (const part of raw.split(",").map((p) => p.trim())) {
    const count = /^(\d+)\s*interactions?$/i.exec(part);
    const interval = /^(\d+)\s*(ms|s|m|h|d)$/.exec(part);
    if (count) {
      if (out.everyInteractions !== undefined) throw bad("the count is given twice");
      const n = Number(count[1]);
      if (!Number.isSafeInteger(n) || n < 1) throw bad("the count must be at least 1");
      out.everyInteractions = n;
    } else if (interval) {
      if (out.everyMs !== undefined) throw bad("the interval is given twice");
      const ms = Number(interval[1]) * DURATION_UNITS[interval[2]];
      // Below a second a round would start before the last one's jobs are queued.
      if (!Number.isSafeInteger(ms) || ms < 1000 || ms > 365 * 86_400_000) throw bad("the interval must be from 1s to 365d");
      out.everyMs = ms;
    } else {
      throw bad(part === "" ? "an empty part" : `${JSON.stringify(part)} is neither an interval with its unit nor "<n> interactions"`);
    }
  }
  return out;
}

// MARQUEE_CHALLENGER_MARGIN: a fraction ("0.02") or a percentage ("2%"), 0 to under 1.
export function parseChallengerMargin(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 0.02;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(raw);
  const margin = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN;
  if (!match || !(margin >= 0 && margin < 1)) {
    throw new ConfigError(`MARQUEE_CHALLENGER_MARGIN must be a fraction from 0 to under 1, or a percentage (0.02 or 2%: a challenger may be 2% worse than the champion); got ${JSON.stringify(raw)}`);
  }
  return margin;
}

function retrain(env: Env): RetrainConfig {
  return {
    ...parseRetrainEvery(env.MARQUEE_RETRAIN_EVERY),
    margin: parseChallengerMargin(env.MARQUEE_CHALLENGER_MARGIN),
    pollIntervalMs: integer(env, "MARQUEE_RETRAIN_POLL_INTERVAL_MS", 30_000, 10, 3_600_000),
  };
}

function rateLimit(env: Env, name: string, fallback: number): RateLimit {
  const perSecond = integer(env, name, fallback, 0, 1_000_000);
  return { perSecond, burst: Math.max(1, perSecond * 2) };
}

function auth(env: Env, production: boolean): AuthConfig {
  const enabled = boolean(env, "MARQUEE_AUTH", production);
  if (production && !enabled) throw new ConfigError("MARQUEE_AUTH cannot be off with NODE_ENV=production");
  const secret = env.MARQUEE_TOKEN_SECRET;
  if (secret !== undefined && secret !== "" && secret.length < 32) {
    throw new ConfigError(`MARQUEE_TOKEN_SECRET must be at least 32 characters; got ${secret.length}`);
  }
  return {
    enabled,
    tokenSecret: secret ? Buffer.from(secret, "utf8") : undefined,
    maxUserTokenSeconds: integer(env, "MARQUEE_MAX_USER_TOKEN_SECONDS", 86_400, 60, 30 * 86_400),
    rateLimits: {
      client: rateLimit(env, "MARQUEE_RATE_LIMIT_CLIENT", 20),
      service: rateLimit(env, "MARQUEE_RATE_LIMIT_SERVICE", 1000),
      admin: rateLimit(env, "MARQUEE_RATE_LIMIT_ADMIN", 200),
    },
  };
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const dataDirRaw = env.MARQUEE_DATA_DIR;
  if (dataDirRaw !== undefined && dataDirRaw.trim() === "" && dataDirRaw !== "") {
    throw new ConfigError(`MARQUEE_DATA_DIR must be a folder path; got ${JSON.stringify(dataDirRaw)}`);
  }
  const host = env.HOST && env.HOST.trim() !== "" ? env.HOST.trim() : "0.0.0.0";
  const production = env.NODE_ENV === "production";
  const scale = ratingScale(env);
  return {
    databaseUrl: databaseUrl(env),
    dataDir: path.resolve(cwd, dataDirRaw && dataDirRaw !== "" ? dataDirRaw : ".marquee"),
    host,
    port: integer(env, "PORT", 4000, 0, 65535),
    // A production database starts empty unless asked: demo users and items
    // would otherwise mix with (and be served to) real ones.
    demoData: boolean(env, "MARQUEE_DEMO_DATA", !production),
    ratingScale: scale,
    implicitRatings: implicitRatings(env, scale),
    maxInteractionBatch: integer(env, "MARQUEE_MAX_INTERACTION_BATCH", 10000, 1, 1000000),
    maxUpsertBatch: integer(env, "MARQUEE_MAX_UPSERT_BATCH", 1000, 1, 100000),
    databasePoolSize: integer(env, "DATABASE_POOL_SIZE", 20, 1, 1000),
    databaseStatementTimeoutMs: integer(env, "DATABASE_STATEMENT_TIMEOUT_MS", 30_000, 0, 86_400_000),
    processes: processes(env),
    worker: boolean(env, "MARQUEE_WORKER", true),
    workerProcess: boolean(env, "MARQUEE_WORKER_PROCESS", true),
    watchIntervalMs: integer(env, "MARQUEE_WATCH_INTERVAL_MS", 5000, 100, 3_600_000),
    jobPollIntervalMs: integer(env, "MARQUEE_JOB_POLL_INTERVAL_MS", 1000, 10, 600_000),
    jobStaleAfterSeconds: integer(env, "MARQUEE_JOB_STALE_AFTER_SECONDS", 300, 30, 86_400),
    trainMemoryMb: integer(env, "MARQUEE_TRAIN_MEMORY_MB", defaultTrainMemoryMb(), 64, 16_777_216),
    trainThreads: integer(env, "MARQUEE_TRAIN_THREADS", os.availableParallelism(), 1, 256),
    queryLimits: {
      maxDepth: integer(env, "MARQUEE_MAX_QUERY_DEPTH", 12, 2, 100),
      maxAliases: integer(env, "MARQUEE_MAX_QUERY_ALIASES", 15, 0, 1000),
      maxDirectives: integer(env, "MARQUEE_MAX_QUERY_DIRECTIVES", 50, 0, 1000),
      maxTokens: integer(env, "MARQUEE_MAX_QUERY_TOKENS", 2000, 100, 100000),
      maxCost: integer(env, "MARQUEE_MAX_QUERY_COST", 5000, 10, 10_000_000),
      maxListCost: integer(env, "MARQUEE_MAX_QUERY_LIST_COST", 50_000, 10, 100_000_000),
      blockFieldSuggestions: production,
    },
    auth: auth(env, production),
    catalogCache: boolean(env, "MARQUEE_CATALOG_CACHE", true),
    userCache: boolean(env, "MARQUEE_USER_CACHE", true),
    rankedListCache: boolean(env, "MARQUEE_RANKED_LIST_CACHE", true),
    introspection: boolean(env, "MARQUEE_INTROSPECTION", !production),
    graphiql: boolean(env, "MARQUEE_GRAPHIQL", !production),
    metricsToken: metricsToken(env),
    executor: oneOf(env, "MARQUEE_EXECUTOR", ["jit", "graphql-js"] as const, "jit"),
    v8Pretenuring: boolean(env, "MARQUEE_V8_PRETENURING", false),
    impressions: impressions(env),
    retrain: retrain(env),
    nodeEnv: env.NODE_ENV && env.NODE_ENV !== "" ? env.NODE_ENV : "development",
    logLevel: logLevel(env),
  };
}
