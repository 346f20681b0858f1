// /dashboard/users: one user's recent history beside their top 10
// recommendations with reasons, for a strategy chosen on the page. Both come
// from the services the GraphQL API uses (userInteractions, recommend), with
// the same per-request loaders, so the page shows what a client would get.
import type { Config } from "../../config";
import type { Database } from "../../db/Database";
import type { ItemRow } from "../../db/rows";
import { interactionsWithItems, mostActiveUsers, type UserItemInteractionRow } from "../../db/dashboardRepository";
import type { InteractionTypeName } from "../../importers/CatalogData";
import { createLoaders } from "../../loaders/createLoaders";
import { userInteractions } from "../../services/interactionService";
import { recommend, type ReasonValue } from "../../services/recommendationService";
import type { ServiceContext } from "../../services/ServiceContext";
import { STRATEGY_MODELS, type StrategyName } from "../../serving/servingAlgorithms";
import { formatDate, formatNumber, html, trusted, type Html } from "./html";

export const STRATEGIES = Object.keys(STRATEGY_MODELS) as StrategyName[];
export const HISTORY_SHOWN = 20;
export const RECOMMENDATIONS_SHOWN = 10;
const PICKER_USERS = 12;

export interface ExplorerQuery {
  userId: string;
  strategy: string;
}

function isStrategy(value: string): value is StrategyName {
  return (STRATEGIES as string[]).includes(value);
}

function itemCell(item: ItemRow | null | undefined, fallbackId: number): Html {
  if (!item) return html`<span class="muted">item #${fallbackId}</span>`;
  return html`<span class="badge kind">${item.kind.toLowerCase()}</span> <span data-title>${item.title}</span>${item.releaseYear !== null ? html` <span class="muted">(${item.releaseYear})</span>` : ""}`;
}

// What the user did with an item, in the words of the reason; a rating
// first, as the most telling, then the other kinds by how much they say.
const VERBS: [InteractionTypeName, string][] = [
  ["RATING", "rated"], ["PURCHASE", "bought"], ["PLAY", "played"], ["LIKE", "liked"], ["VIEW", "viewed"], ["SKIP", "skipped"], ["DISLIKE", "disliked"],
];

function didWith(rows: readonly UserItemInteractionRow[] | undefined): Html {
  for (const [type, verb] of VERBS) {
    const row = rows?.find((r) => r.type === type);
    if (!row) continue;
    if (type === "RATING") return html`${verb}`;
    const times = rows!.filter((r) => r.type === type).length;
    return html`${verb}${times > 1 ? ` (${times} times)` : ""}`;
  }
  return html`interacted with`;
}

// BecauseYouInteracted.weight is on the scale of the model that served the
// list (an item-kNN similarity in 0..1, an EASE regression weight of a few
// hundredths, a cosine of latent factors), so the number alone tells a reader
// nothing. Shown instead: what the user did with that item, and its share of
// the weight of the items this recommendation names; the raw weight stays in
// the tooltip.
function becauseText(reason: Extract<ReasonValue, { __typename: "BecauseYouInteracted" }>, items: Map<number, ItemRow | null>, context: ReasonContext): Html {
  const title = items.get(reason.itemId)?.title ?? `item #${reason.itemId}`;
  const rows = context.interactions.get(reason.itemId);
  const rating = rows?.find((r) => r.type === "RATING");
  const share = context.becauseTotal > 0 ? Math.max(0, reason.weight) / context.becauseTotal : 0;
  const percent = Math.round(share * 100);
  return html`Because you ${didWith(rows)} <strong>${title}</strong>${rating ? html` <span class="muted">${formatNumber(rating.value, Number.isInteger(rating.value) ? 0 : 1)}/${formatNumber(context.ratingMax, Number.isInteger(context.ratingMax) ? 0 : 1)}</span>` : ""}
    <span class="strength" data-share="${percent}" title="${`${percent}% of the weight of the items named for this recommendation; the model's own weight is ${reason.weight.toPrecision(3)}`}">${shareBar(share)} ${percent}%</span>`;
}

// A small bar for a share in 0..1; SVG attributes, as the page's
// Content-Security-Policy allows no inline style.
function shareBar(share: number): Html {
  const width = Math.round(Math.max(0, Math.min(1, share)) * 100);
  return trusted(`<svg class="share" viewBox="0 0 100 8" width="48" height="8" aria-hidden="true"><rect class="track" width="100" height="8" rx="2"/><rect class="fill" width="${width}" height="8" rx="2"/></svg>`);
}

interface ReasonContext {
  // The user's interactions with the items the reasons name.
  interactions: Map<number, UserItemInteractionRow[]>;
  // Sum of the weights of this recommendation's BecauseYouInteracted reasons.
  becauseTotal: number;
  // The top of the rating scale, to show a rating as "4/5".
  ratingMax: number;
}

function reasonText(reason: ReasonValue, items: Map<number, ItemRow | null>, context: ReasonContext): Html {
  switch (reason.__typename) {
    case "BecauseYouInteracted":
      return becauseText(reason, items, context);
    case "BecauseYouJustInteracted": {
      const title = items.get(reason.itemId)?.title ?? `item #${reason.itemId}`;
      return html`Comes next after <strong>${title}</strong>, which you just ${didWith(context.interactions.get(reason.itemId))}`;
    }
    case "SharedFeature":
      return html`Shares ${reason.feature.facet} <strong>${reason.feature.value}</strong> with your history`;
    case "SimilarUsersLiked":
      return html`${reason.count} similar users liked it`;
    case "Popular":
      return html`Popular${reason.window ? html` <span class="muted">(${reason.window.toLowerCase().replace("_", " ")})</span>` : ""}`;
    case "ColdStart":
      return html`Not personalised: ${reason.why}`;
    case "Fallback":
      // The same for every row; the panel says it in full once.
      return html`<span class="badge fallback" title="${reason.why}">fallback</span> ${reason.requested} served by ${reason.served}`;
  }
}

function form(query: ExplorerQuery, strategy: StrategyName): Html {
  return html`<form class="panel explorer" method="get" action="/dashboard/users">
  <label>User id <input type="text" name="user" value="${query.userId}" required maxlength="200"></label>
  <label>Strategy <select name="strategy">${STRATEGIES.map((s) => html`<option value="${s}"${s === strategy ? html` selected` : ""}>${s}</option>`)}</select></label>
  <button class="primary" type="submit">Show</button>
</form>`;
}

export async function usersBody(db: Database, config: Config, query: ExplorerQuery): Promise<{ status: number; body: Html }> {
  const notices: Html[] = [];
  let strategy: StrategyName = "HYBRID";
  if (isStrategy(query.strategy)) strategy = query.strategy;
  else if (query.strategy !== "") notices.push(html`<div class="notice error" data-error>Unknown strategy "${query.strategy}"; showing HYBRID. Strategies: ${STRATEGIES.join(", ")}.</div>`);
  const active = await mostActiveUsers(db, PICKER_USERS);
  const picker = html`<section class="panel"><h2>Most active users</h2><div class="tabs">${active.map((u) =>
    html`<a href="/dashboard/users?user=${encodeURIComponent(u.externalId)}&amp;strategy=${strategy}"${u.externalId === query.userId ? html` aria-current="true"` : ""}>${u.externalId} <span class="muted">${u.interactions}</span></a>`)}</div></section>`;
  const userId = query.userId.trim();
  if (userId === "") {
    return { status: 200, body: html`${notices}${form(query, strategy)}${picker}<p class="muted">Pick a user to see their history beside their recommendations.</p>` };
  }
  if (userId.length > 200) {
    return { status: 400, body: html`<div class="notice error" data-error>A user id has at most 200 characters; got ${userId.length}.</div>${form({ ...query, userId: "" }, strategy)}${picker}` };
  }

  const ctx: ServiceContext = { db, config, loaders: createLoaders(db) };
  const user = await ctx.loaders.userByExternalId.load(userId);
  if (!user) notices.push(html`<div class="notice error" data-error>No user with id "${userId}". The recommendations below are what the API answers for an unknown user.</div>`);
  const [history, recommendations] = await Promise.all([
    user ? userInteractions(ctx, user, { first: HISTORY_SHOWN }) : undefined,
    recommend(ctx, user, userId, { first: RECOMMENDATIONS_SHOWN, strategy }, "dashboard"),
  ]);
  const reasons = await Promise.all(recommendations.map((r) => r.reasons()));
  // Every item the page names, in one batch.
  const ids = new Set<number>([
    ...(history?.nodes.map((n) => n.itemId) ?? []),
    ...reasons.flat().flatMap((r) => (r.__typename === "BecauseYouInteracted" || r.__typename === "BecauseYouJustInteracted" ? [r.itemId] : [])),
  ]);
  const becauseIds = [...new Set(reasons.flat().flatMap((r) => (r.__typename === "BecauseYouInteracted" || r.__typename === "BecauseYouJustInteracted" ? [r.itemId] : [])))];
  const [loaded, withItems] = await Promise.all([
    ctx.loaders.itemById.loadMany([...ids]),
    user ? interactionsWithItems(db, user.id, becauseIds) : [],
  ]);
  const items = new Map<number, ItemRow | null>([...ids].map((id, k) => [id, loaded[k] instanceof Error ? null : (loaded[k] as ItemRow | null)]));
  const interactions = new Map<number, UserItemInteractionRow[]>();
  for (const row of withItems) interactions.set(row.itemId, [...(interactions.get(row.itemId) ?? []), row]);
  const contextOf = (k: number): ReasonContext => ({
    interactions,
    ratingMax: config.ratingScale.max,
    becauseTotal: reasons[k].reduce((sum, r) => sum + (r.__typename === "BecauseYouInteracted" && r.weight > 0 ? r.weight : 0), 0),
  });
  const total = history ? await history.totalCount : 0;
  const fallback = reasons.flat().find((r): r is Extract<ReasonValue, { __typename: "Fallback" }> => r.__typename === "Fallback");

  const tabs = html`<div class="tabs">${STRATEGIES.map((s) =>
    html`<a href="/dashboard/users?user=${encodeURIComponent(userId)}&amp;strategy=${s}"${s === strategy ? html` aria-current="true"` : ""}>${s}</a>`)}</div>`;
  const historyPanel = html`<section class="panel" data-history>
  <h2>History <span class="muted">(${history?.nodes.length ?? 0} most recent of ${total})</span></h2>
  ${!history || history.nodes.length === 0
    ? html`<p class="muted">No interactions.</p>`
    : html`<table><thead><tr><th>Item</th><th>Type</th><th class="num">Value</th><th>When</th></tr></thead><tbody>
      ${history.nodes.map((n) => html`<tr data-history-item><td>${itemCell(items.get(n.itemId), n.itemId)}</td><td>${n.type.toLowerCase()}</td><td class="num">${n.value}</td><td>${formatDate(n.occurredAt)}</td></tr>`)}
    </tbody></table>`}
</section>`;
  const recommendationPanel = html`<section class="panel" data-recommendations>
  <h2>Top ${RECOMMENDATIONS_SHOWN} for ${strategy}</h2>
  ${fallback ? html`<div class="notice warning" data-fallback>${fallback.requested} is served by <strong>${fallback.served}</strong>: ${fallback.why}.</div>` : ""}
  <table><thead><tr><th class="num">#</th><th>Item</th><th>Served by</th><th class="num">Score</th><th>Why</th></tr></thead><tbody>
  ${recommendations.map((r, k) => html`<tr data-recommendation>
    <td class="num">${r.rank}</td><td>${itemCell(r.item, r.item.id)}</td><td>${r.strategy}</td><td class="num">${r.score.toPrecision(3)}</td>
    <td><ul class="reasons">${reasons[k].map((reason) => html`<li data-reason="${reason.__typename}">${reasonText(reason, items, contextOf(k))}</li>`)}</ul></td>
  </tr>`)}
  </tbody></table>
  ${reasons.some((list) => list.some((r) => r.__typename === "BecauseYouInteracted"))
    ? html`<p class="muted" data-because-note>"Because you …": an item of this user's history that the model links to the recommended one. The percentage is that item's share of the weight of the items named for the recommendation, so the longest bar is the strongest link. The models' own weights (hover for them) are on different scales, an item-kNN similarity between 0 and 1, an EASE weight of a few hundredths, and are not comparable across strategies.</p>`
    : ""}
</section>`;
  return {
    status: user ? 200 : 404,
    body: html`${notices}${form({ ...query, userId }, strategy)}${picker}
<h2>User <span data-user>${userId}</span></h2>
${tabs}
<div class="grid explorer-columns">${historyPanel}${recommendationPanel}</div>`,
  };
}
