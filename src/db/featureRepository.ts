import type { Database } from "./Database";
import type { FeatureRow, ItemFeatureRow } from "./rows";

// The features of many items in one statement (a join, not Prisma's include,
// which would cost a second query).
export async function featuresOfItems(db: Database, itemIds: readonly number[]): Promise<ItemFeatureRow[]> {
  if (itemIds.length === 0) return [];
  return db.prisma.$queryRawUnsafe<ItemFeatureRow[]>(
    `SELECT f_i.item_id AS "itemId", f.id AS "featureId", f.facet, f.value, f_i.weight
       FROM item_features f_i JOIN features f ON f.id = f_i.feature_id
      WHERE f_i.item_id = ANY($1::int[])
      ORDER BY f_i.item_id, f.facet, f.value`,
    [...itemIds],
  );
}

export interface FeaturePosition {
  itemCount: number;
  id: number;
}

// Features by use, most used first; keyset pagination on (itemCount desc, id).
export async function pageFeatures(
  db: Database,
  facet: string | undefined,
  after: FeaturePosition | undefined,
  limit: number,
): Promise<FeatureRow[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ id: number; facet: string; value: string; itemCount: bigint | number }[]>(
    `SELECT * FROM (
       SELECT f.id, f.facet, f.value, count(f_i.item_id)::int AS "itemCount"
         FROM features f LEFT JOIN item_features f_i ON f_i.feature_id = f.id
        WHERE ($1::text IS NULL OR f.facet = $1::text)
        GROUP BY f.id) t
      WHERE ($2::int IS NULL OR ("itemCount" < $2::int OR ("itemCount" = $2::int AND id > $3::int)))
      ORDER BY "itemCount" DESC, id ASC
      LIMIT $4::int`,
    facet ?? null,
    after?.itemCount ?? null,
    after?.id ?? null,
    limit,
  );
  return rows.map((r) => ({ ...r, itemCount: Number(r.itemCount) }));
}

export async function countFeatures(db: Database, facet: string | undefined): Promise<number> {
  return db.prisma.feature.count({ where: facet === undefined ? {} : { facet } });
}
