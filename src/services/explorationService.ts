// setExploration and the exploration query: how each surface explores
// (engine/exploration/epsilonExploration.ts says how). The setting is
// written, then this process's copy is read again, so the caller's next
// answer already explores; other replicas follow within their watch interval.
import type { ServiceContext } from "./ServiceContext";
import { BadUserInputError } from "../graphql/errors";
import { writeExplorationSetting } from "../db/explorationRepository";
import { EXPLORABLE_SURFACES, explorationSettingsOf, type ExplorableSurface } from "../serving/explorationSettings";

export const MAX_POOL_SIZE = 1000;

export interface ExplorationResult {
  surface: string;
  rate: number;
  poolSize: number;
  updatedAt: Date | null;
}

const DEFAULT_POOL_SIZE = 100;

export function checkExplorableSurface(argument: string, surface: string): ExplorableSurface {
  if (!(EXPLORABLE_SURFACES as readonly string[]).includes(surface)) {
    throw new BadUserInputError(argument, surface, `must be one of ${EXPLORABLE_SURFACES.join(", ")}`);
  }
  return surface as ExplorableSurface;
}

export async function setExploration(ctx: ServiceContext & { now: Date }, args: { surface: string; rate: number; poolSize?: number | null }): Promise<ExplorationResult> {
  const surface = checkExplorableSurface("surface", args.surface);
  if (!(Number.isFinite(args.rate) && args.rate >= 0 && args.rate <= 1)) throw new BadUserInputError("rate", args.rate, "must be from 0 to 1 (0 turns exploration off)");
  const poolSize = args.poolSize ?? DEFAULT_POOL_SIZE;
  if (!(Number.isInteger(poolSize) && poolSize >= 1 && poolSize <= MAX_POOL_SIZE)) throw new BadUserInputError("poolSize", args.poolSize, `must be from 1 to ${MAX_POOL_SIZE}`);
  const row = await writeExplorationSetting(ctx.db, surface, args.rate, poolSize, ctx.now);
  await explorationSettingsOf(ctx.db).refresh();
  return row;
}

// Every explorable surface, set or not (a surface never set does not explore).
export async function listExploration(ctx: ServiceContext): Promise<ExplorationResult[]> {
  const settings = explorationSettingsOf(ctx.db);
  await settings.refresh();
  return EXPLORABLE_SURFACES.map((surface) => settings.get(surface) ?? { surface, rate: 0, poolSize: DEFAULT_POOL_SIZE, updatedAt: null });
}
