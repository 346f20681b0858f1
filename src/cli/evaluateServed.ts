// `npm run evaluate -- --served`: scores what the API actually returns for one
// fold of a published protocol, beside the offline evaluator's figure for the
// same model and split.
//
//   1. The fold's training ratings (and every user and candidate item) are
//      imported into a scratch database: embedded PGlite in memory, or a new
//      database on the DATABASE_URL server, dropped at the end.
//   2. Each model is trained by trainModel, as `npm run train` and the job
//      worker train it (the configured rating scale and implicit rating rule),
//      and activated.
//   3. The real server starts on a loopback port; every test user's
//      recommendations(first: 10, strategy) is asked over HTTP, several users
//      per request (users(ids:)) and several requests in flight.
//   4. The lists are scored with the protocol's metrics and conventions
//      (listMetrics.ts, as the offline runner scores its own lists).
//
// Beside the served figure: the offline evaluator's (evaluateAlgorithm on the
// same fold: raw ratings, the dataset's index order), the stored model's own
// fold-in lists computed in process (what the server must return, list for
// list), and with --explain the lists of the same fit scored with its trained
// user state (scoreAll, as the offline runner ranks), which separates what
// training on the database changes from what serving from histories changes.
import crypto from "node:crypto";
import { writeFileSync } from "node:fs";
import pg from "pg";
import { startApp } from "../app";
import type { Config } from "../config";
import type { Database } from "../db/Database";
import { createDatabase } from "../db/createDatabase";
import { migrate } from "../db/migrate";
import { activateModelVersion } from "../db/modelRepository";
import { historiesOfUsers, readTrainingData } from "../db/trainingDataRepository";
import { formatImplicitRatingRule, type ImplicitRatingRule } from "../engine/data/implicitRatings";
import type { InteractionRow } from "../db/rows";
import { loadDataset, type RatingTable } from "../evaluation/datasets";
import { candidateItems, foldCatalog, itemExternalId, userExternalId } from "../evaluation/foldCatalog";
import { scoreList } from "../evaluation/listMetrics";
import { catalogCoverage } from "../evaluation/metrics/catalogCoverage";
import { PROTOCOLS, type ProtocolName, type RankingConventions } from "../evaluation/protocols";
import { evaluateAlgorithm } from "../evaluation/runner";
import type { Fold } from "../evaluation/splits/Fold";
import { topK } from "../evaluation/topK";
import { createLogger } from "../logger";
import { importCatalog } from "../services/importService";
import { historyOf } from "../serving/historyOf";
import { modelStoreOf } from "../serving/ModelStore";
import { findServingAlgorithm, type ServingAlgorithm, type StrategyName } from "../serving/servingAlgorithms";
import { servingTrainingSet, trainModel } from "../serving/trainModel";
import { createProgress, type ProgressStream } from "./progress";

export interface ServedArgs {
  dataset: string;
  protocol: ProtocolName;
  fold: number;
  // Serving model names (each must serve a strategy of its own).
  models: string[];
  seed?: number;
  // Default: the dataset's own scale (1..5 for ML-100K).
  ratingScale?: { min: number; max: number };
  // Default: the configured rule (MARQUEE_IMPLICIT_RATINGS).
  implicitRatings?: ImplicitRatingRule;
  explain: boolean;
  // Also nDCG@10 with only the test ratings at or above this value relevant
  // (the protocols count every test rating as relevant, which cannot tell a
  // model that avoids items the user will dislike from one that does not).
  liked?: number;
  usersPerRequest?: number;
  concurrency?: number;
  json?: string;
}

export interface ServedIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  plainProgress?: boolean;
}

export interface RankingFigures {
  "precision@10": number;
  "recall@10": number;
  "map@10": number;
  "ndcg@10": number;
  "mrr@10": number;
  coverage: number;
  // With --liked: nDCG@10 over the liked test items, among users who have any.
  "ndcg@10 liked"?: number;
}

export interface ServedModelResult {
  model: string;
  strategy: StrategyName;
  users: number;
  // The offline evaluator on the same fold (raw ratings, dataset order).
  offline: RankingFigures;
  // --explain: the same fit as the stored model, ranked by scoreAll.
  trained?: RankingFigures;
  // The stored model's fold-in lists, computed in process (a cold user's list
  // is what the model makes of an empty history, not the server's popularity).
  foldIn: RankingFigures;
  // What the API returned.
  served: RankingFigures;
  // Users the server answered from popularity with a ColdStart reason (no
  // history, none the rule keeps, or scores that rank nothing).
  coldUsers: number;
  // The other users whose served list is the in-process fold-in list, item for item.
  identicalLists: number;
  requests: number;
  httpSeconds: number;
}

export interface ServedReport {
  dataset: string;
  protocol: ProtocolName;
  fold: number;
  seed: number;
  ratingScale: { min: number; max: number };
  implicitRatings: string;
  liked?: number;
  database: string;
  results: ServedModelResult[];
}

export class ServedUsageError extends Error {}

const K = 10;

export async function runServedEvaluation(args: ServedArgs, config: Config, io: ServedIo): Promise<ServedReport> {
  const protocol = PROTOCOLS[args.protocol];
  const conventions = protocol.ranking;
  if (!conventions) throw new ServedUsageError(`${args.protocol} has no ranking metrics; --served needs a ranking protocol (gorse-5fold, msr-stratified)`);
  const entries = servedEntries(args.models);
  const table = loadDataset(args.dataset);
  const seed = args.seed ?? protocol.defaultSeed;
  const folds = protocol.folds(table, seed);
  if (!Number.isInteger(args.fold) || args.fold < 0 || args.fold >= folds.length) {
    throw new ServedUsageError(`--fold must be 0..${folds.length - 1} for ${args.protocol}; got ${args.fold}`);
  }
  const fold = folds[args.fold];
  const likedOf = (figures: RankingFigures, lists: number[][] | undefined, users: readonly number[], liked: Map<number, Set<number>> | undefined): RankingFigures =>
    liked && lists ? { ...figures, "ndcg@10 liked": likedNdcg(lists, users, liked, protocol.ranking!) } : figures;
  const ratingScale = args.ratingScale ?? table.ratingScale;
  const implicitRatings = args.implicitRatings ?? config.implicitRatings;
  io.stderr.write(
    `${table.name} ${args.protocol} fold ${args.fold} (seed ${seed}): ${fold.train.length} training and ${fold.test.length} test ratings; ` +
      `rating scale ${ratingScale.min}..${ratingScale.max}, implicit ratings ${formatImplicitRatingRule(implicitRatings)}\n`,
  );

  const offline = new Map<string, RankingFigures>();
  for (const entry of entries) {
    const progress = createProgress(`offline ${entry.name}`, { stream: io.stderr, plain: io.plainProgress });
    const result = evaluateAlgorithm(table, entry.algorithm, args.protocol, {
      seed,
      folds: [fold],
      name: entry.name,
      ...(entry.params ? { params: { ...entry.params } } : {}),
      onProgress: (e) => progress.update(e.stage === "fit" ? 0.8 * e.fraction : 0.8 + 0.2 * e.fraction, e.stage),
    });
    progress.done();
    offline.set(entry.name, figuresOf(result.metrics as Record<string, number>));
  }

  const scratch = await openScratchDatabase(config.databaseUrl);
  io.stderr.write(`scratch database: ${scratch.db.description}\n`);
  const serverConfig: Config = {
    ...config,
    databaseUrl: scratch.url,
    host: "127.0.0.1",
    port: 0,
    demoData: false,
    worker: false,
    ratingScale,
    implicitRatings,
    auth: { ...config.auth, enabled: false },
    logLevel: "warn",
  };
  try {
    const candidates = candidateItems(table, fold, conventions.candidates);
    const catalog = foldCatalog(table, fold, candidates);
    const imported = createProgress("import training part", { stream: io.stderr, plain: io.plainProgress });
    await importCatalog(scratch.db, catalog, (p) => imported.update(p.total === 0 ? 1 : p.done / p.total, p.phase), { ratingScale });
    imported.done(`${catalog.interactions.length} ratings`);
    for (const entry of entries) {
      const progress = createProgress(`train ${entry.name}`, { stream: io.stderr, plain: io.plainProgress });
      const trained = await trainModel(scratch.db, entry.name, { seed, ratingScale, implicitRatings, evaluate: false, onProgress: (f) => progress.update(f) });
      await activateModelVersion(scratch.db, entry.name, trained.version.version);
      progress.done(`${trained.fitSeconds.toFixed(1)} s`);
    }

    const ids = await idMaps(scratch.db, table);
    const users = testUsers(table, fold, conventions);
    const relevant = relevantItems(table, fold, -Infinity);
    const liked = args.liked === undefined ? undefined : relevantItems(table, fold, args.liked);
    const catalogSize = candidates.reduce((s, x) => s + x, 0);
    const histories = await historiesByUser(scratch.db, users.map((u) => ids.userDbId[u]));
    const app = await startApp(serverConfig, createLogger("warn"), scratch.db);
    const results: ServedModelResult[] = [];
    try {
      for (const entry of entries) {
        const strategy = entry.strategy!;
        const started = performance.now();
        const served = await servedLists(app.url, users.map((u) => userExternalId(table, u)), strategy, args.usersPerRequest ?? 25, args.concurrency ?? 4);
        const httpSeconds = (performance.now() - started) / 1000;
        const servedByUser = users.map((u) => (served.lists.get(userExternalId(table, u)) ?? []).map((external) => ids.itemIndexOfExternal.get(external) ?? -1));

        const model = modelStoreOf(scratch.db).get(entry.name);
        if (!model) throw new Error(`${entry.name} is trained but not served`);
        const cold = Uint8Array.from(users, (u) => (served.cold.has(userExternalId(table, u)) ? 1 : 0));
        const foldInByUser = users.map((u) => {
          const dbUser = ids.userDbId[u];
          const rows = histories.get(dbUser) ?? [];
          const history = historyOf(model, dbUser, rows);
          const seen = new Set(rows.map((r) => model.itemIndex.get(r.itemId)).filter((i): i is number => i !== undefined));
          const list = topK(model.model.scoreHistory!(history), K, (i) => !seen.has(i));
          return list.map((i) => ids.itemIndexOfDbId.get(model.itemIds[i])!);
        });

        let trained: RankingFigures | undefined;
        if (args.explain) trained = await trainedFigures(scratch.db, entry, { seed, ratingScale, implicitRatings }, users, ids, histories, relevant, liked, conventions, catalogSize);

        const identicalLists = users.filter((_, n) => !cold[n] && sameList(servedByUser[n], foldInByUser[n])).length;
        const coldUsers = cold.reduce((s, x) => s + x, 0);
        results.push({
          model: entry.name,
          strategy,
          users: users.length,
          offline: offline.get(entry.name)!,
          ...(trained ? { trained } : {}),
          foldIn: likedOf(figuresOfLists(foldInByUser, users, relevant, conventions, catalogSize), foldInByUser, users, liked),
          served: likedOf(figuresOfLists(servedByUser, users, relevant, conventions, catalogSize), servedByUser, users, liked),
          coldUsers,
          identicalLists,
          requests: served.requests,
          httpSeconds,
        });
      }
    } finally {
      await app.stop();
    }
    const report: ServedReport = {
      dataset: table.name,
      protocol: args.protocol,
      fold: args.fold,
      seed,
      ratingScale,
      implicitRatings: formatImplicitRatingRule(implicitRatings),
      ...(args.liked !== undefined ? { liked: args.liked } : {}),
      database: scratch.db.description,
      results,
    };
    io.stdout.write(`${servedMarkdown(report)}\n`);
    if (args.json) {
      writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
      io.stderr.write(`wrote ${args.json}\n`);
    }
    return report;
  } finally {
    await scratch.dispose();
  }
}

function servedEntries(models: readonly string[]): ServingAlgorithm[] {
  const byStrategy = new Map<StrategyName, string>();
  return models.map((name) => {
    const entry = findServingAlgorithm(name);
    if (!entry) throw new ServedUsageError(`Unknown served model "${name}"`);
    if (!entry.strategy) throw new ServedUsageError(`${name} serves no strategy of its own (it is part of another model), so the API cannot be asked for its lists`);
    const other = byStrategy.get(entry.strategy);
    if (other) throw new ServedUsageError(`${other} and ${name} both serve ${entry.strategy}; evaluate them in separate runs`);
    byStrategy.set(entry.strategy, name);
    return entry;
  });
}

interface ScratchDatabase {
  db: Database;
  url: string | undefined;
  dispose(): Promise<void>;
}

// PGlite in memory, or a new database beside the one DATABASE_URL names (its
// data is never touched), dropped when done.
async function openScratchDatabase(databaseUrl: string | undefined): Promise<ScratchDatabase> {
  if (databaseUrl === undefined) {
    const db = await createDatabase({});
    await migrate(db.sql);
    return { db, url: undefined, dispose: () => db.close() };
  }
  const base = new URL(databaseUrl);
  const name = `${base.pathname.slice(1) || "marquee"}_served_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const db = await createDatabase({ databaseUrl: url.toString(), poolSize: 5 });
  await migrate(db.sql);
  return {
    db,
    url: url.toString(),
    async dispose() {
      await db.close();
      const drop = new pg.Client({ connectionString: databaseUrl });
      await drop.connect();
      try {
        await drop.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await drop.end();
      }
    },
  };
}

interface IdMaps {
  // dataset user index -> database id
  userDbId: Int32Array;
  itemIndexOfDbId: Map<number, number>;
  itemIndexOfExternal: Map<string, number>;
}

async function idMaps(db: Database, table: RatingTable): Promise<IdMaps> {
  const userIndex = new Map(Array.from({ length: table.nUsers }, (_, u) => [userExternalId(table, u), u]));
  const itemIndexOfExternal = new Map(Array.from({ length: table.nItems }, (_, i) => [itemExternalId(table, i), i]));
  const userDbId = new Int32Array(table.nUsers).fill(-1);
  for (const r of await db.sql.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM users`)) {
    const u = userIndex.get(r.external_id);
    if (u !== undefined) userDbId[u] = r.id;
  }
  const itemIndexOfDbId = new Map<number, number>();
  for (const r of await db.sql.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM items`)) {
    const i = itemIndexOfExternal.get(r.external_id);
    if (i !== undefined) itemIndexOfDbId.set(r.id, i);
  }
  return { userDbId, itemIndexOfDbId, itemIndexOfExternal };
}

// The users the offline runner scores under the same conventions.
function testUsers(table: RatingTable, fold: Fold, conventions: RankingConventions): number[] {
  const inTraining = new Uint8Array(table.nUsers);
  for (let k = 0; k < fold.train.length; k++) inTraining[table.users[fold.train[k]]] = 1;
  const users = new Set<number>();
  for (let k = 0; k < fold.test.length; k++) users.add(table.users[fold.test[k]]);
  return [...users].filter((u) => conventions.users === "allTest" || inTraining[u]).sort((a, b) => a - b);
}

// Test items per user (those rated at least `minRating`).
function relevantItems(table: RatingTable, fold: Fold, minRating: number): Map<number, Set<number>> {
  const relevant = new Map<number, Set<number>>();
  for (let k = 0; k < fold.test.length; k++) {
    if (!(table.ratings[fold.test[k]] >= minRating)) continue;
    const u = table.users[fold.test[k]];
    (relevant.get(u) ?? relevant.set(u, new Set()).get(u)!).add(table.items[fold.test[k]]);
  }
  return relevant;
}

async function historiesByUser(db: Database, userIds: readonly number[]): Promise<Map<number, InteractionRow[]>> {
  const out = new Map<number, InteractionRow[]>();
  for (let k = 0; k < userIds.length; k += 500) {
    for (const row of await historiesOfUsers(db, userIds.slice(k, k + 500))) {
      (out.get(row.userId) ?? out.set(row.userId, []).get(row.userId)!).push(row);
    }
  }
  return out;
}

const SERVED_QUERY = `query Served($ids: [ID!]!, $strategy: Strategy!) {
  users(ids: $ids) { id recommendations(first: ${K}, strategy: $strategy) { item { id } reasons { __typename ... on Fallback { served why } } } }
}`;

// Every user's list over HTTP: `perRequest` users a request, `concurrency` requests in flight.
async function servedLists(
  url: string,
  userIds: readonly string[],
  strategy: StrategyName,
  perRequest: number,
  concurrency: number,
): Promise<{ lists: Map<string, string[]>; cold: Set<string>; requests: number }> {
  const batches: string[][] = [];
  for (let k = 0; k < userIds.length; k += perRequest) batches.push(userIds.slice(k, k + perRequest));
  const lists = new Map<string, string[]>();
  const cold = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const ids = batches[next++];
      const response = await post(url, JSON.stringify({ query: SERVED_QUERY, variables: { ids, strategy } }));
      type Answer = { id: string; recommendations: { item: { id: string }; reasons: { __typename: string; served?: string; why?: string }[] }[] } | null;
      const body = (await response.json()) as { data?: { users: Answer[] }; errors?: unknown[] };
      if (!response.ok || body.errors || !body.data) throw new Error(`the server answered ${response.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
      // Another strategy's lists would be measured under this one's name.
      const fallback = body.data.users.flatMap((u) => u?.recommendations ?? []).flatMap((r) => r.reasons).find((x) => x.__typename === "Fallback");
      if (fallback) throw new Error(`the server did not serve ${strategy} with its own model but with ${fallback.served}: ${fallback.why}`);
      body.data.users.forEach((user, n) => {
        lists.set(ids[n], user ? user.recommendations.map((r) => r.item.id) : []);
        if (!user || user.recommendations.some((r) => r.reasons.some((x) => x.__typename === "ColdStart"))) cold.add(ids[n]);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  return { lists, cold, requests: batches.length };
}

// A read-only query, so a connection the server closed while idle (its
// keep-alive timeout racing a reuse on a busy machine) is simply retried.
async function post(url: string, body: string, attempts = 3): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    } catch (error) {
      if (attempt >= attempts) throw new Error(`POST ${url} failed ${attempts} times: ${String((error as Error & { cause?: unknown }).cause ?? error)}`);
    }
  }
}

// The same fit as the stored model (trainModel's training set and seed),
// ranked by scoreAll with the user state training found.
async function trainedFigures(
  db: Database,
  entry: ServingAlgorithm,
  options: { seed: number; ratingScale: { min: number; max: number }; implicitRatings: ImplicitRatingRule },
  users: readonly number[],
  ids: IdMaps,
  histories: Map<number, InteractionRow[]>,
  relevant: Map<number, Set<number>>,
  liked: Map<number, Set<number>> | undefined,
  conventions: RankingConventions,
  catalogSize: number,
): Promise<RankingFigures> {
  const data = await readTrainingData(db);
  const set = servingTrainingSet(data, entry, options);
  const model = entry.algorithm.fit(set, { ...entry.params }, { seed: options.seed });
  const itemIdAt = data.items.ids();
  const lists = users.map((u) => {
    const dbUser = ids.userDbId[u];
    const seen = new Set((histories.get(dbUser) ?? []).map((r) => data.items.index(String(r.itemId))));
    const index = data.users.index(String(dbUser));
    const list = topK(model.scoreAll(index ?? -1), K, (i) => !seen.has(i));
    return list.map((i) => ids.itemIndexOfDbId.get(Number(itemIdAt[i]))!);
  });
  const figures = figuresOfLists(lists, users, relevant, conventions, catalogSize);
  return liked ? { ...figures, "ndcg@10 liked": likedNdcg(lists, users, liked, conventions) } : figures;
}

function likedNdcg(lists: number[][], users: readonly number[], liked: Map<number, Set<number>>, conventions: RankingConventions): number {
  let sum = 0;
  let n = 0;
  users.forEach((u, k) => {
    const rel = liked.get(u);
    if (!rel) return;
    sum += scoreList(lists[k], rel, K, conventions).ndcg;
    n++;
  });
  return n > 0 ? sum / n : 0;
}

function figuresOfLists(lists: number[][], users: readonly number[], relevant: Map<number, Set<number>>, conventions: RankingConventions, catalogSize: number): RankingFigures {
  const sums = { precision: 0, recall: 0, map: 0, ndcg: 0, mrr: 0 };
  users.forEach((u, n) => {
    const at = scoreList(lists[n], relevant.get(u)!, K, conventions);
    sums.precision += at.precision;
    sums.recall += at.recall;
    sums.map += at.map;
    sums.ndcg += at.ndcg;
    sums.mrr += at.mrr;
  });
  const n = Math.max(1, users.length);
  return {
    "precision@10": sums.precision / n,
    "recall@10": sums.recall / n,
    "map@10": sums.map / n,
    "ndcg@10": sums.ndcg / n,
    "mrr@10": sums.mrr / n,
    coverage: catalogCoverage(lists, catalogSize),
  };
}

function figuresOf(m: Record<string, number>): RankingFigures {
  return {
    "precision@10": m["precision@10"],
    "recall@10": m["recall@10"],
    "map@10": m["map@10"],
    "ndcg@10": m["ndcg@10"],
    "mrr@10": m["mrr@10"],
    coverage: m.coverage,
  };
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

export function servedMarkdown(r: ServedReport): string {
  const f = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(4));
  const lines = [
    `### Served vs offline: ${r.dataset}, ${r.protocol} fold ${r.fold} (seed ${r.seed})`,
    "",
    `Rating scale ${r.ratingScale.min}..${r.ratingScale.max}, implicit ratings ${r.implicitRatings}; served from ${r.database}.`,
    "",
    `| model (strategy) | users | figure | P@10 | R@10 | MAP@10 | nDCG@10 | MRR@10 | coverage |${r.liked !== undefined ? ` nDCG@10 liked (≥ ${r.liked}) |` : ""}`,
    `|---|---:|---|---:|---:|---:|---:|---:|---:|${r.liked !== undefined ? "---:|" : ""}`,
  ];
  for (const m of r.results) {
    const rows: [string, RankingFigures | undefined][] = [
      ["offline evaluator", m.offline],
      ...(m.trained ? ([["same fit, trained user state", m.trained]] as [string, RankingFigures][]) : []),
      ["stored model, fold-in in process", m.foldIn],
      ["**served over HTTP**", m.served],
    ];
    rows.forEach(([label, x], n) => {
      lines.push(
        `| ${n === 0 ? `${m.model} (${m.strategy})` : ""} | ${n === 0 ? m.users : ""} | ${label} | ${f(x?.["precision@10"])} | ${f(x?.["recall@10"])} | ${f(x?.["map@10"])} | ${f(x?.["ndcg@10"])} | ${f(x?.["mrr@10"])} | ${f(x?.coverage)} |` +
          (r.liked !== undefined ? ` ${f(x?.["ndcg@10 liked"])} |` : ""),
      );
    });
  }
  lines.push("");
  for (const m of r.results) {
    lines.push(
      `${m.model}: served − offline nDCG@10 ${(m.served["ndcg@10"] - m.offline["ndcg@10"]).toFixed(4)}; ` +
        `${m.identicalLists} of ${m.users - m.coldUsers} personalised served lists identical to the in-process fold-in` +
        `${m.coldUsers > 0 ? ` (${m.coldUsers} more answered from popularity with a ColdStart reason)` : ""}; ${m.requests} requests in ${m.httpSeconds.toFixed(1)} s.`,
    );
  }
  return lines.join("\n");
}
