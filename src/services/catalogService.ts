import type { ServiceContext } from "./ServiceContext";
import type { FeatureRow, ItemRow } from "../db/rows";
import { countItems, pageItems, type ItemQuery } from "../db/itemRepository";
import { countFeatures, pageFeatures, type FeaturePosition } from "../db/featureRepository";
import { catalogStats, type CatalogStatsRow } from "../db/statsRepository";
import { inTransaction, writeItems } from "../db/catalogWriter";
import { catalogCacheOf } from "../loaders/catalogCache";
import type { ItemKindName, ItemRecord } from "../importers/CatalogData";
import { BadUserInputError } from "../graphql/errors";
import { checkFirst, decodeCursor, encodeCursor, isPositiveInt } from "../graphql/cursor";
import { toConnection, type Connection } from "./connection";
import { checkAttributes, checkFinite, checkId, checkText } from "./validation";

export interface ItemFilterInput {
  kind?: ItemKindName | null;
  kinds?: ItemKindName[] | null;
  feature?: { facet: string; value: string } | null;
  features?: { facet: string; value: string }[] | null;
  titleContains?: string | null;
  releaseYear?: { from?: number | null; to?: number | null } | null;
}

// Feature facets and values: the bounds upsertItems stores, so a filter
// longer than these can match nothing anyway.
export const MAX_FACET_LENGTH = 100;
export const MAX_FEATURE_VALUE_LENGTH = 500;
// Feature weights are stored as PostgreSQL real (float4): about 7 significant
// digits, normal range 1.2e-38 to 3.4e38. A weight is a relative importance,
// so 1e-30..1e6 leaves room for any sensible scale while every accepted value
// stays well inside real's range (1e39 would overflow, 1e-50 underflow: 22003).
export const MIN_FEATURE_WEIGHT = 1e-30;
export const MAX_FEATURE_WEIGHT = 1e6;

// Stored features must not be blank; a filter only has to be storable text
// (a blank one matches nothing).
function checkFeatureKey(argument: string, f: { facet: string; value: string }, inFilter = false): { facet: string; value: string } {
  return {
    facet: checkText(`${argument}.facet`, f.facet, MAX_FACET_LENGTH, inFilter),
    value: checkText(`${argument}.value`, f.value, MAX_FEATURE_VALUE_LENGTH, inFilter),
  };
}

export function toItemQuery(filter: ItemFilterInput | null | undefined): ItemQuery {
  const query: ItemQuery = {};
  if (!filter) return query;
  if (filter.kind != null && filter.kinds != null && !filter.kinds.includes(filter.kind)) {
    throw new BadUserInputError("filter.kind", filter.kind, `contradicts filter.kinds ${JSON.stringify(filter.kinds)}`);
  }
  if (filter.kind != null) query.kinds = [filter.kind];
  else if (filter.kinds != null) query.kinds = filter.kinds;
  if ((filter.features?.length ?? 0) > 20) throw new BadUserInputError("filter.features", filter.features!.length, "at most 20 features");
  const features = [
    ...(filter.feature ? [checkFeatureKey("filter.feature", filter.feature, true)] : []),
    ...(filter.features ?? []).map((f, i) => checkFeatureKey(`filter.features[${i}]`, f, true)),
  ];
  if (features.length > 20) throw new BadUserInputError("filter.features", features.length, "at most 20 features");
  if (features.length > 0) query.features = features;
  if (filter.titleContains != null) query.titleContains = checkText("filter.titleContains", filter.titleContains, 200, true);
  const from = filter.releaseYear?.from;
  const to = filter.releaseYear?.to;
  if (from != null) query.releaseYearFrom = from;
  if (to != null) query.releaseYearTo = to;
  if (from != null && to != null && from > to) {
    throw new BadUserInputError("filter.releaseYear", filter.releaseYear, "from is after to");
  }
  return query;
}

export async function listItems(
  ctx: ServiceContext,
  args: { first?: number | null; after?: string | null; filter?: ItemFilterInput | null },
): Promise<Connection<ItemRow>> {
  const limit = checkFirst(args.first, 100);
  const afterId = args.after != null ? decodeCursor("item", args.after, "after", isPositiveInt) : undefined;
  const query = toItemQuery(args.filter);
  const rows = await pageItems(ctx.db, query, afterId, limit + 1);
  for (const row of rows) ctx.loaders.itemById.prime(row.id, row);
  let total: Promise<number> | undefined;
  return toConnection(rows, limit, afterId !== undefined, (r) => encodeCursor("item", r.id), () => (total ??= countItems(ctx.db, query)));
}

function isFeaturePosition(value: unknown): value is FeaturePosition {
  const v = value as FeaturePosition;
  return typeof v === "object" && v !== null && Number.isSafeInteger(v.itemCount) && v.itemCount >= 0 && isPositiveInt(v.id);
}

export async function listFeatures(
  ctx: ServiceContext,
  args: { facet?: string | null; first?: number | null; after?: string | null },
): Promise<Connection<FeatureRow>> {
  const limit = checkFirst(args.first, 500);
  const after = args.after != null ? decodeCursor("feature", args.after, "after", isFeaturePosition) : undefined;
  const facet = args.facet == null ? undefined : checkText("facet", args.facet, MAX_FACET_LENGTH, true);
  const rows = await pageFeatures(ctx.db, facet, after, limit + 1);
  return toConnection(
    rows,
    limit,
    after !== undefined,
    (r) => encodeCursor("feature", { itemCount: r.itemCount, id: r.id }),
    () => countFeatures(ctx.db, facet),
  );
}

export function getCatalogStats(ctx: ServiceContext): Promise<CatalogStatsRow> {
  return catalogStats(ctx.db);
}

export interface ItemInput {
  id: string;
  kind: ItemKindName;
  title: string;
  releaseYear?: number | null;
  description?: string | null;
  attributes?: Record<string, unknown> | null;
  features?: { facet: string; value: string; weight?: number | null }[] | null;
}

export async function upsertItems(ctx: ServiceContext, inputs: readonly ItemInput[]): Promise<ItemRow[]> {
  if (inputs.length > ctx.config.maxUpsertBatch) {
    throw new BadUserInputError("items", `${inputs.length} items`, `at most ${ctx.config.maxUpsertBatch} per call`);
  }
  const records = inputs.map((input, i) => {
    const at = `items[${i}]`;
    if (input.releaseYear != null && (input.releaseYear < 1000 || input.releaseYear > 3000)) {
      throw new BadUserInputError(`${at}.releaseYear`, input.releaseYear, "must be a year from 1000 to 3000");
    }
    if (input.features && input.features.length > 500) {
      throw new BadUserInputError(`${at}.features`, `${input.features.length} features`, "at most 500 per item");
    }
    return {
      externalId: checkId(`${at}.id`, input.id),
      kind: input.kind,
      title: checkText(`${at}.title`, input.title, 1000),
      releaseYear: input.releaseYear ?? null,
      description: input.description == null ? null : checkText(`${at}.description`, input.description, 20000, true),
      attributes: checkAttributes(`${at}.attributes`, input.attributes) as ItemRecord["attributes"],
      features:
        input.features == null
          ? null
          : input.features.map((f, j) => {
              const weight = f.weight ?? 1;
              checkFinite(`${at}.features[${j}].weight`, weight);
              if (weight < MIN_FEATURE_WEIGHT || weight > MAX_FEATURE_WEIGHT) {
                throw new BadUserInputError(`${at}.features[${j}].weight`, weight, `must be positive, from ${MIN_FEATURE_WEIGHT} to ${MAX_FEATURE_WEIGHT}`);
              }
              return { ...checkFeatureKey(`${at}.features[${j}]`, f), weight };
            }),
    };
  });
  const ids = await inTransaction(ctx.db, (tx) => writeItems(tx, records));
  catalogCacheOf(ctx.db)?.invalidate(ids.values());
  for (const r of records) {
    const cached = ids.get(r.externalId);
    ctx.loaders.itemByExternalId.clear(r.externalId);
    if (cached !== undefined) {
      ctx.loaders.itemById.clear(cached);
      ctx.loaders.featuresByItemId.clear(cached);
    }
  }
  const rows = await ctx.loaders.itemByExternalId.loadMany(records.map((r) => r.externalId));
  return rows.map((row, i) => {
    if (!row || row instanceof Error) throw new Error(`upserted item ${records[i].externalId} (id ${ids.get(records[i].externalId)}) not readable`);
    return row;
  });
}
