// Resolver types generated from the SDL (graphql-codegen). `npm run generate`
// (run before start, test, typecheck and build) writes them through
// scripts/codegen-generate.js when the SDL or this file changed; the output is
// not committed. Paths in `contextType` and `mappers` are relative to the
// generated file.
import type { CodegenConfig } from "@graphql-codegen/cli";

export const RESOLVER_TYPES_FILE = "src/graphql/generated/resolvers-types.ts";

const config: CodegenConfig = {
  schema: "src/schema/*.graphql",
  overwrite: true,
  silent: true,
  generates: {
    [RESOLVER_TYPES_FILE]: {
      plugins: ["typescript", "typescript-resolvers"],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        contextType: "../context#GraphQLContext",
        // The Scalar's own types (src/graphql/scalars.ts): DateTime is a Date inside
        // the server; JSON is always an object (parseValue rejects anything else).
        scalars: {
          DateTime: "Date",
          JSON: "Record<string, unknown>",
        },
        // What the resolvers actually return for each GraphQL type: the values the
        // repositories and services produce, which the field resolvers then map
        // (Item.id from externalId, BecauseYouInteracted.item from itemId, ...).
        // Types not listed (PageInfo, SimilarUser, DeleteUserPayload, ColdStart, ...)
        // are returned in their GraphQL shape, with mapped fields substituted.
        mappers: {
          Item: "../../db/rows#ItemRow",
          ItemFeature: "../../db/rows#ItemFeatureRow",
          Feature: "../../db/rows#FeatureRow",
          User: "../../db/rows#UserRow",
          Interaction: "../../db/rows#InteractionRow",
          ItemConnection: "../../services/connection#Connection<ItemRow>",
          FeatureConnection: "../../services/connection#Connection<FeatureRow>",
          InteractionConnection: "../../services/connection#Connection<InteractionRow>",
          CatalogStats: "../../db/statsRepository#CatalogStatsRow",
          RecordInteractionsPayload: "../../services/interactionService#RecordResult",
          Job: "../../db/jobRepository#JobRow",
          ModelVersion: "../../jobs/modelAdmin#ModelVersionView",
          ModelInfo: "../../jobs/modelAdmin#ModelInfoView",
          RetrainSchedule: "../../jobs/retrainScheduleView#RetrainScheduleView",
          RetrainRound: "../../db/retrainRepository#RetrainRoundRow",
          ServedModel: "../../serving/ServedModel#ServedModel as ServedModelValue",
          Recommendation: "../../services/recommendationService#RecommendationResult",
          RatingPrediction: "../../services/recommendationService#RatingPredictionResult",
          Reason: "../../services/recommendationService#ReasonValue",
          BecauseYouInteracted: 'Extract<ReasonValue, { __typename: "BecauseYouInteracted" }>',
          BecauseYouJustInteracted: 'Extract<ReasonValue, { __typename: "BecauseYouJustInteracted" }>',
          SharedFeature: 'Extract<ReasonValue, { __typename: "SharedFeature" }>',
          SimilarUsersLiked: 'Extract<ReasonValue, { __typename: "SimilarUsersLiked" }>',
          Popular: 'Extract<ReasonValue, { __typename: "Popular" }>',
          Fallback: 'Extract<ReasonValue, { __typename: "Fallback" }>',
          Experiment: "../../services/experimentView#ExperimentView",
          // ColdStart is left in its GraphQL shape: it is both a Reason (with
          // __typename) and RatingPrediction.coldStart (a bare { why }).
        },
      },
    },
  },
};

export default config;
