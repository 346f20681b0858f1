import type { Resolvers } from "../generated/resolvers-types";
import { BadUserInputError } from "../errors";
import { checkId } from "../../services/validation";
import { issueUserToken } from "../../auth/userTokens";

export const authResolvers = {
  Query: {
    viewer: (_, __, ctx) => ({
      role: ctx.principal.role,
      authEnabled: ctx.config.auth.enabled,
      keyId: ctx.principal.keyId ?? null,
      userId: ctx.principal.userId ?? null,
    }),
  },
  Mutation: {
    issueUserToken: async (_, args, ctx) => {
      const userId = checkId("userId", args.userId);
      const ttl = args.ttlSeconds ?? 900;
      const max = ctx.config.auth.maxUserTokenSeconds;
      if (!Number.isSafeInteger(ttl) || ttl < 60 || ttl > max) throw new BadUserInputError("ttlSeconds", ttl, `must be from 60 to ${max}`);
      const nowMs = ctx.now.getTime();
      const exp = Math.floor(nowMs / 1000) + ttl;
      const token = issueUserToken(await ctx.auth.tokenSecret(), { sub: userId, exp, iss: ctx.principal.keyId ?? "open", iat: nowMs / 1000 });
      return { token, userId, expiresAt: new Date(exp * 1000) };
    },
  },
} satisfies Resolvers;
