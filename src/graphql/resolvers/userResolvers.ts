import type { GraphQLContext } from "../context";
import type { UserRow } from "../../db/rows";
import type { InteractionTypeName } from "../../importers/CatalogData";
import { deleteUser, upsertUsers, type UserInput } from "../../services/userService";
import { userInteractions } from "../../services/interactionService";
import { checkId, checkIdList } from "../../services/validation";

export const userResolvers = {
  Query: {
    user: (_: unknown, args: { id: string }, ctx: GraphQLContext) => ctx.loaders.userByExternalId.load(checkId("id", args.id)),
    users: (_: unknown, args: { ids: string[] }, ctx: GraphQLContext) => {
      return Promise.all(checkIdList("ids", args.ids).map((id) => ctx.loaders.userByExternalId.load(id)));
    },
  },
  Mutation: {
    upsertUsers: (_: unknown, args: { users: UserInput[] }, ctx: GraphQLContext) => upsertUsers(ctx, args.users),
    deleteUser: async (_: unknown, args: { id: string }, ctx: GraphQLContext) => {
      const deleted = await deleteUser(ctx, args.id);
      return { id: deleted.externalId, deletedInteractions: deleted.deletedInteractions };
    },
  },
  User: {
    id: (user: UserRow) => user.externalId,
    interactions: (user: UserRow, args: { first?: number; after?: string; type?: InteractionTypeName }, ctx: GraphQLContext) =>
      userInteractions(ctx, user, args),
  },
};
