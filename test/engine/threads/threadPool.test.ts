import { runOnThreads, sharedArray, startThreadPool } from "../../../src/engine/threads/threadPool";

const tasks = require.resolve("./support/tasks");

describe("threadPool", () => {
  it("runs every part on each step, each claimed piece once, and hands back what the parts sent", () => {
    const data = { n: 50, seen: sharedArray(Int32Array, 50) };
    const pool = startThreadPool({ module: tasks, name: "claimPieces" }, data, 3)!;
    expect(pool.threads).toBe(3);
    try {
      for (const step of [0, 1]) {
        const sent = pool.run(step) as { piece: number; part: number; step: number }[];
        expect(sent.map((s) => s.piece).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
        expect(sent.every((s) => s.step === step && s.part >= 0 && s.part < 3)).toBe(true);
      }
    } finally {
      pool.close();
    }
    expect(Array.from(data.seen).every((c) => c === 2)).toBe(true);
  }, 60_000);

  it("throws a worker's error instead of waiting for it", () => {
    expect(() => runOnThreads({ module: tasks, name: "failOnWorkers" }, {}, 2)).toThrow("threads: a worker failed in failOnWorkers: part 1 broke");
  }, 60_000);

  it("says so when the module exports no such task", () => {
    expect(() => startThreadPool({ module: tasks, name: "nothing" }, {}, 2)).toThrow(/exports no function nothing/);
  });
});
