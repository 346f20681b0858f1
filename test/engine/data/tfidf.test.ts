import { buildItemFeatures } from "../../../src/engine/data/buildItemFeatures";
import { inverseDocumentFrequency, tfidf } from "../../../src/engine/data/tfidf";

describe("tfidf", () => {
  // 3 items; feature 0 on every item, feature 1 on items 0 and 1, feature 2 on item 0 only.
  const m = buildItemFeatures(3, 3, [
    { item: 0, feature: 0, weight: 1 },
    { item: 0, feature: 1, weight: 1 },
    { item: 0, feature: 2, weight: 1 },
    { item: 1, feature: 0, weight: 1 },
    { item: 1, feature: 1, weight: 1 },
    { item: 2, feature: 0, weight: 1 },
  ]);

  it("smooths idf as ln((1 + N) / (1 + df)) + 1 (worked by hand)", () => {
    // N = 3: df (3, 2, 1) -> idf (ln(4/4) + 1, ln(4/3) + 1, ln(4/2) + 1) = (1, 1.28768, 1.69315)
    const idf = inverseDocumentFrequency(m);
    expect(idf[0]).toBeCloseTo(1, 12);
    expect(idf[1]).toBeCloseTo(Math.log(4 / 3) + 1, 12);
    expect(idf[2]).toBeCloseTo(Math.log(2) + 1, 12);
  });

  it("L2-normalises each item row", () => {
    const { matrix } = tfidf(m);
    // item 1: (1, 1.28768) / sqrt(1 + 1.28768^2)
    const w1 = Math.log(4 / 3) + 1;
    const norm = Math.sqrt(1 + w1 * w1);
    expect(matrix.values[matrix.indptr[1]]).toBeCloseTo(1 / norm, 6);
    expect(matrix.values[matrix.indptr[1] + 1]).toBeCloseTo(w1 / norm, 6);
    expect(matrix.values[matrix.indptr[2]]).toBeCloseTo(1, 6); // item 2 has a single feature
  });
});
