import type { Database } from "./Database";
import type { InteractionTypeName, ItemKindName } from "../importers/CatalogData";

export interface CatalogStatsRow {
  users: number;
  items: number;
  features: number;
  interactions: number;
  itemsByKind: { kind: ItemKindName; count: number }[];
  interactionsByType: { type: InteractionTypeName; count: number }[];
  facets: { facet: string; features: number }[];
  firstInteractionAt: Date | null;
  lastInteractionAt: Date | null;
}

// All the catalog's counts in one statement.
export async function catalogStats(db: Database): Promise<CatalogStatsRow> {
  const [row] = await db.prisma.$queryRawUnsafe<
    {
      users: number;
      items: number;
      features: number;
      interactions: number;
      by_kind: { kind: ItemKindName; count: number }[] | null;
      by_type: { type: InteractionTypeName; count: number }[] | null;
      facets: { facet: string; features: number }[] | null;
      first_at: Date | null;
      last_at: Date | null;
    }[]
  >(
    `SELECT (SELECT count(*) FROM users)::int AS users,
            (SELECT count(*) FROM items)::int AS items,
            (SELECT count(*) FROM features)::int AS features,
            (SELECT count(*) FROM interactions)::int AS interactions,
            (SELECT json_agg(json_build_object('kind', kind::text, 'count', n) ORDER BY kind)
               FROM (SELECT kind, count(*)::int AS n FROM items GROUP BY kind) k) AS by_kind,
            (SELECT json_agg(json_build_object('type', type::text, 'count', n) ORDER BY type)
               FROM (SELECT type, count(*)::int AS n FROM interactions GROUP BY type) t) AS by_type,
            (SELECT json_agg(json_build_object('facet', facet, 'features', n) ORDER BY facet)
               FROM (SELECT facet, count(*)::int AS n FROM features GROUP BY facet) f) AS facets,
            (SELECT min(occurred_at) FROM interactions) AS first_at,
            (SELECT max(occurred_at) FROM interactions) AS last_at`,
  );
  const parse = <T>(value: T[] | string | null): T[] => (value === null ? [] : typeof value === "string" ? JSON.parse(value) : value);
  return {
    users: Number(row.users),
    items: Number(row.items),
    features: Number(row.features),
    interactions: Number(row.interactions),
    itemsByKind: parse(row.by_kind),
    interactionsByType: parse(row.by_type),
    facets: parse(row.facets),
    firstInteractionAt: row.first_at ? new Date(row.first_at) : null,
    lastInteractionAt: row.last_at ? new Date(row.last_at) : null,
  };
}
