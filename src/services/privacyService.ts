// The privacy operations: everything stored about a user, as one document,
// and (userService.deleteUser) its removal. Model traces are found where the
// models keep them (see db/privacyRepository.ts).
import type { ServiceContext } from "./ServiceContext";
import { NotFoundError } from "../graphql/errors";
import { findModelTraces, interactionsForExport } from "../db/privacyRepository";
import { attributionsForExport, impressionsForExport } from "../db/impressionRepository";
import { impressionLogOf } from "../serving/impressionLog";
import { checkId } from "./validation";
import { listExperiments } from "../db/experimentRepository";
import { assignArm } from "../engine/experiments/assignArm";

export async function exportUser(ctx: ServiceContext, id: string, now: Date): Promise<Record<string, unknown>> {
  const user = await ctx.loaders.userByExternalId.load(checkId("id", id));
  if (!user) throw new NotFoundError("user", [id], "id");
  // The user's impressions still buffered by this process are written first.
  const log = impressionLogOf(ctx.db);
  if (log?.holds([], [user.externalId])) await log.flush();
  const [interactions, traces, impressions, attributions, experiments] = await Promise.all([
    interactionsForExport(ctx.db, user.id),
    findModelTraces(ctx.db.prisma, user.id),
    impressionsForExport(ctx.db, user.id),
    attributionsForExport(ctx.db, user.id),
    listExperiments(ctx.db, ["RUNNING", "STOPPED"]),
  ]);
  return {
    exportedAt: now.toISOString(),
    user: {
      id: user.externalId,
      attributes: user.attributes,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    },
    interactions: interactions.map((i) => ({ ...i, occurredAt: i.occurredAt.toISOString() })),
    // What recommendation answers showed the user (see Recommendation.impressionId).
    impressions: impressions.map((i) => ({ ...i, shownAt: i.shownAt.toISOString() })),
    // Which of those answers each interaction came from.
    attributions: attributions.map((a) => ({ ...a, occurredAt: a.occurredAt.toISOString() })),
    // The user's arm in each experiment that has run, computed by hashing
    // (experiment id, user id) exactly as requests are routed: nothing is
    // stored per user, so deleteUser has nothing of this to remove. An arm a
    // guardrail stopped serves its users as the control (servedAs).
    experiments: experiments
      .slice()
      .sort((a, b) => a.id - b.id)
      .map((e) => {
        const arm = e.arms[assignArm(e.id, user.externalId, e.arms.map((a) => a.weight))];
        return { experiment: e.name, status: e.status, arm: arm.name, servedAs: arm.stoppedAt ? e.arms[0].name : arm.name };
      }),
    // Trained model versions that were fitted on this user's interactions
    // (deleteUser removes the user from each).
    models: traces.map((t) => ({ name: t.name, version: t.version, perUserData: t.userArrays })),
  };
}
