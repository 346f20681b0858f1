import { choleskyInPlace, choleskyPanelRow, choleskySolveInPlace, choleskyUpdateRow } from "../../../src/engine/linalg/cholesky";
import { gramOfInverseRows, invertSpd, lowerInverseColumns } from "../../../src/engine/linalg/invertSpd";

describe("choleskyInPlace", () => {
  it("factors a 2x2 matrix worked out by hand", () => {
    // [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]]
    const a = Float64Array.of(4, 2, 2, 3);
    expect(choleskyInPlace(a, 2)).toBe(true);
    expect(a[0]).toBeCloseTo(2, 12);
    expect(a[2]).toBeCloseTo(1, 12);
    expect(a[3]).toBeCloseTo(Math.SQRT2, 12);
  });

  it("reports a matrix that is not positive definite", () => {
    expect(choleskyInPlace(Float64Array.of(1, 2, 2, 1), 2)).toBe(false);
  });

  it("solves A x = b", () => {
    const a = Float64Array.of(4, 2, 2, 3);
    choleskyInPlace(a, 2);
    const b = Float64Array.of(2, 1); // x = (0.5, 0)
    choleskySolveInPlace(a, 2, b);
    expect(b[0]).toBeCloseTo(0.5, 12);
    expect(b[1]).toBeCloseTo(0, 12);
  });
});

describe("invertSpd", () => {
  it("inverts a 3x3 matrix worked out by hand", () => {
    // [[2, -1, 0], [-1, 2, -1], [0, -1, 2]]⁻¹ = [[3, 2, 1], [2, 4, 2], [1, 2, 3]] / 4
    const inv = invertSpd(Float64Array.of(2, -1, 0, -1, 2, -1, 0, -1, 2), 3)!;
    const expected = [3, 2, 1, 2, 4, 2, 1, 2, 3].map((v) => v / 4);
    expected.forEach((v, k) => expect(inv[k]).toBeCloseTo(v, 12));
  });

  it("gives A·A⁻¹ = I on a random SPD matrix, and a symmetric inverse", () => {
    const n = 7;
    const m = Float64Array.from({ length: n * n }, (_, k) => Math.sin(k * 1.7));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? 0.5 : 0;
        for (let t = 0; t < n; t++) s += m[i * n + t] * m[j * n + t];
        a[i * n + j] = s;
      }
    const inv = invertSpd(a, n)!;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < n; t++) s += a[i * n + t] * inv[t * n + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
        expect(inv[i * n + j]).toBeCloseTo(inv[j * n + i], 12);
      }
  });

  it("returns undefined for a singular matrix", () => {
    expect(invertSpd(Float64Array.of(1, 1, 1, 1), 2)).toBeUndefined();
  });

  it("gives the same bits computed in pieces, in any order (as threads take them)", () => {
    const n = 11;
    const m = Float64Array.from({ length: n * n }, (_, k) => Math.cos(k * 0.9));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let t = 0; t < n; t++) a[i * n + j] += m[i * n + t] * m[j * n + t] + (i === j && t === 0 ? 0.1 : 0);
    const inverse = invertSpd(a, n)!;
    // The factor by block columns of 4, rows below each block taken in any order.
    const l = Float64Array.from(a);
    for (let kb = 0; kb < n; kb += 4) {
      const ke = Math.min(n, kb + 4);
      for (let i = kb; i < ke; i++) expect(choleskyPanelRow(l, n, i, kb, ke)).toBe(true);
      for (let i = n - 1; i >= ke; i--) choleskyPanelRow(l, n, i, kb, ke);
      for (let i = ke; i < n; i++) choleskyUpdateRow(l, n, i, kb, ke);
    }
    const whole = Float64Array.from(a);
    choleskyInPlace(whole, n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(Object.is(l[i * n + j], whole[i * n + j])).toBe(true);
    const w = new Float64Array(n * n);
    const inv = new Float64Array(n * n);
    for (const [from, to] of [[8, 11], [0, 3], [3, 8]]) lowerInverseColumns(l, w, n, from, to);
    for (const [from, to] of [[4, 11], [0, 1], [1, 4]]) gramOfInverseRows(w, inv, n, from, to);
    expect(Buffer.from(inv.buffer).equals(Buffer.from(inverse.buffer))).toBe(true);
  });
});
