// offPolicyEstimate: the CTR@k a stored model version would have had on the
// logged exploring traffic of a surface, without serving it. For every
// logged impression with propensities the version ranks the items for the
// user's history as of the moment it was shown (interactions before
// shown_at; the items in it excluded, as serving excludes seen items),
// falling back to and filling up with popular items as serving does
// (recommendationService.recommend); the estimators (evaluation/offPolicy.ts)
// weigh the logged clicks by the logged propensities. Filters a request
// named are not logged, so the candidate ranks without them.
//
// Statements: the version (two), the impressions, their clicks, the users'
// histories and, without an active popular model, the popularity counts:
// the same handful whatever the number of impressions.
import type { ServiceContext } from "./ServiceContext";
import type { InteractionRow } from "../db/rows";
import { BadUserInputError, NotFoundError } from "../graphql/errors";
import { loadModelVersion } from "../db/modelRepository";
import { clickedRanks, loggedImpressions, type LoggedImpression } from "../db/offPolicyRepository";
import { historiesOfUsers, popularItems } from "../db/trainingDataRepository";
import { lowestPositiveRating } from "../engine/data/implicitRatings";
import { selectTopK } from "../engine/recommender/selectTopK";
import { fitPositionModel, offPolicyEstimates, type Estimate, type LoggedSlate } from "../evaluation/offPolicy";
import { servedModelFrom, type ServedModel } from "../serving/ServedModel";
import { modelStoreOf } from "../serving/ModelStore";
import { historyOf } from "../serving/historyOf";
import { modelList } from "./recommendationService";
import { checkExplorableSurface } from "./explorationService";
import { wilsonInterval, type Proportion } from "./wilsonInterval";
import { checkText } from "./validation";

export interface OffPolicyEstimateArgs {
  model: string;
  version: number;
  surface?: string | null;
  from: Date;
  to: Date;
  k?: number | null;
}

export interface OffPolicyEstimateResult {
  model: string;
  surface: string;
  k: number;
  impressions: number;
  skipped: number;
  matchedSlots: number;
  support: number | null;
  effectiveSampleSize: number;
  logged: Proportion;
  ips: Estimate;
  selfNormalizedIps: Estimate;
  doublyRobust: Estimate;
  message: string | null;
}

const MAX_RANGE_DAYS = 400;
// The estimate reads at most this many impressions (the first of the range).
export const MAX_ESTIMATE_IMPRESSIONS = 100_000;
// Pseudo-clicks shrinking an item's attractiveness towards 1 (fitPositionModel).
const ITEM_PRIOR = 1;

function checkArgs(args: OffPolicyEstimateArgs): { model: string; version: number; surface: string; k: number } {
  const model = checkText("model", args.model, 100);
  if (!(Number.isInteger(args.version) && args.version >= 1)) throw new BadUserInputError("version", args.version, "must be a positive integer");
  const surface = checkExplorableSurface("surface", args.surface ?? "recommendations");
  // An upNext answer's session (its context) is not logged: it cannot be replayed.
  if (surface !== "recommendations") throw new BadUserInputError("surface", surface, "off-policy estimates replay recommendations only (an upNext answer's session is not logged)");
  if (!(args.from.getTime() < args.to.getTime())) throw new BadUserInputError("to", args.to.toISOString(), "must be after from");
  if (args.to.getTime() - args.from.getTime() > MAX_RANGE_DAYS * 86_400_000) throw new BadUserInputError("to", args.to.toISOString(), `the range may span at most ${MAX_RANGE_DAYS} days`);
  const k = args.k ?? 10;
  if (!(Number.isInteger(k) && k >= 1 && k <= 100)) throw new BadUserInputError("k", k, "must be from 1 to 100");
  return { model, version: args.version, surface, k };
}

async function candidateModel(ctx: ServiceContext, name: string, version: number): Promise<ServedModel> {
  const stored = await loadModelVersion(ctx.db, name, version);
  if (!stored) throw new NotFoundError("model version", [`${name}@${version}`], "version");
  try {
    return servedModelFrom(stored);
  } catch (error) {
    throw new BadUserInputError("version", version, `${name}@${version} cannot be served by this build: ${(error as Error).message}`);
  }
}

// Popular items not excluded, best first, as serving's fallback and
// backfill take them: the active `popular` model, else the database's counts.
type Popularity = (excluded: ReadonlySet<number>, n: number) => number[];

async function popularity(ctx: ServiceContext, depth: number): Promise<Popularity> {
  const served = modelStoreOf(ctx.db).get("popular");
  if (served) {
    const scores = served.model.scoreAll(0);
    return (excluded, n) => selectTopK(scores, n, (i) => excluded.has(served.itemIds[i])).map((s) => served.itemIds[s.item]);
  }
  const rows = await popularItems(ctx.db, { limit: depth }, lowestPositiveRating(ctx.config.implicitRatings, ctx.config.ratingScale));
  return (excluded, n) => rows.filter((r) => !excluded.has(r.itemId)).slice(0, n).map((r) => r.itemId);
}

// The candidate's top k for one user's history (as recommend() ranks it
// without filters): a history it cannot rank from falls back to popular
// items; a short list is filled up with them.
function candidateList(served: ServedModel, userId: number | null, rows: readonly InteractionRow[], k: number, popular: Popularity): number[] {
  const excluded = new Set(rows.map((r) => r.itemId));
  if (served.name === "popular") return selectTopK(served.model.scoreAll(0), k, (i) => excluded.has(served.itemIds[i])).map((s) => served.itemIds[s.item]);
  const list = userId !== null && rows.length > 0 ? modelList(served, historyOf(served, userId, rows), excluded, k) : undefined;
  if (!list || list.empty || !list.hasSignal) return popular(excluded, k);
  const top = list.top.slice(0, k).map((s) => served.itemIds[s.item]);
  if (top.length < k) {
    const listed = new Set(top);
    for (const id of popular(excluded, k + top.length)) {
      if (top.length >= k) break;
      if (!listed.has(id)) top.push(id);
    }
  }
  return top;
}

// The user's interactions before `at` (rows are oldest first).
function historyBefore(rows: readonly InteractionRow[], at: Date): readonly InteractionRow[] {
  const t = at.getTime();
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].occurredAt.getTime() < t) lo = mid + 1;
    else hi = mid;
  }
  return rows.slice(0, lo);
}

// The first k slots of a logged answer (by rank); undefined when it showed fewer.
function slotsOf(im: LoggedImpression, k: number): { shown: number[]; propensities: number[] } | undefined {
  const shown = new Array<number>(k);
  const propensities = new Array<number>(k);
  let filled = 0;
  im.ranks.forEach((rank, j) => {
    if (rank >= 1 && rank <= k && j < im.propensities.length && shown[rank - 1] === undefined) {
      shown[rank - 1] = im.itemIds[j];
      propensities[rank - 1] = im.propensities[j];
      filled++;
    }
  });
  return filled === k && propensities.every((p) => p > 0) ? { shown, propensities } : undefined;
}

export async function offPolicyEstimate(ctx: ServiceContext, args: OffPolicyEstimateArgs): Promise<OffPolicyEstimateResult> {
  return (await offPolicyEstimatesOf(ctx, { ...args, versions: [args.version] }))[0];
}

// Several versions of one model on the same logged traffic, read once (the
// challenger gate compares champion and challenger so).
export async function offPolicyEstimatesOf(ctx: ServiceContext, args: Omit<OffPolicyEstimateArgs, "version"> & { versions: readonly number[] }): Promise<OffPolicyEstimateResult[]> {
  const checked = args.versions.map((version) => checkArgs({ ...args, version }));
  const { model, surface, k: asked } = checked[0];
  const served = await Promise.all(checked.map((c) => candidateModel(ctx, model, c.version)));
  const traffic = await loggedTraffic(ctx, surface, args.from, args.to, asked);
  return served.map((candidate) => estimateOn(candidate, traffic, surface, asked));
}

interface LoggedTraffic {
  logged: LoggedImpression[];
  // The depth estimated: k, or less when the logged answers were shorter.
  k: number;
  clicks: Map<string, Set<number>>;
  byUser: Map<number, InteractionRow[]>;
  popular: Popularity;
}

// The range's exploring impressions, their clicks, the users' histories
// and the popularity backfill: one statement each, whatever the candidate.
async function loggedTraffic(ctx: ServiceContext, surface: string, from: Date, to: Date, asked: number): Promise<LoggedTraffic> {
  const logged = await loggedImpressions(ctx.db, surface, from, to, MAX_ESTIMATE_IMPRESSIONS);
  // Answers shorter than k leave k at the longest depth logged; shorter ones are left out.
  const k = Math.min(asked, logged.reduce((m, im) => Math.max(m, im.ranks.filter((r) => r >= 1).length), 0));
  const [clicks, histories] = await Promise.all([
    clickedRanks(ctx.db, logged.map((im) => im.id)),
    historiesOfUsers(ctx.db, [...new Set(logged.flatMap((im) => (im.userId === null ? [] : [im.userId])))]),
  ]);
  const byUser = new Map<number, InteractionRow[]>();
  for (const r of histories) {
    let rows = byUser.get(r.userId);
    if (!rows) byUser.set(r.userId, (rows = []));
    rows.push(r);
  }
  let longest = 0;
  for (const rows of byUser.values()) longest = Math.max(longest, rows.length);
  const popular = logged.length > 0 ? await popularity(ctx, k + longest) : () => [];
  return { logged, k, clicks, byUser, popular };
}

function estimateOn(served: ServedModel, traffic: LoggedTraffic, surface: string, asked: number): OffPolicyEstimateResult {
  const { logged, k, clicks, byUser, popular } = traffic;
  const slates: LoggedSlate[] = [];
  let skipped = 0;
  for (const im of logged) {
    const slots = k > 0 ? slotsOf(im, k) : undefined;
    if (!slots) {
      skipped++;
      continue;
    }
    const rows = im.userId === null ? [] : historyBefore(byUser.get(im.userId) ?? [], im.shownAt);
    const candidate = candidateList(served, im.userId, rows, k, popular);
    while (candidate.length < k) candidate.push(-1); // the catalog ran out: a slot nothing matches
    const pool = new Set(im.pool);
    const clicked = clicks.get(im.id);
    slates.push({
      shown: slots.shown,
      propensities: slots.propensities,
      clicks: slots.shown.map((_, r) => (clicked?.has(r + 1) ? 1 : 0)),
      candidate,
      supported: candidate.map((x) => pool.has(x)),
    });
  }
  const e = offPolicyEstimates(slates, k, fitPositionModel(slates, k, ITEM_PRIOR));
  const notes: string[] = [];
  if (logged.length === 0) notes.push(`no logged ${surface} impressions with propensities in the range: turn exploration on with setExploration and let traffic come in`);
  if (logged.length === MAX_ESTIMATE_IMPRESSIONS) notes.push(`only the first ${MAX_ESTIMATE_IMPRESSIONS} impressions of the range were read`);
  if (skipped > 0) notes.push(`${skipped} impressions showed fewer than ${k} items and were left out`);
  if (e.impressions > 0 && e.snips.value === null) notes.push("at some rank the candidate never puts the item that was shown there: no self-normalised estimate");
  if (asked > k && logged.length > 0) notes.push(`the logged answers showed at most ${k} items: estimated at k = ${k}`);
  return {
    model: `${served.name}@${served.version}`,
    surface,
    k,
    impressions: e.impressions,
    skipped,
    matchedSlots: e.matchedSlots,
    support: e.support,
    effectiveSampleSize: e.effectiveSampleSize,
    logged: wilsonInterval(e.loggedClicks, e.loggedSlots),
    ips: e.ips,
    selfNormalizedIps: e.snips,
    doublyRobust: e.doublyRobust,
    message: notes.length > 0 ? `${notes.join("; ")}.` : null,
  };
}
