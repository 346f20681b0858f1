// The impression buffer: every kind of answer is written as it was added
// (anonymous, a page's rails, an exploring answer's propensities and pool,
// an experiment's arm), in order, in batches of the set size; holds()
// sees ids and users waiting or being written; a deleted user's waiting
// answers are left out; the bound counts what it drops.
import { ImpressionLog, type ImpressionRecord } from "../../src/serving/impressionLog";
import { processMetrics } from "../../src/observability/metrics";

function answer(n: number, extra: Partial<ImpressionRecord> = {}): ImpressionRecord {
  return {
    id: `id-${n}`,
    userId: 100 + (n % 3),
    userKey: `u${100 + (n % 3)}`,
    surface: "recommendations",
    strategy: "HYBRID",
    model: "hybrid@1",
    experiment: null,
    arm: null,
    shownAt: new Date(Date.UTC(2026, 11, 3, 10, 0, n)),
    itemIds: [n, n + 1, n + 2],
    ranks: [1, 2, 3],
    rails: null,
    scores: [0.5 + n, 0.25, -1e-7],
    ...extra,
  };
}

const kinds: ImpressionRecord[] = [
  answer(1),
  answer(2, { userId: null, userKey: null, surface: "similarItems", strategy: "ITEM_KNN", model: null }),
  answer(3, { surface: "page", strategy: null, model: null, itemIds: [7, 8, 9, 10], ranks: [1, 2, 1, 2], rails: [0, 0, 1, 1], scores: [4, 3, 2, 1] }),
  answer(4, { propensities: [0.5, 0.25, 0.125], pool: [4, 5, 6, 11, 12] }),
  answer(5, { experiment: "rails-test", arm: "b", itemIds: [], ranks: [], scores: [] }),
  answer(6, { itemIds: Array.from({ length: 40 }, (_, k) => k + 1), ranks: Array.from({ length: 40 }, (_, k) => k + 1), scores: Array.from({ length: 40 }, (_, k) => 1 / (k + 1)) }),
  answer(7, { propensities: [1, 1, 1] }),
];


function capture(): { batches: ImpressionRecord[][]; write: (batch: readonly ImpressionRecord[]) => Promise<void> } {
  const batches: ImpressionRecord[][] = [];
  return { batches, write: async (batch) => void batches.push([...batch]) };
}

describe("ImpressionLog", () => {
  it("writes every answer back as it was added, in order, in batches of the set size", async () => {
    const { batches, write } = capture();
    const log = new ImpressionLog(write, { batchSize: 3, flushIntervalMs: 600_000, maxBuffered: 100 });
    for (const r of kinds) expect(log.add(structuredClone(r))).toBe(true);
    expect(log.buffered).toBe(7);
    await log.flush();
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(batches.flat()).toEqual(kinds.map((r) => expect.objectContaining(r)));
    expect(log.buffered).toBe(0);
  });

  it("sees ids and users waiting and being written, and not once written", async () => {
    let release!: () => void;
    const written: string[] = [];
    const log = new ImpressionLog(
      async (batch) => {
        await new Promise<void>((r) => (release = r));
        written.push(...batch.map((r) => r.id));
      },
      { batchSize: 2, flushIntervalMs: 600_000, maxBuffered: 100 },
    );
    log.add(answer(1));
    log.add(answer(2)); // a full batch: being written
    log.add(answer(3)); // waiting
    expect(log.buffered).toBe(3);
    expect(log.holds(["id-1"], [])).toBe(true);
    expect(log.holds(["id-3"], [])).toBe(true);
    expect(log.holds(["nope"], ["u102"])).toBe(true); // answer 2's user
    expect(log.holds(["nope"], ["u999"])).toBe(false);
    expect(log.holds([], [])).toBe(false);
    const flushed = log.flush();
    release();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await flushed;
    expect(written).toEqual(["id-1", "id-2", "id-3"]);
    expect(log.holds(["id-1", "id-3"], ["u100", "u101", "u102"])).toBe(false);
  });

  it("leaves out a deleted user's waiting answers, and keeps the others in order", async () => {
    const { batches, write } = capture();
    const log = new ImpressionLog(write, { batchSize: 4, flushIntervalMs: 600_000, maxBuffered: 100 });
    for (let n = 1; n <= 6; n++) log.add(answer(n));
    // Answers 1-4 are being written (one full batch); 5 and 6 wait. User 101 is answer 1's and 4's.
    log.forgetUser(101);
    log.forgetUser(102); // answer 5's
    expect(log.buffered).toBe(5);
    await log.flush();
    expect(batches.flat().map((r) => r.id)).toEqual(["id-1", "id-2", "id-3", "id-4", "id-6"]);
  });

  it("drops and counts what does not fit, and writes the rest when stopped", async () => {
    const { batches, write } = capture();
    const log = new ImpressionLog(write, { batchSize: 10, flushIntervalMs: 600_000, maxBuffered: 3 });
    const before = (await processMetrics().registry.getSingleMetric("marquee_impressions_dropped_total")!.get()).values.find((v) => v.labels.reason === "overflow")?.value ?? 0;
    expect([1, 2, 3, 4, 5].map((n) => log.add(answer(n)))).toEqual([true, true, true, false, false]);
    const after = (await processMetrics().registry.getSingleMetric("marquee_impressions_dropped_total")!.get()).values.find((v) => v.labels.reason === "overflow")?.value ?? 0;
    expect(after - before).toBe(2);
    await log.stop();
    expect(batches.flat().map((r) => r.id)).toEqual(["id-1", "id-2", "id-3"]);
    expect(log.add(answer(6))).toBe(false);
  });
});
