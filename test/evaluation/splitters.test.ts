import { gorseKFold } from "../../src/evaluation/splits/gorseKFold";
import { msrStratifiedSplit } from "../../src/evaluation/splits/msrStratifiedSplit";
import { NumpyRandomState } from "../../src/evaluation/splits/NumpyRandomState";
import { surpriseKFold } from "../../src/evaluation/splits/surpriseKFold";
import type { Fold } from "../../src/evaluation/splits/Fold";

// A small synthetic log: 30 users, user u rated (u % 7) + 1 items.
function synthetic(): { users: Int32Array; items: Int32Array } {
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < 30; u++) {
    for (let j = 0; j <= u % 7; j++) {
      users.push(u);
      items.push((u * 3 + j * 5) % 40);
    }
  }
  return { users: Int32Array.from(users), items: Int32Array.from(items) };
}

// Train and test are disjoint and cover the rows; across k folds each row is
// tested exactly once.
function expectPartition(folds: Fold[], n: number): void {
  const testCount = new Int32Array(n);
  for (const fold of folds) {
    const train = new Set(fold.train);
    expect(train.size).toBe(fold.train.length);
    for (const row of fold.test) {
      expect(train.has(row)).toBe(false); // no leakage
      testCount[row]++;
    }
    expect(fold.train.length + fold.test.length).toBe(n);
  }
  if (folds.length > 1) expect(Array.from(testCount).every((c) => c === 1)).toBe(true);
}

describe("NumpyRandomState (bit-exact numpy legacy MT19937)", () => {
  it("matches np.random.RandomState(42).rand()", () => {
    const rng = new NumpyRandomState(42);
    expect(rng.random()).toBe(0.3745401188473625);
    expect(rng.random()).toBe(0.9507143064099162);
  });
  it("matches np.random.RandomState(0).shuffle(np.arange(10))", () => {
    expect(Array.from(new NumpyRandomState(0).shuffle(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])))).toEqual([
      2, 8, 4, 9, 1, 6, 7, 3, 0, 5,
    ]);
  });
});

describe("surpriseKFold", () => {
  it("partitions the rows into 5 folds, the first n % 5 one larger", () => {
    const folds = surpriseKFold(103, { seed: 0 });
    expect(folds.map((f) => f.test.length)).toEqual([21, 21, 21, 20, 20]);
    expectPartition(folds, 103);
  });
  it("cuts consecutive slices of numpy's permutation", () => {
    const perm = new NumpyRandomState(0).shuffle(Int32Array.from({ length: 10 }, (_, i) => i));
    const folds = surpriseKFold(10, { seed: 0 });
    expect(Array.from(folds[0].test)).toEqual(Array.from(perm.subarray(0, 2)));
    expect(Array.from(folds[4].test)).toEqual(Array.from(perm.subarray(8, 10)));
  });
  it("is deterministic for a seed and changes with it", () => {
    expect(surpriseKFold(50, { seed: 3 })).toEqual(surpriseKFold(50, { seed: 3 }));
    expect(surpriseKFold(50, { seed: 3 })[0].test).not.toEqual(surpriseKFold(50, { seed: 4 })[0].test);
  });
  it("rejects fewer than two folds", () => {
    expect(() => surpriseKFold(10, { seed: 0, nSplits: 1 })).toThrow(/n_splits=1/);
  });
});

describe("gorseKFold", () => {
  it("partitions the rows into 5 folds of Gorse's sizes", () => {
    const folds = gorseKFold(12, { seed: 1 });
    expect(folds.map((f) => f.test.length)).toEqual([3, 3, 2, 2, 2]);
    expectPartition(folds, 12);
  });
  it("is deterministic for a seed", () => {
    expect(gorseKFold(40, { seed: 9 })).toEqual(gorseKFold(40, { seed: 9 }));
    expect(gorseKFold(40, { seed: 9 })[0].test).not.toEqual(gorseKFold(40, { seed: 10 })[0].test);
  });
});

describe("msrStratifiedSplit", () => {
  const data = synthetic();
  const n = data.users.length;

  it("keeps #{i : i/n <= 0.75} of each user's rows in train, the rest in test", () => {
    const { train, test } = msrStratifiedSplit(data, { filterBy: "user", seed: 42 });
    expectPartition([{ train, test }], n);
    const perUser = (rows: Int32Array, u: number) => Array.from(rows).filter((r) => data.users[r] === u).length;
    for (let u = 0; u < 30; u++) {
      const count = (u % 7) + 1;
      const expectedTrain = Array.from({ length: count }, (_, i) => (i + 1) / count).filter((r) => r <= 0.75).length;
      expect(perUser(train, u)).toBe(expectedTrain);
      expect(perUser(test, u)).toBe(count - expectedTrain);
    }
  });

  it("sends a user with one rating wholly to test, as pandas rank 1/1 > 0.75 does", () => {
    const { train, test } = msrStratifiedSplit({ users: [5], items: [1] }, { filterBy: "user" });
    expect(Array.from(train)).toEqual([]);
    expect(Array.from(test)).toEqual([0]);
  });

  it("stratifies on items when asked (the benchmark notebook's filter_by='item')", () => {
    const { train, test } = msrStratifiedSplit(data, { filterBy: "item", seed: 42 });
    expectPartition([{ train, test }], n);
    const byItem = new Map<number, number[]>();
    for (let r = 0; r < n; r++) byItem.set(data.items[r], [...(byItem.get(data.items[r]) ?? []), r]);
    const trainSet = new Set(train);
    for (const rows of byItem.values()) {
      const inTrain = rows.filter((r) => trainSet.has(r)).length;
      expect(inTrain).toBe(Array.from({ length: rows.length }, (_, i) => (i + 1) / rows.length).filter((x) => x <= 0.75).length);
    }
  });

  it("orders rows within a group by np.random.rand drawn in row order", () => {
    // Two rows of one user: rand(2) with seed 42 is [0.3745, 0.9507], so row 0
    // ranks first (rank 0.5, train) and row 1 second (rank 1.0, test).
    const { train, test } = msrStratifiedSplit({ users: [0, 0], items: [0, 1] }, { seed: 42 });
    expect(Array.from(train)).toEqual([0]);
    expect(Array.from(test)).toEqual([1]);
  });

  it("drops groups under min_rating", () => {
    const { train, test } = msrStratifiedSplit(data, { filterBy: "user", minRating: 3 });
    const kept = Array.from(data.users).filter((u) => (u % 7) + 1 >= 3).length;
    expect(train.length + test.length).toBe(kept);
  });

  it("is deterministic for a seed", () => {
    expect(msrStratifiedSplit(data, { seed: 7 })).toEqual(msrStratifiedSplit(data, { seed: 7 }));
    expect(msrStratifiedSplit(data, { seed: 7 }).test).not.toEqual(msrStratifiedSplit(data, { seed: 8 }).test);
  });
});
