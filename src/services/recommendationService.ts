// Recommendations, similar items and users, rating predictions and popular
// items. The shape of every request:
//   1. validate the arguments (BAD_USER_INPUT names the field);
//   2. gather: the user's current history through a DataLoader (one
//      statement for every user of the request);
//   3. score in the engine from that history (scoreHistory: read-your-writes
//      without a retrain), or scoreAll(training index) for a model that
//      cannot fold in, masking what the user has seen since;
//   4. gather the candidates' rows and features (one statement for all
//      users), filter, re-rank for diversity, page;
//   5. reasons are computed only when the field is selected (a thunk).
// Whatever cannot be personalised falls back to popular items and says why
// (ColdStart); a strategy whose own model is missing is served by another
// and says so (Fallback, strategyFallback.ts).
import type { ServiceContext } from "./ServiceContext";
import type { InteractionRow, ItemRow, UserRow } from "../db/rows";
import type { CandidateItem } from "../db/trainingDataRepository";
import { popularItems } from "../db/trainingDataRepository";
import { lowestPositiveRating } from "../engine/data/implicitRatings";
import { BadUserInputError } from "../graphql/errors";
import { checkFirst, decodeCursor, encodeCursor } from "../graphql/cursor";
import { selectTopK } from "../engine/recommender/selectTopK";
import { clipToScale } from "../engine/recommender/clipToScale";
import type { Evidence, UserHistory } from "../engine/types";
import { recommendationLoadersOf } from "../loaders/recommendationLoaders";
import { userStateCacheOf } from "../loaders/userStateCache";
import { catalogCacheOf } from "../loaders/catalogCache";
import { modelStoreOf, type ModelStore } from "../serving/ModelStore";
import type { ServedModel } from "../serving/ServedModel";
import { historyOf } from "../serving/historyOf";
import { sequenceOf } from "../serving/sequenceOf";
import { featureCosine, mmrOrder } from "../serving/mmr";
import { findServingAlgorithm, type StrategyName } from "../serving/servingAlgorithms";
import { checkRecommendationFilter, matchesFilter, type CheckedFilter, type RecommendationFilterInput } from "./recommendationFilter";
import { reasonsFromEvidence, sharedFeatureReasons, type ReasonValue } from "./recommendationReasons";
import { countFallback, missingModelsWhy, modelForStrategy, strategyOfModel, type FallbackReason, type FallbackSurface } from "./strategyFallback";
import { explorationSettingsOf } from "../serving/explorationSettings";
import type { ExplorationSettingRow } from "../db/explorationRepository";
import { exploreList } from "../engine/exploration/epsilonExploration";

export type { ReasonValue } from "./recommendationReasons";

export interface RecommendationResult {
  item: ItemRow;
  score: number;
  rank: number;
  strategy: StrategyName;
  cursor: string;
  reasons: () => ReasonValue[] | Promise<ReasonValue[]>;
  // The served model that ranked the item ("name@version"); null for
  // popularity counted in the database.
  model: string | null;
  // The answer's impression (every item of one answer shares it; set by
  // impressionService.logShown).
  impressionId: string;
}

// What an answer of an exploring surface logs beside its items (see
// engine/exploration/epsilonExploration.ts): each shown item's probability
// at its rank, the pool it was drawn from (database ids, best first), and
// the model of the normal list's top (the sampled top may be a backfill).
export interface AnswerExploration {
  propensities: number[];
  pool: number[];
  model: string | null;
}

// recommend()'s answer: the results, and how they were drawn when the surface explores.
export type RecommendationList = RecommendationResult[] & { exploration?: AnswerExploration };

export interface RecommendArgs {
  first?: number | null;
  after?: string | null;
  filter?: RecommendationFilterInput | null;
  strategy?: StrategyName | null;
  diversity?: number | null;
}

const MAX_FIRST = 100;
const MAX_EVIDENCE = 3;

interface Page {
  offset: number;
  limit: number;
}

function checkPage(first: number | null | undefined, after: string | null | undefined): Page {
  const limit = checkFirst(first ?? 10, MAX_FIRST);
  const offset = after != null ? decodeCursor("rec", after, "after", (v): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v < 10_000) : 0;
  return { offset, limit };
}

function checkDiversity(diversity: number | null | undefined): number {
  const d = diversity ?? 0;
  if (!Number.isFinite(d) || d < 0 || d > 1) throw new BadUserInputError("diversity", diversity, "must be from 0 to 1");
  return d;
}

// One entry of a ranking before filtering: a database item id, its score,
// and how to explain it.
interface Ranked {
  itemId: number;
  score: number;
  strategy: StrategyName;
  // "name@version" of the model that ranked it (shared by the entries of one ranking).
  model: string | null;
  // Shared by the entries of one ranking (not a closure per entry): gets the entry itself.
  explain: (candidate: CandidateItem, ranked: Ranked) => ReasonValue[] | Promise<ReasonValue[]>;
  // The item's index in the model that ranked it (model rankings only).
  modelItem?: number;
}

// A ranking that can be asked for more: `take(n)` returns the best n (or all there are).
type Ranking = (n: number) => Promise<Ranked[]>;

// The lowest rating the database's popularity counts as a positive, by the
// configured implicit rating rule (what the trained models count as one).
function lowestPositive(ctx: ServiceContext): number {
  return lowestPositiveRating(ctx.config.implicitRatings, ctx.config.ratingScale);
}

// Most popular items not excluded: the trained `popular` model when there is
// one, else all-time counts from the database (one statement per request).
// Every item of the ranking shares one array of reasons.
function popularRanking(ctx: ServiceContext, store: ModelStore, excluded: ReadonlySet<number>, coldWhy: string | undefined, fallback: FallbackReason | undefined): Ranking {
  const shared: ReasonValue[] = [
    ...(coldWhy ? [{ __typename: "ColdStart" as const, why: coldWhy }] : []),
    { __typename: "Popular", window: "ALL_TIME" },
    ...(fallback ? [fallback] : []),
  ];
  const reasons = (): ReasonValue[] => shared;
  const served = store.get("popular");
  if (served) {
    // Scored on first use: most requests never need their backfill.
    let scores: Float32Array | undefined;
    const model = modelLabel(served);
    return async (n) =>
      selectTopK((scores ??= served.model.scoreAll(0)), n, (i) => excluded.has(served.itemIds[i])).map((s) => ({
        itemId: served.itemIds[s.item],
        score: s.score,
        strategy: "POPULAR",
        model,
        explain: reasons,
      }));
  }
  return async (n) => {
    const rows = await recommendationLoadersOf(ctx).popularAllTime.load(lowestPositive(ctx));
    return rows
      .filter((r) => !excluded.has(r.itemId))
      .slice(0, n)
      .map((r) => ({ itemId: r.itemId, score: r.users, strategy: "POPULAR", model: null, explain: reasons }));
  };
}

// "name@version", as impressions record the model that served. Kept per
// served version: a warm request builds no string.
const modelLabels = new WeakMap<ServedModel, string>();

function modelLabel(served: ServedModel): string {
  let label = modelLabels.get(served);
  if (label === undefined) modelLabels.set(served, (label = `${served.name}@${served.version}`));
  return label;
}

// What a model says about one user, before filters: its best `top` items
// (positions in the model, best first; items the request excludes are left
// out), whether `top` holds every item it would rank at all (`complete`),
// and the means to go deeper or explain. Derived from the history alone, so
// the user state cache may keep it until the user's next write (see
// cachedModelList).
export interface ModelList {
  // A sequence-aware model given no item it knows: nothing to rank from.
  empty?: true;
  top: { item: number; score: number }[];
  complete: boolean;
  hasSignal: boolean;
  // Recomputes the scores (a request deeper than `top`).
  scores: () => Float32Array;
  evidence: (index: number) => Evidence[];
}

// How deep a cached list is kept: a page of 10 with a narrowing filter reads
// 4 * 10 + 20 = 60; deeper requests score again.
const CACHED_DEPTH = 100;

export function modelList(served: ServedModel, history: UserHistory & { user?: number }, excluded: ReadonlySet<number>, depth: number): ModelList | undefined {
  const model = served.model;
  let scores: () => Float32Array;
  let evidence: (i: number) => Evidence[];
  const sequence = model.scoreSequence ? history.sequence : undefined;
  if (sequence?.length === 0) return { empty: true, top: [], complete: true, hasSignal: false, scores: () => new Float32Array(0), evidence: () => [] };
  if (sequence) {
    // A sequence-aware model: what comes next after the items in their order.
    scores = () => model.scoreSequence!(sequence);
    evidence = (i) => model.explainSequence?.(sequence, i, MAX_EVIDENCE) ?? [];
  } else if (model.scoreHistory) {
    scores = () => model.scoreHistory!(history);
    evidence = (i) => model.explainHistory?.(history, i, MAX_EVIDENCE) ?? [];
  } else if (history.user !== undefined) {
    const u = history.user;
    scores = () => model.scoreAll(u);
    evidence = (i) => model.explain?.(u, i, MAX_EVIDENCE) ?? [];
  } else {
    return undefined;
  }
  // A large catalog behind an index: the best items without scoring them all.
  const evidenceOnly = findServingAlgorithm(served.name)?.evidenceScores ?? false;
  if (model.topHistory && !evidenceOnly && !sequence) {
    const top = model.topHistory(history, depth, (i) => excluded.has(served.itemIds[i]));
    const hasSignal = top.length === 1 || (top.length > 1 && top[0].score !== top[top.length - 1].score);
    return { top, complete: false, hasSignal, scores, evidence };
  }
  const s = scores();
  const skip = skipFor(served, s, excluded);
  const top = selectTopK(s, depth, skip);
  return { top, complete: top.length < depth, hasSignal: hasSignalFor(served, s, excluded), scores, evidence };
}

// Items a model's ranking leaves out: excluded ones, and for kNN or content
// models those it has no evidence for (score 0: unrelated to the history).
function skipFor(served: ServedModel, scores: Float32Array, excluded: ReadonlySet<number>): (i: number) => boolean {
  const evidenceOnly = findServingAlgorithm(served.name)?.evidenceScores ?? false;
  return evidenceOnly ? (i) => !(scores[i] > 0) || excluded.has(served.itemIds[i]) : (i) => excluded.has(served.itemIds[i]);
}

// The history a request with a session (or without a user) is scored from:
// the user's own, if any, with the session's items in the sequence.
function sessionHistory(served: ServedModel, user: UserRow | null, rows: readonly InteractionRow[], session: readonly number[]): UserHistory & { user?: number } {
  const own = user ? historyOf(served, user.id, rows) : { items: new Int32Array(0), values: new Float32Array(0) };
  return served.model.scoreSequence ? { ...own, sequence: sequenceOf(served, rows, session) } : own;
}

// The model's list for this user through the user state cache: a warm
// request for the same user, model version and excludeSeen costs no scoring.
// Only lists whose exclusions come from the history alone are kept (a request
// naming excludeItems scores afresh), and a list computed from a history read
// before a write to the user is not stored (the cache's epoch).
function cachedModelList(
  ctx: ServiceContext,
  served: ServedModel,
  userId: number,
  rows: readonly InteractionRow[],
  filter: CheckedFilter,
  excluded: ReadonlySet<number>,
  epoch: number | undefined,
): ModelList | undefined {
  const cache = userStateCacheOf(ctx.db);
  const cacheable = cache !== undefined && epoch !== undefined && filter.excludeItems.length === 0;
  const key = `rank:${served.name}@${served.version}.${served.revision}:${filter.excludeSeen ? "unseen" : "all"}`;
  if (cacheable) {
    const hit = cache.getDerived<ModelList | null>(userId, key);
    if (hit !== undefined) return hit ?? undefined;
  }
  const list = modelList(served, historyOf(served, userId, rows), excluded, CACHED_DEPTH);
  if (cacheable) cache.setDerived(userId, key, list ?? null, epoch);
  return list;
}

// The model's ranking, then popular items to fill the page: a kNN or content
// model has nothing to say about items unrelated to the history (score 0).
function modelRanking(served: ServedModel, strategy: StrategyName, list: ModelList, excluded: ReadonlySet<number>, backfill: Ranking, fallback: FallbackReason | undefined): Ranking {
  const explain = (c: CandidateItem, r: Ranked) => reasonsFromEvidence(served, list.evidence(r.modelItem!), c.features, fallback);
  const model = modelLabel(served);
  return async (n) => {
    let top = list.top;
    if (n > top.length && !list.complete) {
      const s = list.scores();
      top = selectTopK(s, n, skipFor(served, s, excluded));
    }
    const ranked: Ranked[] = top.slice(0, n).map((s) => ({
      itemId: served.itemIds[s.item],
      score: s.score,
      strategy,
      model,
      modelItem: s.item,
      explain,
    }));
    if (ranked.length < n) {
      const listed = new Set(ranked.map((r) => r.itemId));
      for (const r of await backfill(n)) {
        if (ranked.length >= n) break;
        if (!listed.has(r.itemId)) ranked.push(r);
      }
    }
    return ranked;
  };
}

// Takes rankings through the filter until the page (plus the diversity pool)
// is full or the ranking is exhausted; candidate rows come from one batched
// statement per round (usually one round).
async function fillPool(ctx: ServiceContext, ranking: Ranking, filter: CheckedFilter, want: number): Promise<{ ranked: Ranked; candidate: CandidateItem }[]> {
  const loaders = recommendationLoadersOf(ctx);
  let n = filter.narrows ? want * 4 + 20 : want;
  for (;;) {
    const ranked = await ranking(n);
    const ids = ranked.map((r) => r.itemId);
    // Warm, the catalog cache holds every candidate: no loader round.
    const candidates = catalogCacheOf(ctx.db)?.getAll(ids) ?? (await loaders.candidateItem.loadMany(ids));
    const pool: { ranked: Ranked; candidate: CandidateItem }[] = [];
    ranked.forEach((r, k) => {
      const c = candidates[k];
      if (c && !(c instanceof Error) && matchesFilter(c, filter)) pool.push({ ranked: r, candidate: c });
    });
    if (pool.length >= want || ranked.length < n) return pool.slice(0, want);
    n *= 4;
  }
}

type Pooled = { ranked: Ranked; candidate: CandidateItem };

// The page's entries of the pool, in the order they are shown.
function pageOf(pool: Pooled[], page: Page, diversity: number): Pooled[] {
  // MMR's relevance is the position in the ranking, not the score: a list
  // filled up from popularity mixes scores of different scales.
  const ordered = diversity > 0
    ? mmrOrder(
        pool.map((p, k) => ({ ...p, score: pool.length - k })),
        page.offset + page.limit,
        diversity,
        (a, b) => featureCosine(a.candidate.features, b.candidate.features),
      )
    : pool;
  return ordered.slice(page.offset, page.offset + page.limit);
}

function toResults(pool: Pooled[], page: Page, diversity: number): RecommendationResult[] {
  return pageOf(pool, page, diversity).map((p, k) => new RankedResult(p.candidate, p.ranked, page.offset + k + 1));
}

// A first page on an exploring surface (epsilonExploration.ts has the
// policy and its propensities). The pool is the top M of the ranking after
// filters and exclusions, M = min(max(poolSize, page depth), available): it
// always holds the normal page, so the normal list is a set of pool
// positions. Only exploring answers read the deeper pool.
async function exploreFirstPage(ctx: ServiceContext, ranking: Ranking, filter: CheckedFilter, page: Page, diversity: number, want: number, setting: ExplorationSettingRow): Promise<RecommendationList> {
  const pool = await fillPool(ctx, ranking, filter, Math.max(want, setting.poolSize));
  const normal = pageOf(pool.slice(0, want), page, diversity);
  const m = Math.min(Math.max(setting.poolSize, want), pool.length);
  const position = new Map(pool.map((p, k) => [p.ranked, k]));
  const drawn = exploreList(normal.map((p) => position.get(p.ranked)!), m, setting.rate, Math.random);
  const results: RecommendationList = drawn.shown.map((x, r) => new RankedResult(pool[x].candidate, pool[x].ranked, r + 1));
  results.exploration = {
    propensities: drawn.propensities,
    pool: pool.slice(0, m).map((p) => p.ranked.itemId),
    model: normal[0]?.ranked.model ?? null,
  };
  return results;
}

// One result. A class rather than an object literal with a `get cursor()`:
// V8 gives each literal whose getter is a new closure a dictionary-mode
// object of its own, so every result was slow to build and every field read
// from it (item, score, …) a hash lookup. `cursor` is still computed only
// when a client selects it; `reasons` is a method (pageService copies both
// explicitly when it re-ranks a rail).
class RankedResult implements RecommendationResult {
  readonly item: ItemRow;
  readonly score: number;
  readonly strategy: StrategyName;
  readonly model: string | null;
  impressionId = "";
  private explained: ReasonValue[] | Promise<ReasonValue[]> | undefined = undefined;

  constructor(private readonly candidate: CandidateItem, private readonly ranked: Ranked, readonly rank: number) {
    this.item = candidate.item;
    this.score = ranked.score;
    this.strategy = ranked.strategy;
    this.model = ranked.model;
  }

  get cursor(): string {
    return encodeCursor("rec", this.rank);
  }

  reasons(): ReasonValue[] | Promise<ReasonValue[]> {
    return (this.explained ??= this.ranked.explain(this.candidate, this.ranked));
  }
}

async function excludedItemIds(ctx: ServiceContext, filter: CheckedFilter, seen: ReadonlySet<number> | readonly number[]): Promise<ReadonlySet<number>> {
  if (filter.excludeItems.length === 0) return filter.excludeSeen ? (seen instanceof Set ? seen : new Set(seen)) : NOTHING_EXCLUDED;
  const excluded = new Set<number>(filter.excludeSeen ? seen : []);
  const rows = await ctx.loaders.itemByExternalId.loadMany(filter.excludeItems);
  for (const row of rows) if (row && !(row instanceof Error)) excluded.add(row.id);
  return excluded;
}

const NOTHING_EXCLUDED: ReadonlySet<number> = new Set();

// The items of a user's history, as a set, built once per history: a warm
// user's rows are the same array from the user state cache until their next
// write (which replaces it), so the set lives as long as that array does.
const seenSets = new WeakMap<readonly InteractionRow[], ReadonlySet<number>>();

function seenItemIds(rows: readonly InteractionRow[]): ReadonlySet<number> {
  let seen = seenSets.get(rows);
  if (seen === undefined) {
    const set = new Set<number>();
    for (const r of rows) set.add(r.itemId);
    seenSets.set(rows, (seen = set));
  }
  return seen;
}

// Whether the scores rank anything the user may be shown: some positive
// evidence for evidence-sum models, otherwise scores that are not all equal
// (a constant vector would rank by index, which is no ranking).
function hasSignalFor(served: ServedModel, scores: Float32Array, excluded: ReadonlySet<number>): boolean {
  const evidence = findServingAlgorithm(served.name)?.evidenceScores ?? false;
  let first: number | undefined;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!Number.isFinite(s) || excluded.has(served.itemIds[i])) continue;
    if (evidence) {
      if (s > 0) return true;
    } else if (first === undefined) first = s;
    else if (s !== first) return true;
  }
  return false;
}

// Argument errors before any statement is sent (resolvers call it before loading the user).
export function checkRecommendArgs(args: RecommendArgs): void {
  const page = checkPage(args.first, args.after);
  checkRecommendationFilter(args.filter);
  checkDiversityDepth(page, checkDiversity(args.diversity), args.after);
}

// MMR re-ranking is quadratic in the depth of the page: keep diversified
// lists to the first MAX_DIVERSE_DEPTH results, where it is meant to be used.
const MAX_DIVERSE_DEPTH = 500;

function checkDiversityDepth(page: Page, diversity: number, after: string | null | undefined): void {
  if (diversity > 0 && page.offset + page.limit > MAX_DIVERSE_DEPTH) {
    throw new BadUserInputError("after", after, `with diversity > 0 a list can be paged to its first ${MAX_DIVERSE_DEPTH} results`);
  }
}

// `user` null: the id is unknown (answered, not an error), or none was
// given (an anonymous session). `surface` labels the fallback counter (the
// dashboard and page rails call this too). `session`: database ids of the
// items of the current session, oldest first (upNext's context; read by
// sequence-aware models, and excluded like seen items). `pinned`: exactly
// this model version serves (an experiment arm naming one), whatever the
// strategy's active model is.
export async function recommend(
  ctx: ServiceContext,
  user: UserRow | null,
  userId: string | null,
  args: RecommendArgs,
  surface: FallbackSurface = "recommendations",
  session: readonly number[] = [],
  pinned?: ServedModel,
): Promise<RecommendationList> {
  const page = checkPage(args.first, args.after);
  const filter = checkRecommendationFilter(args.filter);
  const diversity = checkDiversity(args.diversity);
  checkDiversityDepth(page, diversity, args.after);
  const requested = args.strategy ?? "HYBRID";
  const store = modelStoreOf(ctx.db);
  const epoch = userStateCacheOf(ctx.db)?.epoch;
  const rows = user ? await recommendationLoadersOf(ctx).historyByUserId.load(user.id) : [];
  const seen = seenItemIds(rows);
  const excluded = await excludedItemIds(ctx, filter, session.length > 0 ? [...seen, ...session] : seen);

  // Popularity personalises nothing, so it has no cold start: the user
  // checks apply to the models that do.
  let ranking: Ranking | undefined;
  let why: string | undefined;
  const { served, strategy, fallback } = pinned ? { served: pinned, strategy: strategyOfModel(pinned.name), fallback: undefined } : modelForStrategy(store, requested);
  if (!served || strategy === "POPULAR") why = undefined;
  else if (!user && session.length === 0) why = userId === null ? "no user and an empty session" : `unknown user ${JSON.stringify(userId)}`;
  else if (rows.length === 0 && session.length === 0) why = "the user has no interactions yet";
  else {
    const list =
      session.length > 0 || !user
        ? modelList(served, sessionHistory(served, user, rows, session), excluded, CACHED_DEPTH)
        : cachedModelList(ctx, served, user.id, rows, filter, excluded, epoch);
    if (list?.empty) why = `${strategy} knows none of the items ${session.length > 0 ? "of the session" : "the user interacted with"} yet`;
    else if (!list) why = `${strategy} was trained before the user's first interaction`;
    else if (!list.hasSignal) why = `${strategy} has no signal for this user yet`;
    else ranking = modelRanking(served, strategy, list, excluded, popularRanking(ctx, store, excluded, undefined, fallback), fallback);
  }
  ranking ??= popularRanking(ctx, store, excluded, why, fallback);
  const want = page.offset + page.limit + (diversity > 0 ? 2 * page.limit : 0);
  // Exploration (setExploration) applies to the first page of its surfaces;
  // a map lookup when it is off, and no deeper pool.
  const exploring = page.offset === 0 && (surface === "recommendations" || surface === "upNext") ? explorationSettingsOf(ctx.db).exploring(surface) : undefined;
  const results = exploring
    ? await exploreFirstPage(ctx, ranking, filter, page, diversity, want, exploring)
    : toResults(await fillPool(ctx, ranking, filter, want), page, diversity);
  countFallback(fallback, surface);
  return results;
}

export type SimilarityMethodName = "CONTENT" | "COLLABORATIVE" | "EMBEDDING";

const METHOD_MODELS: Readonly<Record<SimilarityMethodName, readonly string[]>> = {
  COLLABORATIVE: ["item-knn"],
  CONTENT: ["content"],
  // Cosine between the item factors of the active factor model.
  EMBEDDING: ["ials", "bpr", "svd"],
};

// The strategy whose models serve each method (what Recommendation.strategy
// and a Fallback's `requested` say).
export const METHOD_STRATEGY: Readonly<Record<SimilarityMethodName, StrategyName>> = {
  COLLABORATIVE: "ITEM_KNN",
  CONTENT: "CONTENT",
  EMBEDDING: "MATRIX_FACTORIZATION",
};

export async function similarItems(
  ctx: ServiceContext,
  item: ItemRow,
  args: { method?: SimilarityMethodName | null; first?: number | null; filter?: RecommendationFilterInput | null },
  surface: FallbackSurface = "similarItems",
): Promise<RecommendationResult[]> {
  const page = checkPage(args.first, null);
  const filter = checkRecommendationFilter(args.filter);
  const method = args.method ?? "COLLABORATIVE";
  const store = modelStoreOf(ctx.db);
  const excluded = await excludedItemIds(ctx, filter, [item.id]);
  const sourceFeatures = () => ctx.loaders.featuresByItemId.load(item.id);

  // The method's own model, then CONTENT, then popular items. Without a
  // model of its own the method falls back (Fallback); a model that does
  // not know the item hands over to the next with a ColdStart.
  const own = METHOD_MODELS[method];
  const chain = [...own, ...(method === "CONTENT" ? [] : METHOD_MODELS.CONTENT)];
  const usable = (name: string) => (store.get(name)?.model.similarItems ? store.get(name) : undefined);
  let fallback: FallbackReason | undefined;
  if (!own.some(usable)) {
    const standIn = chain.find(usable);
    fallback = { __typename: "Fallback", requested: METHOD_STRATEGY[method], served: standIn ? strategyOfModel(standIn) : "POPULAR", why: missingModelsWhy(store, own, "has no item similarities") };
  }
  const tail: ReasonValue[] = fallback ? [fallback] : [];
  const shared = async (c: CandidateItem, note: ReasonValue[]) => [...note, ...sharedFeatureReasons(await sourceFeatures(), c.features, MAX_EVIDENCE), ...tail];

  let why: string | undefined;
  let ranking: Ranking | undefined;
  for (const name of chain) {
    const served = usable(name);
    if (!served) continue;
    const index = served.items.index(String(item.id));
    if (index === undefined) {
      why ??= `the item is newer than the ${name} model`;
      continue;
    }
    const similar = served.model.similarItems!.bind(served.model);
    const strategy = strategyOfModel(name);
    const model = modelLabel(served);
    // Another of the method's own models serving is no news to the client.
    const note = why && !own.includes(name) ? [{ __typename: "ColdStart" as const, why }] : [];
    ranking = async (n) =>
      similar(index, n + excluded.size)
        .filter((s) => !excluded.has(served.itemIds[s.item]))
        .slice(0, n)
        .map((s) => ({ itemId: served.itemIds[s.item], score: s.score, strategy, model, explain: (c) => shared(c, note) }));
    if ((await ranking(1)).length > 0) break;
    ranking = undefined;
    why ??= `the ${name} model has no neighbours for this item`;
  }
  ranking ??= popularRanking(ctx, store, excluded, why, fallback);
  const pool = await fillPool(ctx, ranking, filter, page.offset + page.limit);
  const results = toResults(pool, page, 0);
  countFallback(fallback, surface);
  return results;
}

export async function similarUsers(ctx: ServiceContext, user: UserRow | null, first: number | null | undefined): Promise<{ user: UserRow; score: number }[]> {
  const { limit } = checkPage(first, null);
  const served = modelStoreOf(ctx.db).get("user-knn");
  const index = user && served ? served.users.index(String(user.id)) : undefined;
  if (!served?.model.similarUsers || index === undefined) return [];
  const similar = served.model.similarUsers(index, limit);
  const users = await ctx.loaders.userById.loadMany(similar.map((s) => Number(served.users.id(s.item))));
  // Users deleted since training are left out.
  return similar.flatMap((s, k) => {
    const row = users[k];
    return row && !(row instanceof Error) ? [{ user: row, score: s.score }] : [];
  });
}

export interface RatingPredictionResult {
  item: ItemRow;
  rating: number;
  model: ServedModel;
  coldStart: { why: string } | null;
}

// From an explicit-rating model: `svd`, `baseline`, or a kNN model trained on ratings.
export async function predictRating(ctx: ServiceContext, user: UserRow | null, userId: string, item: ItemRow): Promise<RatingPredictionResult | null> {
  const store = modelStoreOf(ctx.db);
  const served = ["svd", "baseline", "item-knn", "user-knn"].map((n) => store.get(n)).find((m) => m?.training.explicit && m.model.predict);
  if (!served) return null;
  const model = served.model;
  const i = served.items.index(String(item.id));
  const rows = user ? await recommendationLoadersOf(ctx).historyByUserId.load(user.id) : [];
  const history = user ? historyOf(served, user.id, rows) : undefined;
  const scale = served.training.ratingScale;
  // A history-only model knows no user: everyone is folded in from their ratings.
  const historyOnly = findServingAlgorithm(served.name)?.historyOnly ?? false;
  const why = !user
    ? `unknown user ${JSON.stringify(userId)}`
    : i === undefined
      ? "the item is newer than the model"
      : historyOnly
        ? history?.items.length === 0 ? "the user has no ratings yet" : undefined
        : history?.user === undefined ? "the user is newer than the model" : undefined;
  let rating: number;
  if (i !== undefined && history && history.items.length > 0 && model.scoreHistory && (historyOnly || history.user === undefined)) {
    rating = clipToScale(model.scoreHistory(history)[i], scale); // folded in from the ratings given since
  } else {
    rating = model.predict!(history?.user ?? -1, i ?? -1);
  }
  return { item, rating, model: served, coldStart: why ? { why } : null };
}

export type PopularWindowName = "DAY" | "WEEK" | "MONTH" | "YEAR" | "ALL_TIME";
const WINDOW_DAYS: Readonly<Record<PopularWindowName, number | undefined>> = { DAY: 1, WEEK: 7, MONTH: 30, YEAR: 365, ALL_TIME: undefined };

export async function popular(
  ctx: ServiceContext & { now: Date },
  args: { kind?: ItemRow["kind"] | null; window?: PopularWindowName | null; first?: number | null; filter?: RecommendationFilterInput | null },
): Promise<RecommendationResult[]> {
  const { limit } = checkPage(args.first, null);
  const filter = checkRecommendationFilter(args.filter);
  const window = args.window ?? "ALL_TIME";
  const days = WINDOW_DAYS[window];
  // A filter (a page's "trending in Comedy" rail) keeps fewer: read deeper.
  const depth = filter.narrows ? Math.max(limit * 20, 500) : limit;
  const rows = await popularItems(
    ctx.db,
    { ...(args.kind ? { kinds: [args.kind] } : {}), ...(days ? { since: new Date(ctx.now.getTime() - days * 86_400_000) } : {}), limit: depth },
    lowestPositive(ctx),
  );
  const reasons = (): ReasonValue[] => [{ __typename: "Popular", window }];
  const ranking: Ranking = async (n) => rows.slice(0, n).map((r) => ({ itemId: r.itemId, score: r.users, strategy: "POPULAR", model: null, explain: reasons }));
  const pool = await fillPool(ctx, ranking, filter, limit);
  return toResults(pool, { offset: 0, limit }, 0);
}

export function activeModels(ctx: ServiceContext): ServedModel[] {
  return modelStoreOf(ctx.db).all();
}
