import type { Resolvers } from "../generated/resolvers-types";
import { exportUser } from "../../services/privacyService";

export const privacyResolvers = {
  Query: {
    exportUser: (_, args, ctx) => exportUser(ctx, args.id, ctx.now),
  },
} satisfies Resolvers;
