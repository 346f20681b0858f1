// The leave-last-out protocol on a table small enough to order by hand.
import { csrFromTriplets } from "../../src/engine/data/CsrMatrix";
import { IdMap } from "../../src/engine/data/IdMap";
import type { Algorithm, TrainingSet } from "../../src/engine/types";
import type { RatingTable } from "../../src/evaluation/datasets";
import { markdownReport } from "../../src/evaluation/report";
import { evaluateAlgorithm } from "../../src/evaluation/runner";
import { leaveLastOut } from "../../src/evaluation/splits/leaveLastOut";

// Rows in file order: (user, item, rating, time).
const rows: [number, number, number, number][] = [
  [0, 0, 4, 10],
  [0, 1, 1, 5],
  [1, 2, 5, 1],
  [0, 2, 3, 20],
  [0, 3, 5, 20], // same time as row 3, after it in the file
  [1, 3, 2, 2],
  [0, 4, 2, 30],
  [0, 5, 5, 1],
  [1, 4, 4, 3],
];
// user 0 in time order: rows 7, 1, 0, 3, 4, 6 = items 5, 1, 0, 2, 3, 4. user 1 has 3 ratings: dropped.

function table(): RatingTable {
  const names = Array.from({ length: 8 }, (_, i) => `i${i}`);
  return {
    name: "tiny",
    nUsers: 2,
    nItems: 8,
    users: Int32Array.from(rows.map((r) => r[0])),
    items: Int32Array.from(rows.map((r) => r[1])),
    ratings: Float32Array.from(rows.map((r) => r[2])),
    timestamps: Float64Array.from(rows.map((r) => r[3])),
    userIds: IdMap.from(["a", "b"]),
    itemIds: IdMap.from(names),
    itemTitles: names,
    itemFeatures: csrFromTriplets(8, 0, [], [], []),
    featureNames: [],
    ratingScale: { min: 1, max: 5 },
  };
}

// Remembers what it was trained on and the sequence it was asked about.
function probe(withSequence: boolean): { algorithm: Algorithm<Record<string, never>>; seen: { train?: TrainingSet; sequence?: number[]; users: number[] } } {
  const seen: { train?: TrainingSet; sequence?: number[]; users: number[] } = { users: [] };
  const algorithm: Algorithm<Record<string, never>> = {
    name: withSequence ? "ordered" : "orderBlind",
    defaults: {},
    fit(data) {
      seen.train = data;
      return {
        name: "probe",
        // Order-blind: prefers high item indices (7, 6, then the target 4).
        scoreAll: (user) => (seen.users.push(user), Float32Array.from({ length: data.nItems }, (_, i) => i)),
        // Sequence-aware: prefers low indices; 0..3 and 5 are in the sequence, so 4 comes first.
        ...(withSequence ? { scoreSequence: (s: Int32Array) => ((seen.sequence = Array.from(s)), Float32Array.from({ length: data.nItems }, (_, i) => -i)) } : {}),
      };
    },
  };
  return { algorithm, seen };
}

describe("leaveLastOut", () => {
  it("holds out each user's last interaction (ties in file order) and drops users with fewer than 5", () => {
    const fold = leaveLastOut(table());
    expect(Array.from(fold.test)).toEqual([6]);
    expect(Array.from(fold.train)).toEqual([0, 1, 3, 4, 7]);
  });

  it("validation holds out the second-to-last and trains without the last two", () => {
    const fold = leaveLastOut(table(), { target: "validation" });
    expect(Array.from(fold.test)).toEqual([4]);
    expect(Array.from(fold.train)).toEqual([0, 1, 3, 7]);
  });
});

describe("evaluateAlgorithm on leave-last-out", () => {
  it("asks a sequence-aware model with the sequence without its last item, implicit values, seen items left out", () => {
    const { algorithm, seen } = probe(true);
    const r = evaluateAlgorithm(table(), algorithm, "leave-last-out");
    expect(seen.sequence).toEqual([5, 1, 0, 2, 3]);
    expect(seen.users).toEqual([]);
    expect(Array.from(seen.train!.ratings.values)).toEqual([1, 1, 1, 1, 1]);
    expect(seen.train!.ratingScale).toBeUndefined();
    // Target 4 ranked first.
    expect(r.metrics).toEqual({ "hr@10": 1, "ndcg@10": 1, "mrr@10": 1 });
    expect(r.folds).toBe(1);
  });

  it("scores an order-blind model for the trained user; the target at rank 3", () => {
    const { algorithm, seen } = probe(false);
    const r = evaluateAlgorithm(table(), algorithm, "leave-last-out");
    expect(seen.users).toEqual([0]);
    // Ranked 7, 6, 4: NDCG 1 / log2(4) = 0.5, MRR 1/3.
    expect(r.metrics["hr@10"]).toBe(1);
    expect(r.metrics["ndcg@10"]).toBeCloseTo(0.5, 10);
    expect(r.metrics["mrr@10"]).toBeCloseTo(1 / 3, 10);
    expect(evaluateAlgorithm(table(), algorithm, "leave-last-out", { k: 2 }).metrics).toEqual({ "hr@2": 0, "ndcg@2": 0, "mrr@2": 0 });
  });

  it("validation targets: the second-to-last item against the sequence before it", () => {
    const { algorithm, seen } = probe(true);
    const r = evaluateAlgorithm(table(), algorithm, "leave-last-out", { protocolOptions: { target: "validation" } });
    expect(seen.sequence).toEqual([5, 1, 0, 2]);
    // Unseen items by score: 3 (the target), 4, 6, 7.
    expect(r.metrics["hr@10"]).toBe(1);
    expect(r.metrics["ndcg@10"]).toBe(1);
  });

  it("reports HR, NDCG and MRR with the published figures of the dataset, none on validation", () => {
    const result = { ...evaluateAlgorithm(table(), probe(true).algorithm, "leave-last-out", { name: "transitions" }), dataset: "ml-latest-small" };
    const report = markdownReport([result, { ...result, model: "ease" }], ["leave-last-out"]);
    expect(report).toContain("| model | HR@10 | NDCG@10 | MRR@10 | fit s | predict s | published (comparable) |");
    expect(report).toContain("| transitions | 1.0000 | 1.0000 | 1.0000 |");
    expect(report).toContain("Transitions (window 3) 0.0951/0.0533");
    expect(report).toContain("EASE –/0.0353"); // no HR published
    expect(report).not.toContain("0.0728"); // ml-100k's EASE
    const validation = markdownReport([result], ["leave-last-out"], { target: "validation" });
    expect(validation).toContain("validation targets");
    expect(validation).not.toContain("0.0533");
  });
});
