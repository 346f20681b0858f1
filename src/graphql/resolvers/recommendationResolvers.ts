import type { GraphQLContext } from "../context";
import type { ItemRow, UserRow } from "../../db/rows";
import type { ServedModel } from "../../serving/ServedModel";
import {
  activeModels,
  checkRecommendArgs,
  popular,
  predictRating,
  recommend,
  similarItems,
  similarUsers,
  type PopularWindowName,
  type RecommendArgs,
  type RecommendationResult,
  type ReasonValue,
  type SimilarityMethodName,
} from "../../services/recommendationService";
import type { RecommendationFilterInput } from "../../services/recommendationFilter";
import { NotFoundError } from "../errors";

type SimilarArgs = { method?: SimilarityMethodName | null; first?: number | null; filter?: RecommendationFilterInput | null };

async function itemOrNotFound(ctx: GraphQLContext, itemId: string): Promise<ItemRow> {
  const item = await ctx.loaders.itemByExternalId.load(itemId);
  if (!item) throw new NotFoundError("item", [itemId], "itemId");
  return item;
}

export const recommendationResolvers = {
  Query: {
    recommendations: async (_: unknown, args: RecommendArgs & { userId: string }, ctx: GraphQLContext) => {
      checkRecommendArgs(args);
      return recommend(ctx, await ctx.loaders.userByExternalId.load(args.userId), args.userId, args);
    },
    similarItems: async (_: unknown, args: SimilarArgs & { itemId: string }, ctx: GraphQLContext) =>
      similarItems(ctx, await itemOrNotFound(ctx, args.itemId), args),
    similarUsers: async (_: unknown, args: { userId: string; first?: number | null }, ctx: GraphQLContext) =>
      similarUsers(ctx, await ctx.loaders.userByExternalId.load(args.userId), args.first),
    predictRating: async (_: unknown, args: { userId: string; itemId: string }, ctx: GraphQLContext) => {
      const [user, item] = await Promise.all([ctx.loaders.userByExternalId.load(args.userId), itemOrNotFound(ctx, args.itemId)]);
      return predictRating(ctx, user, args.userId, item);
    },
    popular: (_: unknown, args: { kind?: ItemRow["kind"] | null; window?: PopularWindowName | null; first?: number | null }, ctx: GraphQLContext) =>
      popular(ctx, args),
    activeModels: (_: unknown, __: unknown, ctx: GraphQLContext) => activeModels(ctx),
  },
  User: {
    recommendations: (user: UserRow, args: RecommendArgs, ctx: GraphQLContext) => recommend(ctx, user, user.externalId, args),
    similar: (user: UserRow, args: { first?: number | null }, ctx: GraphQLContext) => similarUsers(ctx, user, args.first),
  },
  Item: {
    similar: (item: ItemRow, args: SimilarArgs, ctx: GraphQLContext) => similarItems(ctx, item, args),
  },
  Recommendation: {
    // Lazy: the evidence is computed only when `reasons` is selected.
    reasons: (r: RecommendationResult) => r.reasons(),
  },
  BecauseYouInteracted: {
    item: async (r: Extract<ReasonValue, { __typename: "BecauseYouInteracted" }>, _: unknown, ctx: GraphQLContext) => {
      const item = await ctx.loaders.itemById.load(r.itemId);
      // The model names an item that was deleted after training: a stale model, not bad input.
      if (!item) throw new Error(`recommendation evidence names item ${r.itemId}, which no longer exists`);
      return item;
    },
  },
  ServedModel: {
    createdAt: (m: ServedModel) => m.createdAt,
  },
};
