// A catalog small enough to work the answers out by hand (see the comments in
// recommendations.test.ts): four Sci-Fi films, three comedies, a jazz album
// and a film without features; users who liked them.
import type { CatalogData } from "../../../src/importers/CatalogData";

const at = (day: number) => new Date(Date.UTC(2026, 0, day));

export function tinyCatalog(): CatalogData {
  const movie = (id: string, genre: string | null, year: number | null) => ({
    externalId: id,
    kind: "MOVIE" as const,
    title: `Title ${id}`,
    releaseYear: year,
    description: null,
    attributes: {},
    features: genre ? [{ facet: "genre", value: genre, weight: 1 }] : [],
  });
  const items = [
    movie("s1", "Sci-Fi", 2001),
    movie("s2", "Sci-Fi", 2002),
    movie("s3", "Sci-Fi", 2003),
    movie("s4", "Sci-Fi", 2004),
    movie("c1", "Comedy", 1990),
    movie("c2", "Comedy", 1991),
    movie("c3", "Comedy", 1992),
    { ...movie("j1", null, 1959), kind: "MUSIC" as const, features: [{ facet: "genre", value: "Jazz", weight: 1 }] },
    movie("n1", null, null),
  ];
  const likes: [string, string[]][] = [
    ["u1", ["s1", "s2", "s3"]],
    ["u2", ["s1", "s2", "s4"]],
    ["u3", ["s2", "s3", "s4"]],
    ["u4", ["c1", "c2", "c3"]],
    ["u5", ["c1", "c2", "s1"]],
    ["ann", ["s1"]],
    ["jo", ["j1"]],
  ];
  const interactions = likes.flatMap(([user, ids]) =>
    ids.map((item, k) => ({ userExternalId: user, itemExternalId: item, type: "LIKE" as const, value: 1, occurredAt: at(1 + k) })),
  );
  // A few ratings for the explicit baseline (they keep every implicit entry positive).
  const ratings = [
    { userExternalId: "u1", itemExternalId: "s1", type: "RATING" as const, value: 5, occurredAt: at(10) },
    { userExternalId: "u2", itemExternalId: "s1", type: "RATING" as const, value: 4, occurredAt: at(10) },
    { userExternalId: "u4", itemExternalId: "c1", type: "RATING" as const, value: 2, occurredAt: at(10) },
  ];
  const users = [...likes.map(([id]) => id), "newbie"].map((externalId) => ({ externalId, attributes: {} }));
  return { items, users, interactions: [...interactions, ...ratings] };
}
