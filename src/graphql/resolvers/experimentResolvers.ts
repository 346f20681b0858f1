import type { Resolvers } from "../generated/resolvers-types";
import { createExperiment, experiment, experiments, startExperiment, stopExperiment } from "../../services/experimentService";

export const experimentResolvers = {
  Query: {
    experiment: (_, args, ctx) => experiment(ctx, args.id),
    experiments: (_, args, ctx) => experiments(ctx, args.status),
  },
  Mutation: {
    createExperiment: (_, args, ctx) => createExperiment(ctx, args.input),
    startExperiment: (_, args, ctx) => startExperiment(ctx, args.id),
    stopExperiment: (_, args, ctx) => stopExperiment(ctx, args.id),
  },
  // Figures and the test are computed once per experiment, when selected.
  Experiment: {
    arms: async (e) => (await e.evaluation()).arms,
    result: async (e) => (await e.evaluation()).result,
  },
} satisfies Resolvers;
