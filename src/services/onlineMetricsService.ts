// Online metrics of what was served: impressions, users reached, attributed
// interactions, CTR@k and conversion with Wilson intervals, catalog
// coverage and novelty, by surface, strategy, model and arm, read from the
// hourly rollups the impression log and attribution keep
// (db/impressionRepository.ts), never by scanning impressions.
//
// users: a HyperLogLog estimate (engine/sketch/hyperLogLog.ts), 1.6%
// standard error, exact for a handful of users barring a hash collision.
// novelty: the mean self-information of the items shown, -log2 p(i) with
// p(i) the fraction of all users who ever interacted with item i (any type,
// as of the query; an item nobody touched counts as one user's), after
// Vargas & Castells 2011, "Rank and relevance in novelty and diversity
// metrics for recommender systems": the bits of surprise per item shown.
import type { ServiceContext } from "./ServiceContext";
import { BadUserInputError } from "../graphql/errors";
import { readOnlineMetrics, type MetricsGroupColumn } from "../db/onlineMetricsRepository";
import { wilsonInterval, type Proportion } from "./wilsonInterval";
import { checkText } from "./validation";
import { hllEstimate } from "../engine/sketch/hyperLogLog";
import { impressionLogOf } from "../serving/impressionLog";

export type OnlineMetricsGroupName = "SURFACE" | "STRATEGY" | "MODEL" | "ARM";

const COLUMNS: Readonly<Record<OnlineMetricsGroupName, MetricsGroupColumn>> = { SURFACE: "surface", STRATEGY: "strategy", MODEL: "model", ARM: "arm" };
const MAX_RANGE_DAYS = 400;
const TYPES = ["RATING", "VIEW", "PLAY", "LIKE", "DISLIKE", "PURCHASE", "SKIP"] as const;

export interface OnlineMetricsArgs {
  from: Date;
  to: Date;
  surface?: string | null;
  groupBy?: readonly OnlineMetricsGroupName[] | null;
  k?: number | null;
}

export interface OnlineMetricsResult {
  surface: string | null;
  strategy: string | null;
  model: string | null;
  arm: string | null;
  impressions: number;
  users: number;
  itemsShown: number;
  itemsDistinct: number;
  coverage: number | null;
  novelty: number | null;
  attributed: { type: (typeof TYPES)[number]; count: number }[];
  clickThrough: Proportion;
  conversion: Proportion;
}

export async function onlineMetrics(ctx: ServiceContext, args: OnlineMetricsArgs): Promise<OnlineMetricsResult[]> {
  if (!(args.from.getTime() < args.to.getTime())) throw new BadUserInputError("to", args.to.toISOString(), "must be after from");
  if (args.to.getTime() - args.from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
    throw new BadUserInputError("to", args.to.toISOString(), `the range may span at most ${MAX_RANGE_DAYS} days`);
  }
  const k = args.k ?? 10;
  if (!(Number.isInteger(k) && k >= 1 && k <= 100)) throw new BadUserInputError("k", k, "must be from 1 to 100");
  const surface = args.surface != null ? checkText("surface", args.surface, 100) : null;
  const groupBy = [...new Set<OnlineMetricsGroupName>(args.groupBy ?? ["SURFACE", "STRATEGY", "MODEL"])].map((g) => COLUMNS[g]);
  // What this process holds is written first (its buffered answers, and the
  // reach it gathers for a minute at a time): its own answers are counted.
  await impressionLogOf(ctx.db)?.flushAll();
  const rows = await readOnlineMetrics(ctx.db, { from: args.from, to: args.to, surface, groupBy, k });
  // '' in the rollups: the impression had none.
  const value = (row: (typeof rows)[number], c: MetricsGroupColumn) => (row.group[c] === undefined || row.group[c] === "" ? null : row.group[c]!);
  return rows.map((row) => ({
    surface: value(row, "surface"),
    strategy: value(row, "strategy"),
    model: value(row, "model"),
    arm: value(row, "arm"),
    impressions: row.impressions,
    users: Math.round(hllEstimate(row.userRegisters, row.userInverseSum)),
    itemsShown: row.itemsShown,
    itemsDistinct: row.itemsDistinct,
    coverage: row.catalogItems > 0 ? row.itemsInCatalog / row.catalogItems : null,
    novelty: row.itemShows > 0 ? row.selfInformation / row.itemShows : null,
    attributed: TYPES.filter((t) => row.attributed[t] > 0).map((type) => ({ type, count: row.attributed[type] })),
    clickThrough: wilsonInterval(row.clicksAtK, row.shownAtK),
    conversion: wilsonInterval(row.attributed.PURCHASE, row.impressions),
  }));
}
