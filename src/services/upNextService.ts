// What to play, watch or try next: the SEQUENTIAL strategy over the user's
// history in time order, extended by the items of the current session the
// client sends (`context`), so a visitor with no user id gets next-item
// recommendations from their session alone.
import type { ServiceContext } from "./ServiceContext";
import type { UserRow } from "../db/rows";
import { NotFoundError } from "../graphql/errors";
import type { RecommendationFilterInput } from "./recommendationFilter";
import { checkRecommendArgs, recommend, type RecommendationList } from "./recommendationService";
import type { FallbackSurface } from "./strategyFallback";
import type { ServedModel } from "../serving/ServedModel";
import type { StrategyName } from "../serving/servingAlgorithms";
import { checkIdList } from "./validation";

// Longer sessions say no more to a model reading the last few hundred items,
// and each id costs a lookup.
export const MAX_CONTEXT_ITEMS = 200;

export interface UpNextArgs {
  first?: number | null;
  filter?: RecommendationFilterInput | null;
  context?: { items: readonly string[] } | null;
}

// Argument errors before any statement is sent.
export function checkUpNextArgs(args: UpNextArgs): void {
  checkRecommendArgs({ first: args.first, filter: args.filter });
  if (args.context) checkIdList("context.items", args.context.items, MAX_CONTEXT_ITEMS);
}

// `userId` null: an anonymous session. Unknown context items are NOT_FOUND
// (all of them named): a session names what the client just showed, so an
// id the catalog does not hold is the client's mistake, not a cold start.
// `route`: an experiment arm's strategy (and model version) instead of SEQUENTIAL.
export async function upNext(
  ctx: ServiceContext,
  user: UserRow | null,
  userId: string | null,
  args: UpNextArgs,
  surface: FallbackSurface = "upNext",
  route?: { strategy: StrategyName; pinned: ServedModel | undefined },
): Promise<RecommendationList> {
  checkUpNextArgs(args);
  const ids = args.context?.items ?? [];
  const rows = ids.length > 0 ? await ctx.loaders.itemByExternalId.loadMany(ids) : [];
  const missing = ids.filter((_, k) => !rows[k] || rows[k] instanceof Error);
  if (missing.length > 0) throw new NotFoundError("item", [...new Set(missing)], "context.items");
  const session = rows.map((r) => (r as { id: number }).id);
  return recommend(ctx, user, userId, { first: args.first, filter: args.filter, strategy: route?.strategy ?? "SEQUENTIAL" }, surface, session, route?.pinned);
}
