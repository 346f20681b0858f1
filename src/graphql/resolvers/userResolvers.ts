import type { Resolvers } from "../generated/resolvers-types";
import { deleteUser, upsertUsers } from "../../services/userService";
import { userInteractions } from "../../services/interactionService";
import { checkId, checkIdList } from "../../services/validation";

export const userResolvers = {
  Query: {
    user: (_, args, ctx) => ctx.loaders.userByExternalId.load(checkId("id", args.id)),
    users: (_, args, ctx) => {
      return Promise.all(checkIdList("ids", args.ids).map((id) => ctx.loaders.userByExternalId.load(id)));
    },
  },
  Mutation: {
    upsertUsers: (_, args, ctx) => upsertUsers(ctx, args.users),
    deleteUser: async (_, args, ctx) => {
      const deleted = await deleteUser(ctx, args.id);
      return { id: deleted.externalId, deletedInteractions: deleted.deletedInteractions };
    },
  },
  User: {
    id: (user) => user.externalId,
    interactions: (user, args, ctx) => userInteractions(ctx, user, args),
  },
} satisfies Resolvers;
