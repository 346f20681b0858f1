// Wiring only: config -> database -> migrations -> demo data -> Apollo -> HTTP.
import type http from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config";
import type { Database } from "./db/Database";
import { createDatabase } from "./db/createDatabase";
import { migrate } from "./db/migrate";
import { createApolloServer } from "./graphql/createApolloServer";
import { authenticatorOf, createContext } from "./graphql/context";
import { createHttpServer } from "./http/createHttpServer";
import { createDashboardRoute } from "./http/dashboard/createDashboardRoute";
import { dashboardAuthorizer } from "./http/dashboard/dashboardAuthorizer";
import type { Logger } from "./logger";
import { importCatalog } from "./services/importService";
import { generateDemoCatalog } from "./demo/demoCatalog";
import { startServing } from "./serving/startServing";
import { modelStoreOf } from "./serving/ModelStore";
import { processMetrics } from "./observability/metrics";
import { startBackground } from "./jobs/startBackground";
import { startWorkerProcess } from "./jobs/workerProcess";
import { activeVersionsChanged } from "./serving/activeVersionWatcher";
import { enableCatalogCache } from "./loaders/catalogCache";
import { enableUserStateCache } from "./loaders/userStateCache";
import { USERS_CHANGED_CHANNEL } from "./db/usersChanged";
import { enableImpressionLog, stopImpressionLog } from "./serving/impressionLog";
import { addReach, insertImpressions } from "./db/impressionRepository";
import { ReachRollup } from "./serving/reachRollup";
import { explorationSettingsOf } from "./serving/explorationSettings";
import { experimentRegistryOf } from "./serving/experimentRegistry";
import { offPolicyGateCheck } from "./jobs/offPolicyGateCheck";

export interface App {
  url: string;
  db: Database;
  server: http.Server;
  stop(): Promise<void>;
}

export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  const db = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize, statementTimeoutMs: config.databaseStatementTimeoutMs });
  const migrations = await migrate(db.sql);
  if (migrations.applied.length > 0) logger.info("applied migrations", { migrations: migrations.applied });
  if (migrations.unknown.length > 0) logger.warn("the database has migrations this code does not know", { migrations: migrations.unknown });
  return db;
}

// The demo's interactions end at `now` (the moment it is loaded), so its
// recent activity is recent: popular(window: WEEK) and TRENDING rails answer.
export async function loadDemoIfEmpty(db: Database, logger: Logger, now: Date = new Date()): Promise<boolean> {
  const items = await db.prisma.item.count();
  if (items > 0) return false;
  const summary = await importCatalog(db, generateDemoCatalog(42, now));
  logger.info("loaded the demo catalog", { users: summary.users, items: summary.items, interactions: summary.interactions.created });
  return true;
}

export async function startApp(config: Config, logger: Logger, existing?: Database): Promise<App> {
  const db = existing ?? (await openDatabase(config, logger));
  const demoLoaded = config.demoData ? await loadDemoIfEmpty(db, logger) : false;
  if (!config.demoData && (await db.prisma.item.count()) === 0) {
    logger.info("the database has no items and no demo catalog is loaded (MARQUEE_DEMO_DATA=false); import a catalog with npm run import or the upsertItems mutation");
  }
  // The first stamp is taken before serving, so a change by another replica from now on is seen.
  if (config.catalogCache) await enableCatalogCache(db).refresh(db);
  // Users and histories: every replica hears of every write (NOTIFY) before the writer answers.
  let stopListening: (() => Promise<void>) | undefined;
  if (config.userCache) {
    const users = enableUserStateCache(db, { rankedLists: config.rankedListCache });
    stopListening = await db.listen?.(USERS_CHANGED_CHANNEL, (payload) => users.onMessage(payload), () => {
      users.clear();
      logger.warn("lost the connection that hears of other replicas' writes; cleared the user cache and reconnecting");
    });
  }
  // Loads the active model versions; a fresh demo database trains its first models.
  await startServing(db, logger, { trainIfNone: demoLoaded, ratingScale: config.ratingScale, implicitRatings: config.implicitRatings });
  processMetrics().watchActiveModels(() => modelStoreOf(db).all());
  // How each surface explores (setExploration), held in memory: no statement per answer.
  await explorationSettingsOf(db).refresh();
  // The running experiments (and the model versions their arms name), held in memory for routing.
  const experiments = experimentRegistryOf(db);
  experiments.logger = logger;
  await experiments.refresh();
  // What every answer showed, written in batches (MARQUEE_IMPRESSIONS).
  const reach = new ReachRollup(
    (groups) => addReach(db, groups),
    (error, groups) => logger.warn("could not add to the reach rollups; these users and items shown are not counted", { groups, error: (error as Error)?.message }),
  );
  const impressionLog = config.impressions.enabled ? enableImpressionLog(db, (batch) => insertImpressions(db, batch), config.impressions, logger, reach) : undefined;
  const apollo = createApolloServer(logger, { introspection: config.introspection, limits: config.queryLimits, executor: config.executor });
  const auth = authenticatorOf(db, config);
  await apollo.start();
  const server = createHttpServer({
    apollo,
    logger,
    bodyLimitBytes: 4 * 1024 * 1024,
    context: (requestId, principal) => createContext(db, config, requestId, principal),
    // API keys (auth/): off on the embedded demo unless MARQUEE_AUTH=on; always on in production.
    authenticate: auth.enabled ? (req) => auth.authenticate(req.headers) : undefined,
    graphiql: config.graphiql,
    metricsToken: config.metricsToken,
    // Server-rendered pages at /dashboard; with auth on, admin and service keys may view.
    dashboard: createDashboardRoute({ db, config, authorize: dashboardAuthorizer(auth) }),
    // /readyz checks this database directly, and lists the served models.
    db,
    activeModels: () => modelStoreOf(db).all(),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  // Follows activations made by any replica or worker; runs training jobs unless MARQUEE_WORKER=false.
  // On PostgreSQL the job worker is a child process: a fit never blocks this event loop.
  const workerProcess = config.worker && config.workerProcess && db.kind === "postgres" && config.databaseUrl !== undefined && !existing
    ? startWorkerProcess(logger, () => activeVersionsChanged(db))
    : undefined;
  const background = startBackground(db, logger, {
    worker: config.worker && !workerProcess,
    watchIntervalMs: config.watchIntervalMs,
    jobPollIntervalMs: config.jobPollIntervalMs,
    jobStaleAfterSeconds: config.jobStaleAfterSeconds,
    ratingScale: config.ratingScale,
    implicitRatings: config.implicitRatings,
    trainMemoryBytes: config.trainMemoryMb * 2 ** 20,
    trainThreads: config.trainThreads,
    impressionRetentionMs: config.impressions.retentionMs,
    challengerMargin: config.retrain.margin,
    offPolicyCheck: offPolicyGateCheck(db, config),
    retrain: config.retrain,
  });
  const address = server.address() as AddressInfo;
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  return {
    url: `http://${shownHost}:${address.port}/graphql`,
    db,
    server,
    async stop() {
      // close() waits for open connections: drop the idle keep-alive ones now,
      // and give requests in flight a few seconds before cutting them.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 5000);
      force.unref();
      await closed;
      clearTimeout(force);
      await apollo.stop();
      // The impressions of the answers just sent, before the database closes.
      if (impressionLog) await stopImpressionLog(db, impressionLog);
      await background.stop();
      await workerProcess?.stop();
      await stopListening?.();
      if (!existing) await db.close();
    },
  };
}
