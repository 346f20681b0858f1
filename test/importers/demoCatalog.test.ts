import type { CatalogData } from "../../src/importers/CatalogData";
import { DEMO_REFERENCE_DATE, generateDemoCatalog } from "../../src/demo/demoCatalog";

const catalog = generateDemoCatalog();

const countBy = <T>(values: T[], key: (v: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const v of values) counts[key(v)] = (counts[key(v)] ?? 0) + 1;
  return counts;
};

// User-based nearest neighbours written out here (cosine over binary "engaged
// with" sets, Herlocker et al. 1999), so the test checks the data, not one of
// the engine's models.
function userKnn(data: CatalogData, userId: string, k: number, neighbourCount = 30): { neighbours: string[]; top: string[] } {
  const positive = data.interactions.filter(
    (x) => x.type !== "SKIP" && x.type !== "DISLIKE" && !(x.type === "RATING" && x.value <= 2),
  );
  const itemsOf = new Map<string, Set<string>>();
  for (const x of positive) {
    if (!itemsOf.has(x.userExternalId)) itemsOf.set(x.userExternalId, new Set());
    itemsOf.get(x.userExternalId)!.add(x.itemExternalId);
  }
  const mine = itemsOf.get(userId)!;
  const seen = new Set(data.interactions.filter((x) => x.userExternalId === userId).map((x) => x.itemExternalId));
  const neighbours = [...itemsOf]
    .filter(([other]) => other !== userId)
    .map(([other, theirs]) => {
      let both = 0;
      for (const item of theirs) if (mine.has(item)) both++;
      return { other, theirs, similarity: both / Math.sqrt(theirs.size * mine.size) };
    })
    .sort((a, b) => b.similarity - a.similarity || a.other.localeCompare(b.other))
    .slice(0, neighbourCount);
  const scores = new Map<string, number>();
  for (const n of neighbours) {
    for (const item of n.theirs) if (!seen.has(item)) scores.set(item, (scores.get(item) ?? 0) + n.similarity);
  }
  const top = [...scores].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, k).map(([item]) => item);
  return { neighbours: neighbours.map((n) => n.other), top };
}

describe("generateDemoCatalog", () => {
  it("is deterministic: same seed, deep-equal output; another seed, another catalog", () => {
    expect(generateDemoCatalog(42)).toEqual(catalog);
    expect(generateDemoCatalog(7).interactions).not.toEqual(catalog.interactions);
  });

  it("ends at `endsAt`: the same catalog moved in time, activity running up to the end", () => {
    const endsAt = new Date("2027-03-15T09:30:00.250Z");
    const shift = endsAt.getTime() - DEMO_REFERENCE_DATE.getTime();
    const moved = generateDemoCatalog(42, endsAt);
    expect(moved.users).toEqual(catalog.users);
    expect(moved.items).toEqual(catalog.items);
    expect(moved.interactions).toEqual(catalog.interactions.map((x) => ({ ...x, occurredAt: new Date(x.occurredAt.getTime() + shift) })));
    expect(generateDemoCatalog(42, endsAt)).toEqual(moved);
    const times = moved.interactions.map((x) => x.occurredAt.getTime());
    expect(Math.max(...times)).toBeLessThan(endsAt.getTime());
    expect(Math.min(...times)).toBeGreaterThanOrEqual(endsAt.getTime() - 365 * 86_400_000);
    // The last week is about as busy as an average one (~21k / 52), not only follow-ups.
    const lastWeek = moved.interactions.filter((x) => x.occurredAt.getTime() >= endsAt.getTime() - 7 * 86_400_000);
    expect(lastWeek.length).toBeGreaterThan(300);
    expect(new Set(lastWeek.map((x) => x.type))).toEqual(new Set(["RATING", "VIEW", "PLAY", "LIKE", "DISLIKE", "PURCHASE", "SKIP"]));
  });

  it("has the promised size and mix", () => {
    expect(countBy(catalog.items, (i) => i.kind)).toEqual({ MOVIE: 120, MUSIC: 120, GAME: 80 });
    expect(catalog.users).toHaveLength(300);
    expect(catalog.interactions.length).toBeGreaterThanOrEqual(15_000);
    expect(catalog.interactions.length).toBeLessThanOrEqual(25_000);
    const types = countBy(catalog.interactions, (x) => x.type);
    for (const type of ["RATING", "VIEW", "PLAY", "LIKE", "DISLIKE", "PURCHASE", "SKIP"]) {
      expect(types[type]).toBeGreaterThan(100);
    }
  });

  it("uses unique ids and titles, positive feature weights and plausible features per kind", () => {
    expect(new Set(catalog.items.map((i) => i.externalId)).size).toBe(catalog.items.length);
    expect(new Set(catalog.users.map((u) => u.externalId)).size).toBe(catalog.users.length);
    for (const kind of ["MOVIE", "GAME"]) {
      const titles = catalog.items.filter((i) => i.kind === kind).map((i) => i.title);
      expect(new Set(titles).size).toBe(titles.length);
    }
    const facets = (kind: string) => new Set(catalog.items.filter((i) => i.kind === kind).flatMap((i) => i.features.map((f) => f.facet)));
    expect([...facets("MOVIE")].sort()).toEqual(["cast", "decade", "director", "genre", "tag", "year"]);
    expect([...facets("MUSIC")].sort()).toEqual(["artist", "decade", "genre", "tag", "year"]);
    expect([...facets("GAME")].sort()).toEqual(["decade", "genre", "platform", "studio", "tag", "year"]);
    for (const item of catalog.items) {
      expect(item.title).toMatch(/^[A-Z0-9]/);
      expect(item.releaseYear).toBeGreaterThanOrEqual(1965);
      expect(item.releaseYear).toBeLessThanOrEqual(2026);
      for (const f of item.features) expect(f.weight).toBeGreaterThan(0);
    }
  });

  it("only references existing users and items, with values in range for each type", () => {
    const users = new Set(catalog.users.map((u) => u.externalId));
    const kinds = new Map(catalog.items.map((i) => [i.externalId, i.kind]));
    const start = DEMO_REFERENCE_DATE.getTime() - 365 * 86_400_000;
    const inRange = (x: CatalogData["interactions"][number]): boolean => {
      const t = x.occurredAt.getTime();
      if (!users.has(x.userExternalId) || !kinds.has(x.itemExternalId)) return false;
      if (!Number.isInteger(x.value) || t < start || t >= DEMO_REFERENCE_DATE.getTime()) return false;
      if (x.type === "RATING") return kinds.get(x.itemExternalId) === "MOVIE" && x.value >= 1 && x.value <= 5;
      if (x.type === "PLAY") return x.value >= 1 && x.value <= 250;
      return x.value === 1;
    };
    expect(catalog.interactions.filter((x) => !inRange(x))).toEqual([]);
    const times = catalog.interactions.map((x) => x.occurredAt.getTime());
    expect(times.every((t, i) => i === 0 || times[i - 1] <= t)).toBe(true);
  });

  it("has power-law popularity: a few items are far busier than the median", () => {
    const perItem = Object.values(countBy(catalog.interactions, (x) => x.itemExternalId)).sort((a, b) => b - a);
    const median = perItem[Math.floor(perItem.length / 2)];
    expect(perItem[0]).toBeGreaterThan(5 * median);
  });

  it("has collaborative structure: taste personas find like-minded users and get their genre", () => {
    const genresOf = new Map(
      catalog.items.map((i) => [i.externalId, i.features.filter((f) => f.facet === "genre").map((f) => f.value)]),
    );
    const tastesOf = new Map(catalog.users.map((u) => [u.externalId, String(u.attributes.tastes)]));
    const personas = [
      { user: "demo-user-001", taste: "MOVIE:Sci-Fi", genre: "Sci-Fi", minTop5: 4 },
      { user: "demo-user-002", taste: "MUSIC:Jazz", genre: "Jazz", minTop5: 4 },
      // Only 12 RPGs exist and the persona has played most of them.
      { user: "demo-user-003", taste: "GAME:RPG", genre: "RPG", minTop5: 3 },
    ];
    for (const { user, taste, genre, minTop5 } of personas) {
      expect(tastesOf.get(user)).toBe(taste);
      const { neighbours, top } = userKnn(catalog, user, 5);
      const alike = neighbours.slice(0, 10).filter((n) => tastesOf.get(n)!.split("|").includes(taste));
      expect({ user, alike: alike.length }).toEqual({ user, alike: 10 });
      const inGenre = top.filter((id) => genresOf.get(id)!.includes(genre));
      expect({ user, inGenre: inGenre.length >= minTop5 }).toEqual({ user, inGenre: true });
    }
  });
});
