// A whole page of rails for one user in one request. Every rail is computed
// at once (so their loads batch into the same statements), deep enough to
// survive de-duplication; then, in the order asked, each rail keeps the
// items no rail above it took and the user has not seen.
import type { ServiceContext } from "./ServiceContext";
import type { InteractionRow, ItemRow, UserRow } from "../db/rows";
import { BadUserInputError } from "../graphql/errors";
import { checkFirst } from "../graphql/cursor";
import { recommendationLoadersOf } from "../loaders/recommendationLoaders";
import { popular, recommend, similarItems, type PopularWindowName, type RecommendationResult } from "./recommendationService";
import type { RecommendationFilterInput } from "./recommendationFilter";
import type { StrategyName } from "../serving/servingAlgorithms";
import { checkId, checkText } from "./validation";
import { upNext } from "./upNextService";

export type RailKindName = "RECOMMENDED" | "BECAUSE_YOU_INTERACTED" | "TRENDING" | "MORE_LIKE_LAST" | "UP_NEXT";

export interface RailInput {
  kind: RailKindName;
  first?: number | null;
  title?: string | null;
  strategy?: StrategyName | null;
  itemId?: string | null;
  window?: PopularWindowName | null;
  filter?: RecommendationFilterInput | null;
}

export interface RailResult {
  kind: RailKindName;
  title: string;
  anchor: ItemRow | null;
  items: RecommendationResult[];
}

export interface PageResult {
  impressionId: string;
  userId: string;
  rails: RailResult[];
}

const MAX_RAILS = 8;
const MAX_RAIL_SIZE = 20;
// How deep each rail is computed before de-duplication.
const DEPTH = 100;
const POSITIVE_TYPES = new Set(["LIKE", "PURCHASE", "PLAY", "VIEW", "RATING"]);

// The user's strongest positive interaction: a rating of 4 or more, or a
// like or purchase, the most recent first; else the most recent positive one.
function strongest(history: readonly InteractionRow[]): InteractionRow | undefined {
  const strength = (r: InteractionRow) =>
    r.type === "RATING" ? (r.value >= 4 ? 2 : 0) : r.type === "LIKE" || r.type === "PURCHASE" ? 2 : POSITIVE_TYPES.has(r.type) ? 1 : 0;
  return [...history]
    .filter((r) => strength(r) > 0)
    .sort((a, b) => strength(b) - strength(a) || b.occurredAt.getTime() - a.occurredAt.getTime() || b.itemId - a.itemId)[0];
}

function latest(history: readonly InteractionRow[]): InteractionRow | undefined {
  return [...history]
    .filter((r) => r.type !== "SKIP")
    .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || b.itemId - a.itemId)[0];
}

function defaultTitle(rail: RailInput, anchor: ItemRow | null): string {
  switch (rail.kind) {
    case "RECOMMENDED":
      return "Recommended for you";
    case "BECAUSE_YOU_INTERACTED":
      return anchor ? `Because you liked ${anchor.title}` : "Because you liked";
    case "MORE_LIKE_LAST":
      return anchor ? `More like ${anchor.title}` : "More like what you played last";
    case "UP_NEXT":
      return "Up next";
    case "TRENDING": {
      const genres = [...(rail.filter?.features?.any ?? []), ...(rail.filter?.features?.all ?? [])].map((f) => f.value);
      return genres.length > 0 ? `Trending in ${genres.join(", ")}` : "Trending now";
    }
  }
}

function checkRails(rails: readonly RailInput[]): void {
  if (rails.length < 1 || rails.length > MAX_RAILS) throw new BadUserInputError("rails", `${rails.length} rails`, `must hold 1 to ${MAX_RAILS} rails`);
  rails.forEach((rail, i) => {
    checkFirst(rail.first ?? 10, MAX_RAIL_SIZE, `rails[${i}].first`);
    if (rail.title != null) checkText(`rails[${i}].title`, rail.title, 200);
    if (rail.itemId != null) {
      checkId(`rails[${i}].itemId`, rail.itemId);
      if (rail.kind !== "BECAUSE_YOU_INTERACTED") throw new BadUserInputError(`rails[${i}].itemId`, rail.itemId, "only a BECAUSE_YOU_INTERACTED rail takes an itemId");
    }
  });
}

export async function page(ctx: ServiceContext & { now: Date }, user: UserRow | null, userId: string, rails: readonly RailInput[]): Promise<PageResult> {
  checkRails(rails);
  const history = user ? await recommendationLoadersOf(ctx).historyByUserId.load(user.id) : [];
  const seen = new Set(history.map((r) => r.itemId));
  const built = await Promise.all(
    rails.map(async (rail): Promise<{ anchor: ItemRow | null; items: RecommendationResult[] }> => {
      const filter = rail.filter ?? null;
      if (rail.kind === "RECOMMENDED") {
        return { anchor: null, items: await recommend(ctx, user, userId, { first: DEPTH, filter, strategy: rail.strategy ?? "HYBRID" }, "page") };
      }
      if (rail.kind === "UP_NEXT") {
        return { anchor: null, items: await upNext(ctx, user, userId, { first: DEPTH, filter }, "page") };
      }
      if (rail.kind === "TRENDING") {
        return { anchor: null, items: await popular(ctx, { window: rail.window ?? "WEEK", first: DEPTH, filter }) };
      }
      let anchor: ItemRow | null = null;
      if (rail.kind === "BECAUSE_YOU_INTERACTED" && rail.itemId != null) {
        anchor = (await ctx.loaders.itemByExternalId.load(rail.itemId)) ?? null;
      } else {
        const row = rail.kind === "MORE_LIKE_LAST" ? latest(history) : strongest(history);
        anchor = row ? ((await ctx.loaders.itemById.load(row.itemId)) ?? null) : null;
      }
      if (!anchor) return { anchor: null, items: [] };
      return { anchor, items: await similarItems(ctx, anchor, { method: "COLLABORATIVE", first: DEPTH, filter }, "page") };
    }),
  );
  const placed = new Set<number>();
  const out: RailResult[] = rails.map((rail, i) => {
    const want = rail.first ?? 10;
    const items: RecommendationResult[] = [];
    for (const r of built[i].items) {
      if (items.length >= want) break;
      if (placed.has(r.item.id) || r.item.id === built[i].anchor?.id) continue;
      if (seen.has(r.item.id) && rail.filter?.excludeSeen !== false) continue;
      placed.add(r.item.id);
      // Re-ranked within the rail; the cursor stays the one of the result's
      // place in its own ranking (cursor is a getter and reasons a method of
      // the result, which a spread would not copy).
      items.push({ item: r.item, score: r.score, strategy: r.strategy, model: r.model, impressionId: "", cursor: r.cursor, reasons: () => r.reasons(), rank: items.length + 1 });
    }
    return { kind: rail.kind, title: rail.title ?? defaultTitle(rail, built[i].anchor), anchor: built[i].anchor, items };
  });
  // The id is given (and the page logged) by impressionService.logPage.
  return { impressionId: "", userId, rails: out };
}
