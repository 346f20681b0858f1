import type { Resolvers } from "../generated/resolvers-types";
import { listExploration, setExploration } from "../../services/explorationService";
import { offPolicyEstimate } from "../../services/offPolicyService";

export const explorationResolvers = {
  Query: {
    exploration: (_, __, ctx) => listExploration(ctx),
    offPolicyEstimate: (_, args, ctx) => offPolicyEstimate(ctx, args),
  },
  Mutation: {
    setExploration: (_, args, ctx) => setExploration(ctx, args),
  },
} satisfies Resolvers;
