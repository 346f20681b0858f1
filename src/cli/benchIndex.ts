// `npm run bench:index -- [--model ials] [--users 500] [--seed 1]`: the
// index of a served factor model against exact scoring, on the active
// version in DATABASE_URL, for a seeded sample of users and their current
// histories: recall@10 of the index's top 10 against the exact top 10 (seen
// items left out, as served), the median time of one top-10 query each way
// and their ratio, and the time to load the model with its index (the HNSW
// index stored with the version, recommender/hnswIndex.ts, read back; for a
// version stored without one, the IVF index built, recommender/ivfIndex.ts).
// The index exists for catalogs of IVF_MIN_ITEMS items and more.
//
// `npm run bench:index -- --compare`: the IVF index against the stored HNSW
// index as served, usearch and hnswlib-node on seeded factors, no database
// (benchIndexCompare.ts).
import { loadConfig } from "../config";
import { createDatabase } from "../db/createDatabase";
import { loadActiveModels } from "../db/modelRepository";
import { historiesOfUsers } from "../db/trainingDataRepository";
import { createRng } from "../engine/random";
import type { IalsModel } from "../engine/algorithms/ials";
import { IVF_MIN_ITEMS } from "../engine/recommender/ivfIndex";
import { selectTopK } from "../engine/recommender/selectTopK";
import { historyOf } from "../serving/historyOf";
import { groupByKeys } from "../loaders/alignToKeys";
import { servedModelFrom } from "../serving/ServedModel";
import { compareIndexes } from "./benchIndexCompare";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
};

async function main(): Promise<void> {
  if (process.argv.includes("--compare") || process.argv.includes("--compare-child")) return compareIndexes();
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error("set DATABASE_URL to a PostgreSQL holding a catalog and a trained factor model");
  const name = arg("model", "ials");
  const nUsers = Number(arg("users", "500"));
  const rng = createRng(Number(arg("seed", "1")));
  const db = await createDatabase({ databaseUrl: config.databaseUrl });
  try {
    const stored = (await loadActiveModels(db)).find((m) => m.name === name);
    if (!stored) throw new Error(`no active ${name} model: train one first (npm run train -- --model ${name})`);
    const loadStarted = performance.now();
    const served = servedModelFrom(stored);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const model = served.model;
    if (!model.topHistory || !model.scoreHistory) {
      throw new Error(`${name} has ${served.items.size} items: the index is built from ${IVF_MIN_ITEMS} items on (or the model has no index)`);
    }
    const [{ max }] = await db.sql.query<{ max: number }>(`SELECT max(id)::int AS max FROM users`);
    const ids = Array.from({ length: nUsers }, () => 1 + rng.int(max));
    const histories = groupByKeys(ids, await historiesOfUsers(db, ids), (r) => r.userId);
    const exactMs: number[] = [];
    const indexMs: number[] = [];
    let found = 0;
    let asked = 0;
    for (const [k, id] of ids.entries()) {
      const history = historyOf(served, id, histories[k]);
      if (history.items.length === 0) continue;
      const seen = new Set(history.items);
      const skip = (i: number) => seen.has(i);
      let t = performance.now();
      const exact = selectTopK(model.scoreHistory(history), 10, skip);
      exactMs.push(performance.now() - t);
      t = performance.now();
      const approx = model.topHistory(history, 10, skip);
      indexMs.push(performance.now() - t);
      const truth = new Set(exact.map((s) => s.item));
      found += approx.filter((s) => truth.has(s.item)).length;
      asked += exact.length;
    }
    const kind = (model as Partial<IalsModel>).servingIndex === "hnsw" ? "HNSW index (stored with the version)" : "IVF index (built at load)";
    const lines = [
      `bench:index ${new Date().toISOString().slice(0, 10)}: ${name}@${served.version}, ${served.items.size} items; ${exactMs.length} sampled users with a history`,
      `model load with its ${kind}: ${loadSeconds.toFixed(1)} s`,
      "",
      "| top-10 query | median ms |",
      "|---|---:|",
      `| exact (score every item) | ${median(exactMs).toFixed(3)} |`,
      `| ${kind} | ${median(indexMs).toFixed(3)} |`,
      "",
      `speed-up exact/index: ${(median(exactMs) / median(indexMs)).toFixed(1)}`,
      `recall@10 of the index against exact: ${(found / Math.max(1, asked)).toFixed(3)}`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  process.stderr.write(`bench:index failed: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
