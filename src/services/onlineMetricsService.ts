// Online metrics of what was served: impressions, attributed interactions,
// CTR@k and conversion with Wilson intervals, by surface, strategy, model
// and arm, read from the hourly rollups the impression log and attribution
// keep (db/impressionRepository.ts), never by scanning impressions.
import type { ServiceContext } from "./ServiceContext";
import { BadUserInputError } from "../graphql/errors";
import { readOnlineMetrics, type MetricsGroupColumn } from "../db/onlineMetricsRepository";
import { wilsonInterval, type Proportion } from "./wilsonInterval";
import { checkText } from "./validation";

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
  itemsShown: number;
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
  const rows = await readOnlineMetrics(ctx.db, { from: args.from, to: args.to, surface, groupBy, k });
  // '' in the rollups: the impression had none.
  const value = (row: (typeof rows)[number], c: MetricsGroupColumn) => (row.group[c] === undefined || row.group[c] === "" ? null : row.group[c]!);
  return rows.map((row) => ({
    surface: value(row, "surface"),
    strategy: value(row, "strategy"),
    model: value(row, "model"),
    arm: value(row, "arm"),
    impressions: row.impressions,
    itemsShown: row.itemsShown,
    attributed: TYPES.filter((t) => row.attributed[t] > 0).map((type) => ({ type, count: row.attributed[type] })),
    clickThrough: wilsonInterval(row.clicksAtK, row.shownAtK),
    conversion: wilsonInterval(row.attributed.PURCHASE, row.impressions),
  }));
}
