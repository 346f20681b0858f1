// One smoke test of the evaluate CLI path on the real MovieLens 100K, when the
// shared copy is there. Kept fast: a popularity model written here, one
// protocol.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, parseArgs } from "../../src/cli/evaluate";
import { MODEL_REGISTRY, findAlgorithm, type RegistryEntry } from "../../src/engine/registry";
import type { Algorithm } from "../../src/engine/types";
import { DEFAULT_DATASET_DIR } from "../../src/evaluation/datasets";

// Item popularity: the number of training users per item (Gorse ItemPop).
const itemPop: Algorithm<Record<string, never>> = {
  name: "itemPop",
  defaults: {},
  fit(data) {
    const counts = new Float32Array(data.nItems);
    for (const item of data.ratings.indices) counts[item]++;
    return { name: "itemPop", scoreAll: () => counts };
  },
};
const registry: Record<string, RegistryEntry> = { popular: { algorithm: itemPop, description: "test popularity" } };

function capture() {
  const out: string[] = [];
  return { out, stream: { isTTY: false, write: (s: string) => out.push(s) } };
}

describe("model registry", () => {
  it("maps every CLI name to an algorithm the CLI accepts by default", () => {
    for (const [name, entry] of Object.entries(MODEL_REGISTRY)) {
      expect(typeof entry.algorithm.fit).toBe("function");
      expect(findAlgorithm(name)).toBe(entry.algorithm);
    }
    expect(findAlgorithm("nope")).toBeUndefined();
    expect(parseArgs([], MODEL_REGISTRY).models).toEqual(Object.keys(MODEL_REGISTRY));
  });
});

describe("evaluate CLI arguments", () => {
  it("rejects unknown models and protocols with the accepted values", () => {
    expect(() => parseArgs(["--models", "nope"], registry)).toThrow(/Unknown model "nope"; available: popular/);
    expect(() => parseArgs(["--protocol", "x"], registry)).toThrow(/surprise-5fold, msr-stratified, gorse-5fold or all/);
    expect(() => parseArgs(["--seed", "-1"], registry)).toThrow(/--seed/);
    expect(parseArgs(["--protocol=gorse-5fold", "--seed", "3"], registry)).toMatchObject({ protocols: ["gorse-5fold"], seed: 3, models: ["popular"] });
  });

  it("takes the folds' threads as a whole number from 1 to 256", () => {
    expect(parseArgs(["--threads", "2"], registry).threads).toBe(2);
    expect(parseArgs([], registry).threads).toBeUndefined();
    expect(() => parseArgs(["--threads", "0"], registry)).toThrow(/--threads must be an integer from 1 to 256, got "0"/);
    expect(() => parseArgs(["--threads", "1.5"], registry)).toThrow(/--threads/);
  });

  it("exits 1 with a clear message when the dataset folder is absent", () => {
    const err = capture();
    const code = main(["--dataset", "/nonexistent/ml-100k"], { stdout: capture().stream, stderr: err.stream, registry });
    expect(code).toBe(1);
    expect(err.out.join("")).toMatch(/No dataset folder at \/nonexistent\/ml-100k/);
  });
});

const haveMl100k = existsSync(join(DEFAULT_DATASET_DIR, "u.data"));
if (!haveMl100k) {
  console.log(`Skipping the MovieLens smoke test: ${DEFAULT_DATASET_DIR}/u.data is absent.`);
}
(haveMl100k ? it : it.skip)("runs popularity through gorse-5fold on ml-100k, near Gorse's ItemPop", () => {
  const dir = mkdtempSync(join(tmpdir(), "marquee-eval-"));
  const stdout = capture();
  const stderr = capture();
  const code = main(
    ["--protocol", "gorse-5fold", "--models", "popular", "--json", join(dir, "r.json"), "--out", dir],
    { stdout: stdout.stream, stderr: stderr.stream, registry, plainProgress: true },
  );
  expect(code).toBe(0);
  const rows = JSON.parse(readFileSync(join(dir, "r.json"), "utf8"));
  expect(rows).toHaveLength(1);
  expect(Object.keys(rows[0]).sort()).toEqual(["dataset", "fitSeconds", "metrics", "model", "predictSeconds", "protocol"]);
  expect(rows[0]).toMatchObject({ model: "popular", protocol: "gorse-5fold", dataset: "ml-100k" });
  // Gorse's published ItemPop: P@10 0.191, R@10 0.116, nDCG@10 0.218, MRR@10 0.410.
  expect(rows[0].metrics["precision@10"]).toBeCloseTo(0.191, 1);
  expect(rows[0].metrics["recall@10"]).toBeCloseTo(0.116, 1);
  expect(rows[0].metrics.rmse).toBeUndefined();
  expect(stdout.out.join("")).toMatch(/\| popular \| 0\.\d{4} \|.*ItemPop 0\.1910/);
  expect(readFileSync(join(dir, "model-comparison.svg"), "utf8")).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\n$/);
  expect(readFileSync(join(dir, "ndcg-curve.svg"), "utf8")).toContain("<polyline");
  const report = readFileSync(join(dir, "report.html"), "utf8");
  expect(report).toMatch(/<td style="text-align:left">popular<\/td>/);
  expect(report).toContain("<polyline");
});
