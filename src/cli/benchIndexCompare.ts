// `npm run bench:index -- --compare [--data random|ials] [--items 100000]
// [--dim 64] [--queries 1000] [--rounds 3] [--seed 1]`: the project's IVF
// index (recommender/ivfIndex.ts) against two maintained HNSW libraries,
// usearch and hnswlib-node, on the same seeded item factors, without a
// database.
//
// Data, `--data random` (default): random factors shaped like a factor
// model's: items in 50 latent "genres" (a genre centre plus noise), each
// scaled by a popularity skew (norm ∝ (1 + popularity rank)^-0.25, so popular
// items have the large norms a factor model gives them); queries mix one to
// three genre centres plus noise, as users' folded-in factors do.
// `--data ials`: factors of a real iALS fit (the project's defaults but
// `--dim` factors) on a synthetic catalog of `--users` users (default the
// items count) with 20 distinct items each, item drawn as ⌊n·u²⌋ (low ids
// popular; as `npm run bench -- --ials-users`); queries are the fitted
// factors of a seeded sample of users, each leaving out that user's 20
// items as a served query leaves out what was seen. Truth: the exact top 10
// by inner product (without those items).
//
// Each (library, round) runs in a fresh child process, alternating, so that
// RSS deltas are the library's own and load on the shared machine falls on
// every candidate alike. Reported: build time (one thread), the time to read
// a saved index back, index memory and size, recall@10 against the exact top
// 10, one query at a time as served (median and p99), and recall@100 with
// its median time (100 is the depth of the list a served page is cut from).
//
// Inner product (MIPS) two ways for the HNSW libraries: their "ip" metric
// directly (a graph over a non-metric similarity), and the usual reduction to
// Euclidean search (Bachrach et al. 2014): append √(M² − |y|²) to each item,
// 0 to each query, so the nearest items by L2 are those of largest inner
// product.
//
// `hnsw` is the served path: the project's own use of usearch
// (recommender/hnswIndex.ts), built as the training job builds it (one
// batch, one thread), saved to bytes as stored with the version, read back
// from them as a replica loads it (the load time reported), and searched as
// topHistory searches (over-fetching by the seen items, exact rescoring).
//
// usearch is a dependency; hnswlib-node is not: install it for a run with
//   npm install --no-save hnswlib-node@3.0.0
// (it compiles with node-gyp and g++ in its install script).
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ials } from "../engine/algorithms/ials";
import { createRng } from "../engine/random";
import type { TrainingSet } from "../engine/types";
import { buildIvfIndex, searchIvf } from "../engine/recommender/ivfIndex";
import { buildHnswBytes, HNSW_DEFAULTS, loadHnswIndex, searchHnsw, type HnswSettings } from "../engine/recommender/hnswIndex";
import { TopKHeap } from "../engine/recommender/TopKHeap";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

interface Data {
  nItems: number;
  dim: number;
  nQueries: number;
  items: Float32Array;
  queries: Float32Array;
  truth: Int32Array; // nQueries × DEEP, best first
  // With `--data ials`: each query's user's items (nQueries × 20), left out
  // of the answer as topHistory's `skip` leaves out what a user has seen.
  seen?: Int32Array;
}
const SEEN = 20;
// The depth of the list a served request is cut from (recommendationService's
// CACHED_DEPTH): recall at it is the second figure.
const DEEP = 100;

function generate(nItems: number, dim: number, nQueries: number, seed: number): Omit<Data, "truth"> {
  const rng = createRng(seed);
  const genres = 50;
  const centres = Float32Array.from({ length: genres * dim }, () => rng.normal() / Math.sqrt(dim));
  // Popularity rank: a seeded permutation, so norms do not follow item order.
  const rank = Int32Array.from({ length: nItems }, (_, i) => i);
  for (let i = nItems - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [rank[i], rank[j]] = [rank[j], rank[i]];
  }
  const items = new Float32Array(nItems * dim);
  for (let i = 0; i < nItems; i++) {
    const g = rng.int(genres);
    const scale = (1 + rank[i]) ** -0.25;
    for (let f = 0; f < dim; f++) items[i * dim + f] = scale * (centres[g * dim + f] + (0.7 * rng.normal()) / Math.sqrt(dim));
  }
  const queries = new Float32Array(nQueries * dim);
  for (let q = 0; q < nQueries; q++) {
    const mix = 1 + rng.int(3);
    for (let m = 0; m < mix; m++) {
      const g = rng.int(genres);
      for (let f = 0; f < dim; f++) queries[q * dim + f] += centres[g * dim + f] / mix;
    }
    for (let f = 0; f < dim; f++) queries[q * dim + f] += (0.5 * rng.normal()) / Math.sqrt(dim);
  }
  return { nItems, dim, nQueries, items, queries };
}

function fromIals(nItems: number, nUsers: number, dim: number, nQueries: number, seed: number): Omit<Data, "truth"> {
  const perUser = SEEN;
  const rng = createRng(seed);
  const indptr = new Int32Array(nUsers + 1);
  const indices = new Int32Array(nUsers * perUser);
  const values = new Float32Array(nUsers * perUser);
  const row = new Set<number>();
  for (let u = 0; u < nUsers; u++) {
    row.clear();
    while (row.size < perUser) row.add(Math.floor(nItems * rng.next() ** 2));
    indices.set(Int32Array.from(row).sort(), u * perUser);
    for (let t = 0; t < perUser; t++) values[u * perUser + t] = 1 + rng.int(5);
    indptr[u + 1] = (u + 1) * perUser;
  }
  const data: TrainingSet = { nUsers, nItems, ratings: { nRows: nUsers, nCols: nItems, indptr, indices, values } };
  const model = ials.fit(data, { nFactors: dim }, { seed, threads: 2 });
  const items = model.serialize!().arrays.itemFactors as Float32Array;
  const queries = new Float32Array(nQueries * dim);
  const seen = new Int32Array(nQueries * SEEN);
  for (let q = 0; q < nQueries; q++) {
    const u = rng.int(nUsers);
    for (let f = 0; f < dim; f++) queries[q * dim + f] = model.userFactors[u * dim + f];
    seen.set(indices.subarray(u * SEEN, (u + 1) * SEEN), q * SEEN);
  }
  return { nItems, dim, nQueries, items, queries, seen };
}

function exactTop(d: Omit<Data, "truth">): Int32Array {
  const truth = new Int32Array(d.nQueries * DEEP);
  for (let q = 0; q < d.nQueries; q++) {
    const heap = new TopKHeap(DEEP);
    const o = q * d.dim;
    const skip = new Set(d.seen?.subarray(q * SEEN, (q + 1) * SEEN));
    for (let i = 0; i < d.nItems; i++) {
      if (skip.has(i)) continue;
      let s = 0;
      for (let f = 0; f < d.dim; f++) s += d.queries[o + f] * d.items[i * d.dim + f];
      heap.push(i, s);
    }
    heap.sorted().forEach((s, r) => (truth[q * DEEP + r] = s.item));
  }
  return truth;
}

// ---- candidates (each runs in its own child process) ----

interface Setting {
  label: string;
  // The top n leaving out `skip` (empty without --data ials).
  search(query: Float32Array, skip: Set<number>, n: number): number[];
}
interface Built {
  settings: Setting[];
  indexBytes?: number;
  // Bytes of the index written to a file, when the library can write one.
  savedBytes?: number;
  // Seconds to read that file back into a new index (what a replica would
  // pay instead of a build if the file were stored with the model version).
  loadSeconds?: number;
  // The build alone, when the candidate's setup also loads (hnsw).
  buildSeconds?: number;
}

type Candidate = (d: Data, dir: string) => Built;

// hnswlib-node is optional: required at run time, so the project neither
// depends on it nor needs its types to compile (usearch, a dependency, is
// required the same way here for symmetry).
function optional(name: string): any {
  try {
    return require(name);
  } catch (error) {
    throw new Error(`${name} is not installed (${(error as Error).message.split("\n")[0]}): npm install --no-save hnswlib-node@3.0.0`);
  }
}

// Items extended by √(M² − |y|²): Euclidean nearest = largest inner product.
function mipsToL2(d: Data): Float32Array {
  const out = new Float32Array(d.nItems * (d.dim + 1));
  const norms = new Float64Array(d.nItems);
  let max = 0;
  for (let i = 0; i < d.nItems; i++) {
    for (let f = 0; f < d.dim; f++) norms[i] += d.items[i * d.dim + f] ** 2;
    max = Math.max(max, norms[i]);
  }
  for (let i = 0; i < d.nItems; i++) {
    out.set(d.items.subarray(i * d.dim, (i + 1) * d.dim), i * (d.dim + 1));
    out[i * (d.dim + 1) + d.dim] = Math.sqrt(Math.max(0, max - norms[i]));
  }
  return out;
}

const candidates: Record<string, Candidate> = {
  ivf(d) {
    const index = buildIvfIndex(d.items, d.nItems, d.dim);
    const bytes = index.centroids.byteLength + index.listStart.byteLength + index.listItems.byteLength + index.listVectors.byteLength;
    return {
      indexBytes: bytes,
      // The default probes, then 2, 4 and 8 times as many: recall bought with time.
      settings: [1, 2, 4, 8].map((m) => m * index.nProbe).map((nProbe) => ({
        label: `ivf ${index.nLists} lists, nProbe ${nProbe}`,
        search: (q, skip, n) => searchIvf(index, q, n, skip.size > 0 ? (i) => skip.has(i) : undefined, nProbe).map((s) => s.item),
      })),
    };
  },
  hnsw: (d) => hnswAsServed(d, HNSW_DEFAULTS),
  // Other graph widths, to choose the default.
  hnswM16: (d) => hnswAsServed(d, { ...HNSW_DEFAULTS, connectivity: 16 }),
  hnswM32: (d) => hnswAsServed(d, { ...HNSW_DEFAULTS, connectivity: 32 }),
  usearchIp: (d, dir) => usearch(d, dir, "ip"),
  usearchL2: (d, dir) => usearch(d, dir, "l2sq"),
  hnswlibIp: (d, dir) => hnswlib(d, dir, "ip"),
  hnswlibL2: (d, dir) => hnswlib(d, dir, "l2"),
};

// The served path: built as the training job builds it, read back from the
// stored bytes as a replica loads it, searched as topHistory searches.
function hnswAsServed(d: Data, settings: HnswSettings): Built {
  const t0 = performance.now();
  const bytes = buildHnswBytes(d.items, d.nItems, d.dim, settings);
  const buildSeconds = (performance.now() - t0) / 1000;
  const t = performance.now();
  const index = loadHnswIndex(bytes, d.nItems, d.dim, settings);
  const loadSeconds = (performance.now() - t) / 1000;
  const { connectivity, expansionAdd, expansionSearch } = settings;
  return {
    savedBytes: bytes.byteLength,
    loadSeconds,
    buildSeconds,
    settings: [
      {
        label: `hnsw as served (usearch ip M=${connectivity} efC=${expansionAdd} ef=${expansionSearch}, stored, rescored)`,
        search: (q, skip, n) => searchHnsw(index, d.items, q, n, skip.size > 0 ? (i) => skip.has(i) : undefined, skip.size).map((s) => s.item),
      },
    ],
  };
}

const CONNECTIVITY = 16;
const EXPANSION_ADD = 128;
const EFS = [64, 128];

function usearch(d: Data, dir: string, metric: "ip" | "l2sq"): Built {
  const { Index } = optional("usearch");
  const dim = metric === "ip" ? d.dim : d.dim + 1;
  const vectors = metric === "ip" ? d.items : mipsToL2(d);
  const config = { dimensions: dim, metric, connectivity: CONNECTIVITY, expansion_add: EXPANSION_ADD, expansion_search: EFS[0] };
  const index = new Index(config);
  const keys = BigUint64Array.from({ length: d.nItems }, (_, i) => BigInt(i));
  // One vector per call, one thread: as hnswlib-node builds, and as a model
  // load on a serving replica would.
  for (let i = 0; i < d.nItems; i++) index.add(keys[i], vectors.subarray(i * dim, (i + 1) * dim), 1);
  const file = join(dir, `usearch-${metric}.bin`);
  index.save(file);
  const savedBytes = statSync(file).size;
  // The search expansion is fixed at construction: the second setting loads
  // the saved index into an index made with the larger expansion.
  const wide = new Index({ ...config, expansion_search: EFS[1] });
  const t = performance.now();
  wide.load(file);
  const loadSeconds = (performance.now() - t) / 1000;
  const pad = (q: Float32Array) => (metric === "ip" ? q : Float32Array.from([...q, 0]));
  const settings = [index, wide].map((ix, s) => ({
    label: `usearch ${metric} M=${CONNECTIVITY} efC=${EXPANSION_ADD} ef=${EFS[s]}`,
    // No filter in usearch's JavaScript API: ask for 10 more per item to
    // leave out, then drop those (a served query knows its history's length).
    search: (q: Float32Array, skip: Set<number>, n: number) =>
      Array.from(ix.search(pad(q), n + skip.size, 1).keys as BigUint64Array, Number)
        .filter((i) => !skip.has(i))
        .slice(0, n),
  }));
  return { settings, savedBytes, loadSeconds };
}

function hnswlib(d: Data, dir: string, space: "ip" | "l2"): Built {
  const { HierarchicalNSW } = optional("hnswlib-node");
  const dim = space === "ip" ? d.dim : d.dim + 1;
  const vectors = space === "ip" ? d.items : mipsToL2(d);
  const index = new HierarchicalNSW(space, dim);
  index.initIndex({ maxElements: d.nItems, m: CONNECTIVITY, efConstruction: EXPANSION_ADD, randomSeed: 1 });
  for (let i = 0; i < d.nItems; i++) index.addPoint(Array.from(vectors.subarray(i * dim, (i + 1) * dim)), i);
  const pad = (q: Float32Array) => (space === "ip" ? Array.from(q) : [...q, 0]);
  const file = join(dir, `hnswlib-${space}.bin`);
  index.writeIndexSync(file);
  return {
    savedBytes: statSync(file).size,
    settings: EFS.map((ef) => ({
      label: `hnswlib ${space} M=${CONNECTIVITY} efC=${EXPANSION_ADD} ef=${ef}`,
      search: (q: Float32Array, skip: Set<number>, n: number) => {
        index.setEf(ef);
        // hnswlib's filter: called for each candidate label.
        return index.searchKnn(pad(q), n, skip.size > 0 ? (i: number) => !skip.has(i) : undefined).neighbors as number[];
      },
    })),
  };
}

interface ChildResult {
  candidate: string;
  buildSeconds: number;
  rssDeltaMb: number;
  indexBytes?: number;
  savedBytes?: number;
  loadSeconds?: number;
  settings: { label: string; recall: number; medianMs: number; p99Ms: number; recallDeep: number; medianMsDeep: number }[];
}

function runChild(name: string, dir: string): ChildResult {
  const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8"));
  const read = (f: string) => readFileSync(join(dir, f));
  const f32 = (b: Buffer) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  const i32 = (b: Buffer) => new Int32Array(new Uint8Array(b).buffer);
  const d: Data = { nItems: meta.nItems, dim: meta.dim, nQueries: meta.nQueries, items: f32(read("items.f32")), queries: f32(read("queries.f32")), truth: i32(read("truth.i32")), ...(meta.seen ? { seen: i32(read("seen.i32")) } : {}) };
  const skips = Array.from({ length: d.nQueries }, (_, q) => new Set(d.seen?.subarray(q * SEEN, (q + 1) * SEEN)));
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const built = candidates[name](d, dir);
  const buildSeconds = built.buildSeconds ?? (performance.now() - t0) / 1000;
  globalThis.gc?.();
  const rssDeltaMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
  // Every query once, one at a time, for the top `n`: recall against the exact top n and times.
  const pass = (s: Setting, n: number) => {
    const ms: number[] = [];
    let found = 0;
    for (let q = 0; q < d.nQueries; q++) {
      const query = d.queries.subarray(q * d.dim, (q + 1) * d.dim);
      const t = performance.now();
      const got = s.search(query, skips[q], n);
      ms.push(performance.now() - t);
      const truth = new Set(d.truth.subarray(q * DEEP, q * DEEP + n));
      found += got.filter((i) => truth.has(i)).length;
    }
    return { recall: found / (n * d.nQueries), medianMs: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99) };
  };
  const settings = built.settings.map((s) => {
    // Warm-up first.
    for (let q = 0; q < Math.min(50, d.nQueries); q++) s.search(d.queries.subarray(q * d.dim, (q + 1) * d.dim), skips[q], 10);
    const top10 = pass(s, 10);
    const deep = pass(s, DEEP);
    return { label: s.label, ...top10, recallDeep: deep.recall, medianMsDeep: deep.medianMs };
  });
  return { candidate: name, buildSeconds, rssDeltaMb, indexBytes: built.indexBytes, savedBytes: built.savedBytes, loadSeconds: built.loadSeconds, settings };
}

function child(name: string, dir: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const c = fork(process.argv[1], ["--compare-child", name, "--dir", dir], { execArgv: [...process.execArgv, "--expose-gc"], stdio: ["ignore", "pipe", "inherit", "ipc"] });
    let result: ChildResult | undefined;
    c.on("message", (m) => (result = m as ChildResult));
    c.on("exit", (code) => (result ? resolve(result) : reject(new Error(`${name} exited with ${code}`))));
  });
}

export async function compareIndexes(): Promise<void> {
  const childName = arg("compare-child", "");
  if (childName) {
    process.send!(runChild(childName, arg("dir", "")));
    return;
  }
  const nItems = Number(arg("items", "100000"));
  const dim = Number(arg("dim", "64"));
  const nQueries = Number(arg("queries", "1000"));
  const rounds = Number(arg("rounds", "3"));
  const seed = Number(arg("seed", "1"));
  const names = arg("candidates", Object.keys(candidates).join(",")).split(",");
  for (const name of names.filter((n) => n !== "ivf" && !n.startsWith("hnsw"))) {
    // Fail early, with the install command, rather than after the data.
    if (!candidates[name]) throw new Error(`unknown candidate ${name}: ${Object.keys(candidates).join(", ")}`);
    optional(name.startsWith("usearch") ? "usearch" : "hnswlib-node");
  }
  const dir = mkdtempSync(join(tmpdir(), "bench-index-"));
  try {
    const t0 = performance.now();
    const kind = arg("data", "random");
    const data = kind === "ials" ? fromIals(nItems, Number(arg("users", String(nItems))), dim, nQueries, seed) : generate(nItems, dim, nQueries, seed);
    const truth = exactTop(data);
    writeFileSync(join(dir, "meta.json"), JSON.stringify({ nItems, dim, nQueries, seen: data.seen !== undefined }));
    if (data.seen) writeFileSync(join(dir, "seen.i32"), data.seen);
    writeFileSync(join(dir, "items.f32"), data.items);
    writeFileSync(join(dir, "queries.f32"), data.queries);
    writeFileSync(join(dir, "truth.i32"), truth);
    process.stderr.write(`data and exact top 10: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    const results: ChildResult[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate the order between rounds.
      const order = r % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        const res = await child(name, dir);
        process.stderr.write(`round ${r + 1} ${name}: build ${res.buildSeconds.toFixed(1)} s${res.loadSeconds === undefined ? "" : `, load from file ${res.loadSeconds.toFixed(2)} s`}, ${res.settings.map((s) => `${s.label}: recall ${s.recall.toFixed(3)} ${s.medianMs.toFixed(3)} ms, @${DEEP} ${s.recallDeep.toFixed(3)} ${s.medianMsDeep.toFixed(3)} ms`).join("; ")}\n`);
        results.push(res);
      }
    }
    const med = (xs: number[]) => quantile(xs, 0.5);
    const lines = [
      `bench:index --compare ${new Date().toISOString().slice(0, 10)}: ${nItems} items × ${dim} factors (${kind === "ials" ? "iALS factors of a synthetic catalog" : "seeded genres and popularity skew"}, seed ${seed}), ${nQueries} queries, exact top 10 and ${DEEP} by inner product${data.seen ? ` leaving out the user's ${SEEN} items` : ""}; medians of ${rounds} rounds, one child process each`,
      "",
      `| index | build s | load s | RSS delta MB | index / file MB | recall@10 | query median ms | query p99 ms | recall@${DEEP} | top-${DEEP} median ms |`,
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ];
    for (const name of names) {
      const runs = results.filter((x) => x.candidate === name);
      const bytes = runs[0].indexBytes ?? runs[0].savedBytes;
      runs[0].settings.forEach((s, k) => {
        const of = runs.map((x) => x.settings[k]);
        lines.push(
          `| ${s.label} | ${med(runs.map((x) => x.buildSeconds)).toFixed(1)} | ${runs[0].loadSeconds === undefined ? "" : med(runs.map((x) => x.loadSeconds!)).toFixed(2)} | ${med(runs.map((x) => x.rssDeltaMb)).toFixed(0)} | ${bytes === undefined ? "" : (bytes / 2 ** 20).toFixed(1)} | ${med(of.map((x) => x.recall)).toFixed(3)} | ${med(of.map((x) => x.medianMs)).toFixed(3)} | ${med(of.map((x) => x.p99Ms)).toFixed(3)} | ${med(of.map((x) => x.recallDeep)).toFixed(3)} | ${med(of.map((x) => x.medianMsDeep)).toFixed(3)} |`,
        );
      });
    }
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
