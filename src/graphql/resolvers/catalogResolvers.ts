import type { Resolvers } from "../generated/resolvers-types";
import { getCatalogStats, listFeatures, listItems, MAX_FACET_LENGTH, upsertItems } from "../../services/catalogService";
import { checkId, checkIdList, checkText } from "../../services/validation";
import { readsProperty } from "../propertyFields";

export const catalogResolvers = {
  Query: {
    item: (_, args, ctx) => ctx.loaders.itemByExternalId.load(checkId("id", args.id)),
    itemsById: (_, args, ctx) => {
      return Promise.all(checkIdList("ids", args.ids).map((id) => ctx.loaders.itemByExternalId.load(id)));
    },
    items: (_, args, ctx) => listItems(ctx, args),
    features: (_, args, ctx) => listFeatures(ctx, args),
    catalogStats: (_, __, ctx) => getCatalogStats(ctx),
  },
  Mutation: {
    upsertItems: (_, args, ctx) => upsertItems(ctx, args.items),
  },
  Item: {
    id: readsProperty("externalId"),
    features: async (item, args, ctx) => {
      const features = await ctx.loaders.featuresByItemId.load(item.id);
      if (args.facet == null) return features;
      const facet = checkText("facet", args.facet, MAX_FACET_LENGTH, true);
      return features.filter((f) => f.facet === facet);
    },
  },
} satisfies Resolvers;
