import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../src/config";

describe("loadConfig", () => {
  it("uses the documented defaults with an empty environment", () => {
    expect(loadConfig({}, "/srv/marquee")).toEqual({
      databaseUrl: undefined,
      dataDir: path.resolve("/srv/marquee", ".marquee"),
      host: "0.0.0.0",
      port: 4000,
      demoData: true,
      ratingScale: { min: 0.5, max: 5 },
      implicitRatings: { kind: "graded" },
      maxInteractionBatch: 10000,
      maxUpsertBatch: 1000,
      databasePoolSize: 20,
      databaseStatementTimeoutMs: 30000,
      processes: 1,
      worker: true,
      workerProcess: true,
      watchIntervalMs: 5000,
      jobPollIntervalMs: 1000,
      jobStaleAfterSeconds: 300,
      // Half the machine's memory.
      trainMemoryMb: Math.floor(os.totalmem() / 2 / 2 ** 20),
      trainThreads: os.availableParallelism(),
      queryLimits: { maxDepth: 12, maxAliases: 15, maxDirectives: 50, maxTokens: 2000, maxCost: 5000, maxListCost: 50000, blockFieldSuggestions: false },
      auth: {
        enabled: false,
        tokenSecret: undefined,
        maxUserTokenSeconds: 86400,
        rateLimits: { client: { perSecond: 20, burst: 40 }, service: { perSecond: 1000, burst: 2000 }, admin: { perSecond: 200, burst: 400 } },
      },
      catalogCache: true,
      userCache: true,
      rankedListCache: true,
      introspection: true,
      graphiql: true,
      executor: "jit",
      v8Pretenuring: false,
      impressions: { enabled: true, batchSize: 500, flushIntervalMs: 1000, maxBuffered: 20_000, attributionWindowMs: 86_400_000, retentionMs: 90 * 86_400_000 },
      // No scheduled retraining unless asked.
      retrain: { everyMs: undefined, everyInteractions: undefined, margin: 0.02, pollIntervalMs: 30_000 },
      nodeEnv: "development",
      logLevel: "info",
    });
  });

  it("loads no demo catalog in production unless told to", () => {
    expect(loadConfig({ NODE_ENV: "production" }).demoData).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", MARQUEE_DEMO_DATA: "true" }).demoData).toBe(true);
    expect(loadConfig({ NODE_ENV: "development" }).demoData).toBe(true);
    expect(loadConfig({ MARQUEE_DEMO_DATA: "false" }).demoData).toBe(false);
  });

  it("reads every variable", () => {
    const config = loadConfig(
      {
        DATABASE_URL: "postgresql://app:secret@db:5432/marquee",
        MARQUEE_DATA_DIR: "/var/lib/marquee",
        PORT: "8080",
        HOST: "127.0.0.1",
        MARQUEE_DEMO_DATA: "false",
        MARQUEE_RATING_SCALE: "1..10",
        MARQUEE_IMPLICIT_RATINGS: "threshold:6.5",
        MARQUEE_MAX_INTERACTION_BATCH: "500",
        MARQUEE_TRAIN_MEMORY_MB: "6144",
        MARQUEE_TRAIN_THREADS: "3",
        MARQUEE_IMPRESSIONS: "off",
        MARQUEE_IMPRESSION_BATCH: "100",
        MARQUEE_IMPRESSION_FLUSH_MS: "250",
        MARQUEE_IMPRESSION_BUFFER: "5000",
        MARQUEE_ATTRIBUTION_WINDOW: "30m",
        MARQUEE_IMPRESSION_RETENTION: "14d",
        MARQUEE_RETRAIN_EVERY: "6h, 5000 interactions",
        MARQUEE_CHALLENGER_MARGIN: "0.05",
        MARQUEE_RETRAIN_POLL_INTERVAL_MS: "2000",
        LOG_LEVEL: "warn",
      },
      "/",
    );
    expect(config).toMatchObject({
      databaseUrl: "postgresql://app:secret@db:5432/marquee",
      dataDir: "/var/lib/marquee",
      port: 8080,
      host: "127.0.0.1",
      demoData: false,
      ratingScale: { min: 1, max: 10 },
      implicitRatings: { kind: "threshold", rating: 6.5 },
      maxInteractionBatch: 500,
      trainMemoryMb: 6144,
      trainThreads: 3,
      impressions: { enabled: false, batchSize: 100, flushIntervalMs: 250, maxBuffered: 5000, attributionWindowMs: 1_800_000, retentionMs: 14 * 86_400_000 },
      retrain: { everyMs: 21_600_000, everyInteractions: 5000, margin: 0.05, pollIntervalMs: 2000 },
      logLevel: "warn",
    });
  });

  it.each([
    [{ PORT: "eighty" }, 'PORT must be an integer from 0 to 65535; got "eighty"'],
    [{ PORT: "70000" }, 'PORT must be an integer from 0 to 65535; got "70000"'],
    [{ PORT: "4000.5" }, 'PORT must be an integer from 0 to 65535; got "4000.5"'],
    [{ DATABASE_URL: "mysql://x@y/z" }, 'DATABASE_URL must be a postgresql:// URL; got "mysql://x@y/z"'],
    [{ DATABASE_URL: "not a url" }, 'DATABASE_URL must be a postgresql:// URL; got "not a url"'],
    [{ MARQUEE_DEMO_DATA: "maybe" }, 'MARQUEE_DEMO_DATA must be true or false; got "maybe"'],
    [{ MARQUEE_EXECUTOR: "fast" }, 'MARQUEE_EXECUTOR must be one of jit, graphql-js; got "fast"'],
    [{ MARQUEE_V8_PRETENURING: "default" }, 'MARQUEE_V8_PRETENURING must be true or false; got "default"'],
    [{ MARQUEE_RATING_SCALE: "5..1" }, 'MARQUEE_RATING_SCALE must look like "0.5..5" (min..max, min < max); got "5..1"'],
    [{ MARQUEE_IMPLICIT_RATINGS: "mean" }, 'MARQUEE_IMPLICIT_RATINGS must be graded, user-mean, midpoint or threshold:<rating> (e.g. threshold:3.5); got "mean"'],
    [{ MARQUEE_IMPLICIT_RATINGS: "threshold:6" }, 'MARQUEE_IMPLICIT_RATINGS threshold must lie on the rating scale 0.5..5; got "threshold:6"'],
    [{ LOG_LEVEL: "loud" }, 'LOG_LEVEL must be one of debug, info, warn, error, silent; got "loud"'],
    [{ MARQUEE_MAX_INTERACTION_BATCH: "0" }, 'MARQUEE_MAX_INTERACTION_BATCH must be an integer from 1 to 1000000; got "0"'],
    [{ MARQUEE_TRAIN_THREADS: "0" }, 'MARQUEE_TRAIN_THREADS must be an integer from 1 to 256; got "0"'],
    [{ MARQUEE_IMPRESSIONS: "sometimes" }, 'MARQUEE_IMPRESSIONS must be true or false; got "sometimes"'],
    [{ MARQUEE_ATTRIBUTION_WINDOW: "1 week" }, 'MARQUEE_ATTRIBUTION_WINDOW must be a duration such as 24h, 30m or 900s (at most 365 days); got "1 week"'],
    [{ MARQUEE_ATTRIBUTION_WINDOW: "400d" }, 'MARQUEE_ATTRIBUTION_WINDOW must be a duration such as 24h, 30m or 900s (at most 365 days); got "400d"'],
    [{ MARQUEE_IMPRESSION_RETENTION: "3 months" }, 'MARQUEE_IMPRESSION_RETENTION must be a duration such as 24h, 30m or 900s (at most 3650 days); got "3 months"'],
    [{ MARQUEE_IMPRESSION_RETENTION: "12h" }, 'MARQUEE_IMPRESSION_RETENTION must be at least MARQUEE_ATTRIBUTION_WINDOW (24h), or off; got "12h"'],
    [{ MARQUEE_IMPRESSION_RETENTION: "10d", MARQUEE_ATTRIBUTION_WINDOW: "30d" }, 'MARQUEE_IMPRESSION_RETENTION must be at least MARQUEE_ATTRIBUTION_WINDOW (720h), or off; got "10d"'],
    [{ MARQUEE_TRAIN_MEMORY_MB: "6GB" }, 'MARQUEE_TRAIN_MEMORY_MB must be an integer from 64 to 16777216; got "6GB"'],
    // A secret: the message does not repeat it.
    [{ MARQUEE_METRICS_TOKEN: "too-short" }, "MARQUEE_METRICS_TOKEN must be at least 16 characters without spaces (the bearer token /metrics asks for)"],
    [{ MARQUEE_METRICS_TOKEN: "sixteen chars ok" }, "MARQUEE_METRICS_TOKEN must be at least 16 characters without spaces (the bearer token /metrics asks for)"],
  ])("stops on %j naming the variable and the value", (env, message) => {
    expect(() => loadConfig(env, "/")).toThrow(new ConfigError(message));
  });

  it("keeps impressions 90 days by default (longer with a longer attribution window), for ever with 0 or off", () => {
    const retention = (env: Record<string, string>) => loadConfig(env, "/").impressions.retentionMs;
    expect(retention({})).toBe(90 * 86_400_000);
    expect(retention({ MARQUEE_IMPRESSION_RETENTION: "30d" })).toBe(30 * 86_400_000);
    expect(retention({ MARQUEE_IMPRESSION_RETENTION: "36h" })).toBe(36 * 3_600_000);
    expect(retention({ MARQUEE_IMPRESSION_RETENTION: "0" })).toBe(0);
    expect(retention({ MARQUEE_IMPRESSION_RETENTION: "off" })).toBe(0);
    expect(retention({ MARQUEE_IMPRESSION_RETENTION: " OFF " })).toBe(0);
    expect(retention({ MARQUEE_ATTRIBUTION_WINDOW: "120d" })).toBe(120 * 86_400_000);
  });

  it("never echoes a database password", () => {
    expect(() => loadConfig({ DATABASE_URL: "mysql://app:hunter2@db/x" }, "/")).toThrow(/app:\*\*\*@db/);
  });
});
