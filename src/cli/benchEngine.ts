// `npm run bench -- [--dataset <dir>] [--repeat 3] [--vae] [--ials-users N [--no-ials-growth]] [--threads [--catalog N]]`: the engine's speed
// targets on MovieLens-100K, as medians of repeated runs in one process:
//   - biased MF (Surprise SVD defaults): the whole 5-fold run, 5 fits plus
//     predicting every held-out rating (target ≤ 5 s);
//   - iALS: one fit on all ratings (target ≤ 2 s);
//   - the item-item Pearson similarity matrix over co-rated users (all
//     1682² pairs, shrinkage 100), what item-kNN's fit spends its time on;
//   - with --vae, Mult-DAE as `npm run train -- --model vae` runs it: one fit
//     on all ratings, then the holdout evaluation (a second fit on 80% and
//     the ranking; holdoutEvaluation.ts), each also in process CPU seconds
//     (target: the fit within a minute).
//   - with --ials-users N, iALS on a synthetic training set of N users × N/2
//     items × 20 entries (popularity skewed as a square law) fitted on one
//     thread and on MARQUEE_TRAIN_THREADS (default: the cores) alternately,
//     the ratio of their medians and the process CPU seconds of each, and
//     once on 10·N users (10× the interactions, the same items, as
//     `npm run synthetic -- --users 10N` would make) to show how the fit
//     grows (target: ≤ 11× for 10×; not with --no-ials-growth).
//   - with --threads, the fits that share their work out to threads, each on
//     one thread and on MARQUEE_TRAIN_THREADS alternately in the same run, as
//     medians, the ratio of the medians and process CPU seconds (all
//     threads): item-item Pearson similarity (kNN's fit) and EASE on
//     MovieLens-100K, and with --catalog N the same on a synthetic catalog of
//     N items (40·N users × 20 entries, skewed as above).
// Times are wall-clock on this machine; report them with the machine's load.
import os from "node:os";
import { loadDataset, DEFAULT_DATASET_DIR, DatasetNotFoundError, PROTOCOLS, buildTrainingSet } from "../evaluation";
import { svd } from "../engine/algorithms/svd";
import { ials } from "../engine/algorithms/ials";
import { ease } from "../engine/algorithms/ease";
import { createRng } from "../engine/random";
import type { TrainingSet } from "../engine/types";
import { loadConfig } from "../config";
import { transpose } from "../engine/data/CsrMatrix";
import { similarityMatrix } from "../engine/similarity/similarityMatrix";
import { multVae } from "../engine/algorithms/multVae";
import { evaluateOnHoldout } from "../serving/holdoutEvaluation";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

// N users × the given items (N/2 in the bench), 20 distinct items each, item i drawn as ⌊n·u²⌋ (the
// low ids popular), value 1 to 5.
function syntheticSet(nUsers: number, nItems: number): TrainingSet {
  const perUser = 20;
  const rng = createRng(17);
  const indptr = new Int32Array(nUsers + 1);
  const indices = new Int32Array(nUsers * perUser);
  const values = new Float32Array(nUsers * perUser);
  const row = new Set<number>();
  for (let u = 0; u < nUsers; u++) {
    row.clear();
    while (row.size < perUser) row.add(Math.floor(nItems * rng.next() ** 2));
    const sorted = Int32Array.from(row).sort();
    indices.set(sorted, u * perUser);
    for (let t = 0; t < perUser; t++) values[u * perUser + t] = 1 + rng.int(5);
    indptr[u + 1] = (u + 1) * perUser;
  }
  return { nUsers, nItems, ratings: { nRows: nUsers, nCols: nItems, indptr, indices, values } };
}

function ialsThreadsBench(nUsers: number, repeat: number, growth: boolean): string[] {
  const threads = loadConfig().trainThreads;
  const nItems = Math.max(40, Math.floor(nUsers / 2));
  const data = syntheticSet(nUsers, nItems);
  const entries = (n: number) => (n * 20).toLocaleString("en-US");
  const label = `iALS one fit, ${nUsers.toLocaleString("en-US")} users × ${data.nItems.toLocaleString("en-US")} items, ${entries(nUsers)} entries`;
  const { rows, medians } = oneVersusMany(label, threads, repeat, (t) => ials.fit(data, {}, { seed: 0, threads: t }), "≤ 0.6× 1 thread");
  if (!growth) return rows;
  const big = syntheticSet(nUsers * 10, nItems);
  const t = performance.now();
  ials.fit(big, {}, { seed: 0, threads });
  const bigSeconds = (performance.now() - t) / 1000;
  return [
    ...rows,
    `| iALS one fit, ${(nUsers * 10).toLocaleString("en-US")} users × ${big.nItems.toLocaleString("en-US")} items, ${entries(nUsers * 10)} entries, ${threads} threads | ${bigSeconds.toFixed(2)} | ${bigSeconds.toFixed(2)} | ≤ 11× for 10×: ${(bigSeconds / medians[1]).toFixed(2)}× |`,
  ];
}

function cpuSeconds(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
}

// `fit(threads)` on one thread and on `threads`, alternately: two table rows
// and the two medians.
function oneVersusMany(label: string, threads: number, repeat: number, fit: (threads: number) => void, target = `${threads} threads / 1`): { rows: string[]; medians: [number, number] } {
  const wall: [number[], number[]] = [[], []];
  const cpu: [number[], number[]] = [[], []];
  for (let r = 0; r < repeat; r++) {
    for (const [side, t] of [[0, 1], [1, threads]] as const) {
      const from = process.cpuUsage();
      const started = performance.now();
      fit(t);
      wall[side].push((performance.now() - started) / 1000);
      cpu[side].push(cpuSeconds(from));
    }
  }
  const runs = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");
  const medians: [number, number] = [median(wall[0]), median(wall[1])];
  return {
    medians,
    rows: [
      `| ${label}, 1 thread (CPU ${median(cpu[0]).toFixed(2)} s) | ${medians[0].toFixed(2)} | ${runs(wall[0])} | |`,
      `| the same, ${threads} threads, alternating (CPU ${median(cpu[1]).toFixed(2)} s) | ${medians[1].toFixed(2)} | ${runs(wall[1])} | ${target}: ${(medians[1] / medians[0]).toFixed(3)}× |`,
    ],
  };
}

function threadRowsFor(name: string, data: TrainingSet, threads: number, repeat: number): string[] {
  const byItem = transpose(data.ratings);
  const items = data.nItems.toLocaleString("en-US");
  return [
    ...oneVersusMany(`item-item Pearson similarity (kNN fit), ${name}, ${items} items`, threads, repeat, (t) => similarityMatrix(byItem, "pearson", { shrinkage: 100, threads: t })).rows,
    ...oneVersusMany(`EASE one fit, ${name}, ${items} items`, threads, repeat, (t) => ease.fit(data, {}, { seed: 0, threads: t })).rows,
  ];
}

function main(): void {
  const dir = arg("dataset", DEFAULT_DATASET_DIR);
  const repeat = Number(arg("repeat", "3"));
  const table = loadDataset(dir);
  const folds = PROTOCOLS["surprise-5fold"].folds(table, 0);
  const all = Int32Array.from({ length: table.ratings.length }, (_, i) => i);
  const svdTimes: number[] = [];
  const ialsTimes: number[] = [];
  const similarityTimes: number[] = [];
  const withVae = process.argv.includes("--vae");
  const vae = { fit: [] as number[], fitCpu: [] as number[], evaluation: [] as number[], evaluationCpu: [] as number[], ndcg: NaN };
  let lastRmse = NaN;
  for (let r = 0; r < repeat; r++) {
    const started = performance.now();
    let sq = 0;
    let n = 0;
    for (const fold of folds) {
      const model = svd.fit(buildTrainingSet(table, fold.train), {}, { seed: 0 });
      for (const row of fold.test) {
        const e = model.predict!(table.users[row], table.items[row]) - table.ratings[row];
        sq += e * e;
        n++;
      }
    }
    svdTimes.push((performance.now() - started) / 1000);
    lastRmse = Math.sqrt(sq / n);
    const data = buildTrainingSet(table, all);
    const t = performance.now();
    ials.fit(data, {}, { seed: 0 });
    ialsTimes.push((performance.now() - t) / 1000);
    const byItem = transpose(data.ratings);
    const s = performance.now();
    similarityMatrix(byItem, "pearson", { shrinkage: 100 });
    similarityTimes.push((performance.now() - s) / 1000);
    if (withVae) {
      let wall = performance.now();
      let cpuFrom = process.cpuUsage();
      multVae.fit(data, {}, { seed: 42 });
      vae.fit.push((performance.now() - wall) / 1000);
      vae.fitCpu.push(cpuSeconds(cpuFrom));
      wall = performance.now();
      cpuFrom = process.cpuUsage();
      vae.ndcg = evaluateOnHoldout(multVae, data, {}, false, { seed: 42 })["ndcg@10"];
      vae.evaluation.push((performance.now() - wall) / 1000);
      vae.evaluationCpu.push(cpuSeconds(cpuFrom));
    }
  }
  const runs = (xs: number[]) => xs.map((s) => s.toFixed(2)).join(", ");
  const vaeRows = withVae
    ? [
        `| Mult-DAE one fit on all ratings, wall (${multVae.estimateCost(buildTrainingSet(table, all), {}).multiplyAdds.toExponential(2)} multiply-adds) | ${median(vae.fit).toFixed(2)} | ${runs(vae.fit)} | ≤ 60 |`,
        `| Mult-DAE fit, process CPU | ${median(vae.fitCpu).toFixed(2)} | ${runs(vae.fitCpu)} | |`,
        `| Mult-DAE holdout evaluation (fit on 80% + ranking; nDCG@10 ${vae.ndcg.toFixed(4)}), wall | ${median(vae.evaluation).toFixed(2)} | ${runs(vae.evaluation)} | |`,
        `| Mult-DAE holdout evaluation, process CPU | ${median(vae.evaluationCpu).toFixed(2)} | ${runs(vae.evaluationCpu)} | |`,
      ]
    : [];
  const ialsUsers = Number(arg("ials-users", "0"));
  const threadRows = ialsUsers > 0 ? ialsThreadsBench(ialsUsers, repeat, !process.argv.includes("--no-ials-growth")) : [];
  const threads = loadConfig().trainThreads;
  const catalog = Number(arg("catalog", "0"));
  const sharedRows = process.argv.includes("--threads")
    ? [
        ...threadRowsFor("ML-100K", buildTrainingSet(table, all), threads, repeat),
        ...(catalog > 0 ? threadRowsFor(`synthetic, ${(40 * catalog).toLocaleString("en-US")} users × 20 entries`, syntheticSet(40 * catalog, catalog), threads, repeat) : []),
      ]
    : [];
  const load = os.loadavg()[0].toFixed(2);
  process.stdout.write(
    [
      `dataset: ${table.name} (${table.ratings.length} ratings), ${repeat} runs, load average ${load} on ${os.cpus().length} cores, node ${process.version}`,
      `| measure | median s | runs (s) | target |`,
      `|---|---:|---|---|`,
      `| SVD 5-fold total (5 fits + ${table.ratings.length} predictions; RMSE ${lastRmse.toFixed(4)}) | ${median(svdTimes).toFixed(2)} | ${svdTimes.map((s) => s.toFixed(2)).join(", ")} | ≤ 5 |`,
      `| iALS one fit on all ratings | ${median(ialsTimes).toFixed(2)} | ${ialsTimes.map((s) => s.toFixed(2)).join(", ")} | ≤ 2 |`,
      `| item-item Pearson similarity, all ${table.nItems} items | ${median(similarityTimes).toFixed(2)} | ${similarityTimes.map((s) => s.toFixed(2)).join(", ")} | — |`,
      ...vaeRows,
      ...threadRows,
      ...sharedRows,
      "",
    ].join("\n"),
  );
}

try {
  main();
} catch (error) {
  if (error instanceof DatasetNotFoundError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
