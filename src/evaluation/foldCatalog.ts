// The training side of one fold as a catalog the service can import, for the
// served check (`npm run evaluate -- --served`): every item the protocol may
// recommend (with its genres as features), every user of the dataset, and the
// fold's training ratings with their times. Test ratings are never written.
import type { CatalogData, ItemRecord } from "../importers/CatalogData";
import type { RatingTable } from "./datasets";
import type { Fold } from "./splits/Fold";
import type { RankingConventions } from "./protocols";

export const itemExternalId = (table: RatingTable, item: number): string => `item-${table.itemIds.id(item)}`;
export const userExternalId = (table: RatingTable, user: number): string => `user-${table.userIds.id(user)}`;

// The items a protocol ranks: every rated item (Gorse), or those with a
// training rating (Recommenders), as the offline runner's candidates.
export function candidateItems(table: RatingTable, fold: Fold, candidates: RankingConventions["candidates"]): Uint8Array {
  const mask = new Uint8Array(table.nItems);
  const rows = candidates === "allRated" ? undefined : fold.train;
  if (rows === undefined) for (let r = 0; r < table.items.length; r++) mask[table.items[r]] = 1;
  else for (let k = 0; k < rows.length; k++) mask[table.items[rows[k]]] = 1;
  return mask;
}

export function foldCatalog(table: RatingTable, fold: Fold, candidates: Uint8Array): CatalogData {
  const F = table.itemFeatures;
  const items: ItemRecord[] = [];
  for (let i = 0; i < table.nItems; i++) {
    if (!candidates[i]) continue;
    const features = [];
    for (let e = F.indptr[i]; e < F.indptr[i + 1]; e++) {
      features.push({ facet: "genre", value: table.featureNames[F.indices[e]] ?? `genre${F.indices[e]}`, weight: F.values[e] });
    }
    items.push({ externalId: itemExternalId(table, i), kind: "MOVIE", title: table.itemTitles[i] || itemExternalId(table, i), releaseYear: null, description: null, attributes: {}, features });
  }
  const users = Array.from({ length: table.nUsers }, (_, u) => ({ externalId: userExternalId(table, u), attributes: {} }));
  const interactions = Array.from(fold.train, (r) => ({
    userExternalId: userExternalId(table, table.users[r]),
    itemExternalId: itemExternalId(table, table.items[r]),
    type: "RATING" as const,
    value: table.ratings[r],
    occurredAt: new Date(table.timestamps[r] * 1000),
  }));
  return { users, items, interactions };
}
