import type { Resolvers } from "../generated/resolvers-types";
import { readsProperty } from "../propertyFields";
import { deleteUser, upsertUsers } from "../../services/userService";
import { userInteractions } from "../../services/interactionService";
import { checkId, checkIdList } from "../../services/validation";
import { tokenSubjectHash } from "../../auth/userTokenRevocations";

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
      // The user's outstanding tokens die with them (an old token can neither
      // act for the user nor re-create them by recording interactions).
      const subjectHash = tokenSubjectHash(await ctx.auth.tokenSecret(), checkId("id", args.id));
      const at = ctx.now;
      const deleted = await deleteUser(ctx, args.id, { subjectHash, at, keepSeconds: ctx.config.auth.maxUserTokenSeconds });
      ctx.auth.noteUserTokensRevoked(subjectHash, at.getTime());
      return { id: deleted.externalId, deletedInteractions: deleted.deletedInteractions };
    },
  },
  User: {
    id: readsProperty("externalId"),
    interactions: (user, args, ctx) => userInteractions(ctx, user, args),
  },
} satisfies Resolvers;
