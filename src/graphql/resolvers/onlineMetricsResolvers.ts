import type { Resolvers } from "../generated/resolvers-types";
import { onlineMetrics } from "../../services/onlineMetricsService";

export const onlineMetricsResolvers = {
  Query: {
    onlineMetrics: (_, args, ctx) => onlineMetrics(ctx, args),
  },
} satisfies Resolvers;
