// Parses the real MovieLens files when they are present (they are not
// redistributable, so a checkout may not have them) and skips, saying why, when not.
import { existsSync } from "node:fs";
import { readMovieLens100k } from "../../src/importers/movielens100k";
import { readMovieLensLatest } from "../../src/importers/movielensLatest";

const ML_100K = "/work/shared/datasets/ml-100k";
const ML_LATEST_SMALL = "/work/shared/datasets/ml-latest-small";

function itWhenPresent(dir: string, file: string, name: string, body: () => void): void {
  if (existsSync(`${dir}/${file}`)) {
    it(name, body);
  } else {
    it.skip(`${name} [SKIPPED: ${dir}/${file} not found; download the dataset there to run this test]`, body);
  }
}

describe("real MovieLens datasets", () => {
  itWhenPresent(ML_100K, "u.data", "reads ml-100k: 943 users, 1682 items, 100000 ratings", () => {
    const data = readMovieLens100k(ML_100K);
    expect(data.users).toHaveLength(943);
    expect(data.items).toHaveLength(1682);
    expect(data.interactions).toHaveLength(100_000);
    const items = new Set(data.items.map((i) => i.externalId));
    const users = new Set(data.users.map((u) => u.externalId));
    expect(data.interactions.every((x) => items.has(x.itemExternalId) && users.has(x.userExternalId))).toBe(true);
    expect(data.items.find((i) => i.externalId === "ml100k-item-543")!.title).toBe("Misérables, Les");
    const stars = [1, 2, 3, 4, 5].map((v) => data.interactions.filter((x) => x.value === v).length);
    expect(stars).toEqual([6110, 11370, 27145, 34174, 21201]); // from the dataset's SOURCE.md
  });

  itWhenPresent(ML_LATEST_SMALL, "ratings.csv", "reads ml-latest-small: 100836 ratings, 9742 movies, 3683 tags", () => {
    const data = readMovieLensLatest(ML_LATEST_SMALL);
    expect(data.interactions).toHaveLength(100_836);
    expect(data.items).toHaveLength(9742);
    expect(data.users).toHaveLength(610);
    // 3683 tag rows collapse to fewer (item, tag) features: case variants and
    // several users applying the same tag become one feature with a weight.
    const tagWeights = data.items.flatMap((i) => i.features.filter((f) => f.facet === "tag").map((f) => f.weight));
    expect(tagWeights.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3683);
    expect(tagWeights.length).toBeGreaterThan(3000);
    expect(data.items.find((i) => i.externalId === "mlsmall-item-29")!.title).toBe(
      "City of Lost Children, The (Cité des enfants perdus, La)",
    );
  });
});
