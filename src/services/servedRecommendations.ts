// The `recommendations` and `upNext` surfaces as clients call them: the
// request is routed to the user's experiment arm when it names no strategy
// (experimentRouting.ts), served, timed for the arm's guardrails, and logged
// as an impression labelled with the experiment and arm.
import type { ServiceContext } from "./ServiceContext";
import type { UserRow } from "../db/rows";
import { checkRecommendArgs, recommend, type RecommendArgs, type RecommendationResult } from "./recommendationService";
import { checkUpNextArgs, upNext, type UpNextArgs } from "./upNextService";
import { logShown } from "./impressionService";
import { observed, routeToArm } from "./experimentRouting";

type Ctx = ServiceContext & { now: Date };

export async function servedRecommendations(ctx: Ctx, user: UserRow | null, userId: string, args: RecommendArgs): Promise<RecommendationResult[]> {
  // Bad arguments are the client's, not the arm's: checked before routing.
  checkRecommendArgs(args);
  const route = args.strategy == null ? routeToArm(ctx.db, "recommendations", user) : undefined;
  const results = await observed(route, () => recommend(ctx, user, userId, route ? { ...args, strategy: route.strategy } : args, "recommendations", [], route?.pinned));
  return logShown(ctx, { surface: "recommendations", user, strategy: route?.strategy ?? args.strategy ?? "HYBRID", experiment: route?.experiment ?? null, arm: route?.arm ?? null }, results);
}

// upNext names no strategy (SEQUENTIAL), so every request of a user is in
// the surface's experiment.
export async function servedUpNext(ctx: Ctx, user: UserRow | null, userId: string | null, args: UpNextArgs): Promise<RecommendationResult[]> {
  checkUpNextArgs(args);
  const route = routeToArm(ctx.db, "upNext", user);
  const results = await observed(route, () => upNext(ctx, user, userId, args, "upNext", route));
  return logShown(ctx, { surface: "upNext", user, strategy: route?.strategy ?? "SEQUENTIAL", experiment: route?.experiment ?? null, arm: route?.arm ?? null }, results);
}
