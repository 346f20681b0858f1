import { Prisma } from "../generated/prisma/client";
import type { Database } from "./Database";
import type { ItemKindName } from "../importers/CatalogData";
import type { ItemRow, JsonObject } from "./rows";

type PrismaItem = Omit<ItemRow, "attributes" | "kind"> & { attributes: unknown; kind: string };

function toRow(item: PrismaItem): ItemRow {
  return { ...item, kind: item.kind as ItemKindName, attributes: (item.attributes ?? {}) as JsonObject };
}

export interface ItemQuery {
  kinds?: ItemKindName[];
  // Every one of these (facet, value) pairs.
  features?: { facet: string; value: string }[];
  titleContains?: string;
  releaseYearFrom?: number;
  releaseYearTo?: number;
}

function where(query: ItemQuery): Prisma.ItemWhereInput {
  const and: Prisma.ItemWhereInput[] = [];
  if (query.kinds) and.push({ kind: { in: query.kinds } });
  for (const f of query.features ?? []) {
    and.push({ features: { some: { feature: { facet: f.facet, value: f.value } } } });
  }
  if (query.titleContains !== undefined) and.push({ title: { contains: query.titleContains, mode: "insensitive" } });
  if (query.releaseYearFrom !== undefined) and.push({ releaseYear: { gte: query.releaseYearFrom } });
  if (query.releaseYearTo !== undefined) and.push({ releaseYear: { lte: query.releaseYearTo } });
  return { AND: and };
}

// One page in id order (keyset pagination: stable while items are added).
export async function pageItems(db: Database, query: ItemQuery, afterId: number | undefined, limit: number): Promise<ItemRow[]> {
  const items = await db.prisma.item.findMany({
    where: afterId === undefined ? where(query) : { AND: [where(query), { id: { gt: afterId } }] },
    orderBy: { id: "asc" },
    take: limit,
  });
  return items.map(toRow);
}

export async function countItems(db: Database, query: ItemQuery): Promise<number> {
  return db.prisma.item.count({ where: where(query) });
}

export async function findItemsByExternalIds(db: Database, externalIds: readonly string[]): Promise<ItemRow[]> {
  const items = await db.prisma.item.findMany({ where: { externalId: { in: [...externalIds] } } });
  return items.map(toRow);
}

export async function findItemsByIds(db: Database, ids: readonly number[]): Promise<ItemRow[]> {
  const items = await db.prisma.item.findMany({ where: { id: { in: [...ids] } } });
  return items.map(toRow);
}

// Database id <-> external id of the items named, in one statement each way
// (model files name items by external id; models index them by database id).
export async function externalIdsOfItems(db: Database, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.sql.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM items WHERE id = ANY($1::int[])`, [[...ids]]);
  return new Map(rows.map((r) => [Number(r.id), r.external_id]));
}

export async function itemIdsOfExternalIds(db: Database, externalIds: readonly string[]): Promise<Map<string, number>> {
  if (externalIds.length === 0) return new Map();
  const rows = await db.sql.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM items WHERE external_id = ANY($1::text[])`, [[...externalIds]]);
  return new Map(rows.map((r) => [r.external_id, Number(r.id)]));
}
