import type { GraphQLContext } from "../context";
import type { ItemRow } from "../../db/rows";
import { getCatalogStats, listFeatures, listItems, upsertItems, type ItemFilterInput, type ItemInput } from "../../services/catalogService";
import { checkId, checkIdList } from "../../services/validation";


export const catalogResolvers = {
  Query: {
    item: (_: unknown, args: { id: string }, ctx: GraphQLContext) => ctx.loaders.itemByExternalId.load(checkId("id", args.id)),
    itemsById: (_: unknown, args: { ids: string[] }, ctx: GraphQLContext) => {
      return Promise.all(checkIdList("ids", args.ids).map((id) => ctx.loaders.itemByExternalId.load(id)));
    },
    items: (_: unknown, args: { first?: number; after?: string; filter?: ItemFilterInput }, ctx: GraphQLContext) => listItems(ctx, args),
    features: (_: unknown, args: { facet?: string; first?: number; after?: string }, ctx: GraphQLContext) => listFeatures(ctx, args),
    catalogStats: (_: unknown, __: unknown, ctx: GraphQLContext) => getCatalogStats(ctx),
  },
  Mutation: {
    upsertItems: (_: unknown, args: { items: ItemInput[] }, ctx: GraphQLContext) => upsertItems(ctx, args.items),
  },
  Item: {
    id: (item: ItemRow) => item.externalId,
    features: async (item: ItemRow, args: { facet?: string | null }, ctx: GraphQLContext) => {
      const features = await ctx.loaders.featuresByItemId.load(item.id);
      return args.facet == null ? features : features.filter((f) => f.facet === args.facet);
    },
  },
};
