import type { Resolvers } from "../generated/resolvers-types";
import { page } from "../../services/pageService";
import { logPage } from "../../services/impressionService";
import { checkId } from "../../services/validation";

export const pageResolvers = {
  Query: {
    page: async (_, args, ctx) => {
      const userId = checkId("userId", args.userId);
      const user = await ctx.loaders.recommendation.userWithHistory.load(userId);
      return logPage(ctx, user ?? null, await page(ctx, user ?? null, userId, args.rails));
    },
  },
} satisfies Resolvers;
