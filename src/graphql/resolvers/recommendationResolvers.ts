import type { GraphQLContext } from "../context";
import type { Resolvers } from "../generated/resolvers-types";
import type { ItemRow } from "../../db/rows";
import { activeModels, checkRecommendArgs, METHOD_STRATEGY, popular, predictRating, similarItems, similarUsers } from "../../services/recommendationService";
import { logShown } from "../../services/impressionService";
import { NotFoundError } from "../errors";
import { checkId } from "../../services/validation";
import { checkUpNextArgs } from "../../services/upNextService";
import { servedRecommendations, servedUpNext } from "../../services/servedRecommendations";

async function itemOrNotFound(ctx: GraphQLContext, itemId: string): Promise<ItemRow> {
  const item = await ctx.loaders.itemByExternalId.load(checkId("itemId", itemId));
  if (!item) throw new NotFoundError("item", [itemId], "itemId");
  return item;
}

async function evidenceItem(ctx: GraphQLContext, itemId: number): Promise<ItemRow> {
  const item = await ctx.loaders.itemById.load(itemId);
  // The model names an item that was deleted after training: a stale model, not bad input.
  if (!item) throw new Error(`recommendation evidence names item ${itemId}, which no longer exists`);
  return item;
}

export const recommendationResolvers = {
  Query: {
    recommendations: async (_, args, ctx) => {
      const userId = checkId("userId", args.userId);
      checkRecommendArgs(args);
      const user = await ctx.loaders.recommendation.userWithHistory.load(userId);
      return servedRecommendations(ctx, user, userId, args);
    },
    upNext: async (_, args, ctx) => {
      const userId = args.userId != null ? checkId("userId", args.userId) : null;
      checkUpNextArgs(args);
      const user = userId !== null ? await ctx.loaders.recommendation.userWithHistory.load(userId) : null;
      return servedUpNext(ctx, user, userId, args);
    },
    similarItems: async (_, args, ctx) =>
      logShown(ctx, { surface: "similarItems", user: null, strategy: METHOD_STRATEGY[args.method ?? "COLLABORATIVE"] }, await similarItems(ctx, await itemOrNotFound(ctx, args.itemId), args)),
    similarUsers: async (_, args, ctx) => similarUsers(ctx, await ctx.loaders.userByExternalId.load(checkId("userId", args.userId)), args.first),
    predictRating: async (_, args, ctx) => {
      const userId = checkId("userId", args.userId);
      const [user, item] = await Promise.all([ctx.loaders.recommendation.userWithHistory.load(userId), itemOrNotFound(ctx, args.itemId)]);
      return predictRating(ctx, user, userId, item);
    },
    popular: (_, args, ctx) => popular(ctx, args),
    activeModels: (_, __, ctx) => activeModels(ctx),
  },
  User: {
    recommendations: (user, args, ctx) => servedRecommendations(ctx, user, user.externalId, args),
    upNext: (user, args, ctx) => servedUpNext(ctx, user, user.externalId, args),
    similar: (user, args, ctx) => similarUsers(ctx, user, args.first),
  },
  Item: {
    similar: async (item, args, ctx) =>
      logShown(ctx, { surface: "similarItems", user: null, strategy: METHOD_STRATEGY[args.method ?? "COLLABORATIVE"] }, await similarItems(ctx, item, args)),
  },
  Recommendation: {
    // Lazy: the evidence is computed only when `reasons` is selected.
    reasons: (r) => r.reasons(),
  },
  BecauseYouInteracted: { item: (r, _, ctx) => evidenceItem(ctx, r.itemId) },
  BecauseYouJustInteracted: { item: (r, _, ctx) => evidenceItem(ctx, r.itemId) },
  ServedModel: {
    createdAt: (m) => m.createdAt,
  },
} satisfies Resolvers;
