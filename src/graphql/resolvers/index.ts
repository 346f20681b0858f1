import type { Resolvers } from "../generated/resolvers-types";
import { DateTimeScalar, JsonScalar } from "../scalars";
import { catalogResolvers } from "./catalogResolvers";
import { interactionResolvers } from "./interactionResolvers";
import { modelResolvers } from "./modelResolvers";
import { recommendationResolvers } from "./recommendationResolvers";
import { userResolvers } from "./userResolvers";
import { authResolvers } from "./authResolvers";
import { privacyResolvers } from "./privacyResolvers";
import { pageResolvers } from "./pageResolvers";
import { onlineMetricsResolvers } from "./onlineMetricsResolvers";
import { explorationResolvers } from "./explorationResolvers";
import { experimentResolvers } from "./experimentResolvers";

export const resolvers = {
  DateTime: DateTimeScalar,
  JSON: JsonScalar,
  Query: {
    ok: () => true,
    ...catalogResolvers.Query,
    ...userResolvers.Query,
    ...recommendationResolvers.Query,
    ...modelResolvers.Query,
    ...authResolvers.Query,
    ...privacyResolvers.Query,
    ...pageResolvers.Query,
    ...onlineMetricsResolvers.Query,
    ...explorationResolvers.Query,
    ...experimentResolvers.Query,
  },
  Mutation: {
    ok: () => true,
    ...catalogResolvers.Mutation,
    ...userResolvers.Mutation,
    ...interactionResolvers.Mutation,
    ...modelResolvers.Mutation,
    ...authResolvers.Mutation,
    ...explorationResolvers.Mutation,
    ...experimentResolvers.Mutation,
  },
  Experiment: experimentResolvers.Experiment,
  Item: { ...catalogResolvers.Item, ...recommendationResolvers.Item },
  User: { ...userResolvers.User, ...recommendationResolvers.User },
  Interaction: interactionResolvers.Interaction,
  Recommendation: recommendationResolvers.Recommendation,
  BecauseYouInteracted: recommendationResolvers.BecauseYouInteracted,
  BecauseYouJustInteracted: recommendationResolvers.BecauseYouJustInteracted,
  ServedModel: recommendationResolvers.ServedModel,
  Job: modelResolvers.Job,
  RetrainRound: modelResolvers.RetrainRound,
  // Counted only when selected (a promise-returning getter). A resolver of
  // its own, because graphql-jit serialises an unresolved property as it is.
  ItemConnection: { totalCount: (c) => c.totalCount },
  FeatureConnection: { totalCount: (c) => c.totalCount },
  InteractionConnection: { totalCount: (c) => c.totalCount },
} satisfies Resolvers;
