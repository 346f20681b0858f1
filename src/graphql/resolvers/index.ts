import { DateTimeScalar, JsonScalar } from "../scalars";
import { catalogResolvers } from "./catalogResolvers";
import { interactionResolvers } from "./interactionResolvers";
import { userResolvers } from "./userResolvers";

export const resolvers = {
  DateTime: DateTimeScalar,
  JSON: JsonScalar,
  Query: {
    ok: () => true,
    ...catalogResolvers.Query,
    ...userResolvers.Query,
  },
  Mutation: {
    ok: () => true,
    ...catalogResolvers.Mutation,
    ...userResolvers.Mutation,
    ...interactionResolvers.Mutation,
  },
  Item: catalogResolvers.Item,
  User: userResolvers.User,
  Interaction: interactionResolvers.Interaction,
};
