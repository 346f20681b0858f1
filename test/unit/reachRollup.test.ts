// The reach gathered in memory between writes: grouped by the hour and the
// keys the impressions' own rollups use, items counted, a user's register
// kept at its largest rank, and everything written in one call per flush.
import { ReachRollup, type ReachGroup } from "../../src/serving/reachRollup";
import { hllPosition } from "../../src/engine/sketch/hyperLogLog";
import type { ImpressionRecord } from "../../src/serving/impressionLog";

function shown(at: string, userId: number | null, itemIds: number[], extra: Partial<ImpressionRecord> = {}): ImpressionRecord {
  return { id: at, userId, userKey: null, surface: "recommendations", strategy: "HYBRID", model: "hybrid@1", shownAt: new Date(at), itemIds, ranks: itemIds.map((_, k) => k + 1), rails: null, scores: itemIds.map(() => 1), ...extra };
}

describe("ReachRollup", () => {
  it("groups by hour, strategy, model and experiment/arm, counts items, keeps each register's largest rank", async () => {
    const writes: (readonly ReachGroup[])[] = [];
    const reach = new ReachRollup(async (groups) => void writes.push(groups), undefined, 60_000);
    reach.add([
      shown("2026-12-03T10:05:00Z", 7, [1, 2]),
      shown("2026-12-03T10:55:00Z", 7, [2, 3]),
      shown("2026-12-03T11:00:00Z", null, [1], { strategy: null, model: null }),
      shown("2026-12-03T10:10:00Z", 8, [4], { experiment: "ab", arm: "b" }),
    ]);
    await reach.flush();
    expect(writes).toHaveLength(1);
    const byKey = Object.fromEntries(writes[0].map((g) => [`${g.hour.toISOString()}|${g.strategy}|${g.model}|${g.arm}`, g]));
    expect(Object.keys(byKey).sort()).toEqual(["2026-12-03T10:00:00.000Z|HYBRID|hybrid@1|", "2026-12-03T10:00:00.000Z|HYBRID|hybrid@1|ab/b", "2026-12-03T11:00:00.000Z|||"]);
    const ten = byKey["2026-12-03T10:00:00.000Z|HYBRID|hybrid@1|"];
    expect([...ten.items]).toEqual([[1, 1], [2, 2], [3, 1]]);
    const seven = hllPosition(7);
    expect([...ten.registers]).toEqual([[seven.register, seven.rho]]);
    // Anonymous answers reach no one.
    expect(byKey["2026-12-03T11:00:00.000Z|||"].registers.size).toBe(0);
    // Nothing pending: no write.
    await reach.flush();
    expect(writes).toHaveLength(1);
  });

  it("reports a failed write and takes the next batch as usual", async () => {
    const failures: number[] = [];
    let fail = true;
    const written: number[] = [];
    const reach = new ReachRollup(async (groups) => {
      if (fail) throw new Error("database down");
      written.push(groups.length);
    }, (_, groups) => void failures.push(groups));
    reach.add([shown("2026-12-03T10:05:00Z", 1, [1])]);
    await reach.flush();
    fail = false;
    reach.add([shown("2026-12-03T10:05:00Z", 1, [1])]);
    await reach.flush();
    expect(failures).toEqual([1]);
    expect(written).toEqual([1]);
  });
});
