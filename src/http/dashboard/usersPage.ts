// /dashboard/users: one user's recent history beside their top 10
// recommendations with reasons, for a strategy chosen on the page. Both come
// from the services the GraphQL API uses (userInteractions, recommend), with
// the same per-request loaders, so the page shows what a client would get.
import type { Config } from "../../config";
import type { Database } from "../../db/Database";
import type { ItemRow } from "../../db/rows";
import { mostActiveUsers } from "../../db/dashboardRepository";
import { createLoaders } from "../../loaders/createLoaders";
import { userInteractions } from "../../services/interactionService";
import { recommend, type ReasonValue } from "../../services/recommendationService";
import type { ServiceContext } from "../../services/ServiceContext";
import { STRATEGY_MODELS, type StrategyName } from "../../serving/servingAlgorithms";
import { formatDate, html, type Html } from "./html";

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

function reasonText(reason: ReasonValue, items: Map<number, ItemRow | null>): Html {
  switch (reason.__typename) {
    case "BecauseYouInteracted":
      return html`Because you interacted with <strong>${items.get(reason.itemId)?.title ?? `item #${reason.itemId}`}</strong> <span class="muted">(similarity ${reason.weight.toFixed(2)})</span>`;
    case "SharedFeature":
      return html`Shares ${reason.feature.facet} <strong>${reason.feature.value}</strong> with your history`;
    case "SimilarUsersLiked":
      return html`${reason.count} similar users liked it`;
    case "Popular":
      return html`Popular${reason.window ? html` <span class="muted">(${reason.window.toLowerCase().replace("_", " ")})</span>` : ""}`;
    case "ColdStart":
      return html`Not personalised: ${reason.why}`;
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
    recommend(ctx, user, userId, { first: RECOMMENDATIONS_SHOWN, strategy }),
  ]);
  const reasons = await Promise.all(recommendations.map((r) => r.reasons()));
  // Every item the page names, in one batch.
  const ids = new Set<number>([
    ...(history?.nodes.map((n) => n.itemId) ?? []),
    ...reasons.flat().flatMap((r) => (r.__typename === "BecauseYouInteracted" ? [r.itemId] : [])),
  ]);
  const loaded = await ctx.loaders.itemById.loadMany([...ids]);
  const items = new Map<number, ItemRow | null>([...ids].map((id, k) => [id, loaded[k] instanceof Error ? null : (loaded[k] as ItemRow | null)]));
  const total = history ? await history.totalCount : 0;

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
  <table><thead><tr><th class="num">#</th><th>Item</th><th>Served by</th><th class="num">Score</th><th>Why</th></tr></thead><tbody>
  ${recommendations.map((r, k) => html`<tr data-recommendation>
    <td class="num">${r.rank}</td><td>${itemCell(r.item, r.item.id)}</td><td>${r.strategy}</td><td class="num">${r.score.toPrecision(3)}</td>
    <td><ul class="reasons">${reasons[k].map((reason) => html`<li data-reason="${reason.__typename}">${reasonText(reason, items)}</li>`)}</ul></td>
  </tr>`)}
  </tbody></table>
</section>`;
  return {
    status: user ? 200 : 404,
    body: html`${notices}${form({ ...query, userId }, strategy)}${picker}
<h2>User <span data-user>${userId}</span></h2>
${tabs}
<div class="grid explorer-columns">${historyPanel}${recommendationPanel}</div>`,
  };
}
