import type { Resolvers } from "../generated/resolvers-types";
import { recordInteractions } from "../../services/interactionService";

async function required<T>(value: Promise<T | null>, what: string): Promise<T> {
  const found = await value;
  // The foreign keys make this impossible; if it happens it is a bug, not bad input.
  if (found === null) throw new Error(`dangling reference: ${what}`);
  return found;
}

export const interactionResolvers = {
  Mutation: {
    recordInteractions: (_, args, ctx) => recordInteractions(ctx, args.interactions, ctx.now),
  },
  Interaction: {
    user: (row, _, ctx) => required(ctx.loaders.userById.load(row.userId), `user ${row.userId}`),
    item: (row, _, ctx) => required(ctx.loaders.itemById.load(row.itemId), `item ${row.itemId}`),
  },
} satisfies Resolvers;
