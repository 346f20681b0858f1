import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatasetNotFoundError, detectDataset, loadDataset, parseCsvLine } from "../../src/evaluation/datasets";

function dir(files: Record<string, Buffer | string>): string {
  const d = mkdtempSync(join(tmpdir(), "marquee-ds-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(d, name), content);
  return d;
}

describe("parseCsvLine", () => {
  it("handles quotes, escaped quotes and a trailing CR", () => {
    expect(parseCsvLine('11,"American President, The (1995)",Comedy|Drama|Romance\r')).toEqual([
      "11",
      "American President, The (1995)",
      "Comedy|Drama|Romance",
    ]);
    expect(parseCsvLine('1,"Say ""Hi""",')).toEqual(["1", 'Say "Hi"', ""]);
  });
});

describe("MovieLens 100K reader", () => {
  const genres = "unknown|0\nAction|1\nAdventure|2\n\n";
  const items = Buffer.from(
    "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|1\n2|Mis\xe9rables, Les (1995)|01-Jan-1995||http://y|0|1|1\n",
    "latin1",
  );
  const data = "196\t2\t3\t881250949\n186\t1\t5\t891717742\n196\t1\t1\t878887116\n";

  it("reads ratings in file order with dense indices, Latin-1 titles and genre flags", () => {
    const t = loadDataset(dir({ "u.data": data, "u.item": items, "u.genre": genres }));
    expect(t.name).toBe("ml-100k");
    expect([t.nUsers, t.nItems]).toEqual([2, 2]);
    expect(Array.from(t.users)).toEqual([0, 1, 0]);
    expect(Array.from(t.items)).toEqual([1, 0, 0]); // items indexed in u.item order
    expect(Array.from(t.ratings)).toEqual([3, 5, 1]);
    expect(t.timestamps[1]).toBe(891717742);
    expect(t.itemTitles[1]).toBe("Misérables, Les (1995)");
    expect(t.featureNames).toEqual(["unknown", "Action", "Adventure"]);
    expect(Array.from(t.itemFeatures.indptr)).toEqual([0, 1, 3]);
    expect(Array.from(t.itemFeatures.indices)).toEqual([2, 1, 2]);
    expect(t.userIds.id(1)).toBe("186");
    expect(t.ratingScale).toEqual({ min: 1, max: 5 });
  });
});

describe("ml-latest-small reader", () => {
  const movies =
    'movieId,title,genres\r\n1,Toy Story (1995),Adventure|Animation\r\n11,"American President, The (1995)",Comedy|Romance\r\n5,Nothing (2000),(no genres listed)\r\n';
  const ratings = "userId,movieId,rating,timestamp\r\n1,11,4.5,964982703\r\n2,1,0.5,964981247\r\n";

  it("reads quoted CSV with CRLF, half-star ratings and genre names", () => {
    const d = dir({ "ratings.csv": ratings, "movies.csv": movies });
    expect(detectDataset(d)).toBe("ml-latest-small");
    const t = loadDataset(d);
    expect([t.nUsers, t.nItems]).toEqual([2, 3]);
    expect(Array.from(t.ratings)).toEqual([4.5, 0.5]);
    expect(Array.from(t.items)).toEqual([1, 0]);
    expect(t.itemTitles[1]).toBe("American President, The (1995)");
    expect(t.featureNames).toEqual(["Adventure", "Animation", "Comedy", "Romance"]);
    expect(t.itemFeatures.indptr[3] - t.itemFeatures.indptr[2]).toBe(0); // no genres listed
    expect(t.ratingScale).toEqual({ min: 0.5, max: 5 });
  });
});

describe("dataset detection", () => {
  it("says where it looked and what it expected", () => {
    expect(() => detectDataset("/nonexistent/marquee")).toThrow(DatasetNotFoundError);
    expect(() => detectDataset("/nonexistent/marquee")).toThrow(/No dataset folder at \/nonexistent\/marquee/);
    expect(() => detectDataset(dir({ "README": "x" }))).toThrow(/neither u.data/);
  });
});
