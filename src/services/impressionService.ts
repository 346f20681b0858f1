// Every answer of a recommendation surface is an impression: it gets an id
// (Recommendation.impressionId, Page.impressionId), which every item of the
// answer carries, and what it showed is logged through the process's
// impression buffer (serving/impressionLog.ts), whether or not the client
// selected the id: a client that never reads it still showed the items.
// With MARQUEE_IMPRESSIONS=off the id is still given (the field is ID!) but
// nothing is logged. An answer with no items is not logged.
import crypto from "node:crypto";
import type { ServiceContext } from "./ServiceContext";
import type { UserRow } from "../db/rows";
import type { RecommendationList } from "./recommendationService";
import type { PageResult } from "./pageService";
import { impressionLogOf } from "../serving/impressionLog";

export type ImpressionSurface = "recommendations" | "upNext" | "similarItems" | "page";

export interface Shown {
  surface: ImpressionSurface;
  // The user shown to (null: anonymous, unknown, or similar items without one).
  user: UserRow | null;
  // The strategy asked for (similar items: the method's strategy).
  strategy: string | null;
  // The experiment and arm that routed the request (experimentRouting.ts).
  experiment?: string | null;
  arm?: string | null;
}

// A UUIDv7 (RFC 9562): the time in milliseconds first, then random bits,
// so the impressions' key index is appended to rather than written at
// random pages, for one insert per answer.
export function impressionId(now: number = Date.now()): string {
  const random = crypto.randomUUID();
  const time = now.toString(16).padStart(12, "0").slice(-12);
  // Joined, not concatenated: one flat string of 36 characters, where a
  // concatenation leaves a tree of pieces that the buffer and its id set
  // hold until the batch is written (about 230 bytes against 56).
  return [time.slice(0, 8), "-", time.slice(8, 12), "-7", random.slice(15)].join("");
}

// Gives the answer its impression id and logs it; returns the same results.
// An answer of an exploring surface logs each item's propensity and the
// pool it was drawn from; any other answer was deterministic (none logged).
export function logShown(ctx: ServiceContext & { now: Date }, shown: Shown, results: RecommendationList): RecommendationList {
  const id = impressionId(ctx.now.getTime());
  const n = results.length;
  for (let k = 0; k < n; k++) results[k].impressionId = id;
  const log = impressionLogOf(ctx.db);
  if (log && n > 0) {
    const itemIds = new Array<number>(n);
    const ranks = new Array<number>(n);
    const scores = new Array<number>(n);
    for (let k = 0; k < n; k++) {
      itemIds[k] = results[k].item.id;
      ranks[k] = results[k].rank;
      scores[k] = results[k].score;
    }
    log.add({
      id,
      userId: shown.user?.id ?? null,
      userKey: shown.user?.externalId ?? null,
      surface: shown.surface,
      strategy: shown.strategy,
      model: results.exploration ? results.exploration.model : results[0].model,
      experiment: shown.experiment ?? null,
      arm: shown.arm ?? null,
      shownAt: ctx.now,
      itemIds,
      ranks,
      rails: null,
      scores,
      ...(results.exploration ? { propensities: results.exploration.propensities, pool: results.exploration.pool } : {}),
    });
  }
  return results;
}

// A page is one impression: its rails' items carry the page's id, each with
// its rail (0-based) and its rank in the rail.
export function logPage(ctx: ServiceContext & { now: Date }, user: UserRow | null, page: PageResult): PageResult {
  const id = impressionId(ctx.now.getTime());
  page.impressionId = id;
  const itemIds: number[] = [];
  const ranks: number[] = [];
  const rails: number[] = [];
  const scores: number[] = [];
  page.rails.forEach((rail, r) => {
    for (const item of rail.items) {
      item.impressionId = id;
      itemIds.push(item.item.id);
      ranks.push(item.rank);
      rails.push(r);
      scores.push(item.score);
    }
  });
  const log = impressionLogOf(ctx.db);
  if (log && itemIds.length > 0) {
    log.add({ id, userId: user?.id ?? null, userKey: user?.externalId ?? null, surface: "page", strategy: null, model: null, experiment: null, arm: null, shownAt: ctx.now, itemIds, ranks, rails, scores });
  }
  return page;
}
