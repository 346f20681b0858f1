import type { GraphQLContext } from "../context";
import type { InteractionRow } from "../../db/rows";
import { recordInteractions, type InteractionInput } from "../../services/interactionService";

async function required<T>(value: Promise<T | null>, what: string): Promise<T> {
  const found = await value;
  // The foreign keys make this impossible; if it happens it is a bug, not bad input.
  if (found === null) throw new Error(`dangling reference: ${what}`);
  return found;
}

export const interactionResolvers = {
  Mutation: {
    recordInteractions: (_: unknown, args: { interactions: InteractionInput[] }, ctx: GraphQLContext) =>
      recordInteractions(ctx, args.interactions, ctx.now),
  },
  Interaction: {
    user: (row: InteractionRow, _: unknown, ctx: GraphQLContext) => required(ctx.loaders.userById.load(row.userId), `user ${row.userId}`),
    item: (row: InteractionRow, _: unknown, ctx: GraphQLContext) => required(ctx.loaders.itemById.load(row.itemId), `item ${row.itemId}`),
  },
};
