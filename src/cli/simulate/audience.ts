// A synthetic audience with known tastes, for `npm run simulate`: every
// user has a favourite genre, every item one genre and an appeal, and a
// user who is shown a list clicks by a position-based model (Craswell et
// al., "An experimental comparison of click position-bias models", WSDM
// 2008): the item at rank r is examined with probability examine[r-1],
// and an examined item is clicked with the user's attraction to it. Both
// are known, so the simulation can say what each policy's true CTR is.
//
// The first interactions (the users' histories before anything is served)
// are drawn from the same attractions, so a model that learns "users play
// their genre" is truly better than popularity, which the checks rely on.
import { createRng, type Rng } from "../../engine/random";

export interface AudienceOptions {
  users: number;
  items: number;
  genres: number;
  // Interactions each user has before the simulation serves anything.
  historyPerUser: number;
  seed: number;
}

export interface Audience {
  readonly options: AudienceOptions;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  // Genre of each item, favourite genre of each user (dense indices).
  readonly itemGenre: Int32Array;
  readonly userGenre: Int32Array;
  // Appeal of each item, shared by all users (what popularity can learn).
  readonly itemAppeal: Float64Array;
  // Examination probability by rank (index 0 = rank 1).
  readonly examine: readonly number[];
  // Dense index of an external item id.
  readonly itemIndex: ReadonlyMap<string, number>;
  readonly userIndex: ReadonlyMap<string, number>;
}

export const EXAMINE: readonly number[] = [1, 0.85, 0.72, 0.62, 0.54, 0.47, 0.42, 0.38, 0.35, 0.32, 0.3, 0.28, 0.26, 0.25, 0.24, 0.23, 0.22, 0.21, 0.2, 0.2];

export function createAudience(options: AudienceOptions): Audience {
  const rng = createRng(options.seed);
  const userIds = Array.from({ length: options.users }, (_, u) => `sim-u${u}`);
  const itemIds = Array.from({ length: options.items }, (_, i) => `sim-i${i}`);
  const itemGenre = new Int32Array(options.items);
  const itemAppeal = new Float64Array(options.items);
  for (let i = 0; i < options.items; i++) {
    itemGenre[i] = i % options.genres;
    // Appeal spread so that popularity has something to learn too.
    itemAppeal[i] = 0.25 + 0.75 * rng.next();
  }
  const userGenre = new Int32Array(options.users);
  for (let u = 0; u < options.users; u++) userGenre[u] = rng.int(options.genres);
  return {
    options,
    userIds,
    itemIds,
    itemGenre,
    userGenre,
    itemAppeal,
    examine: EXAMINE,
    itemIndex: new Map(itemIds.map((id, i) => [id, i])),
    userIndex: new Map(userIds.map((id, u) => [id, u])),
  };
}

// Probability that user u clicks item i once examined.
export function attraction(a: Audience, u: number, i: number): number {
  const inGenre = a.itemGenre[i] === a.userGenre[u];
  return (inGenre ? 0.6 : 0.04) * a.itemAppeal[i];
}

// Probability of a click on item i shown at `rank` (1-based) to user u.
export function clickProbability(a: Audience, u: number, i: number, rank: number): number {
  return (a.examine[rank - 1] ?? a.examine[a.examine.length - 1]) * attraction(a, u, i);
}

// The clicks of one user on one shown list: the ranks (1-based) clicked.
export function clicksOn(a: Audience, rng: Rng, u: number, items: readonly number[]): number[] {
  const clicked: number[] = [];
  for (let r = 0; r < items.length; r++) if (rng.next() < clickProbability(a, u, items[r], r + 1)) clicked.push(r + 1);
  return clicked;
}

// Each user's first interactions: items drawn without replacement with
// probability proportional to the user's attraction (in time order).
export function histories(a: Audience): { user: number; item: number }[] {
  const rng = createRng(a.options.seed ^ 0x5bd1e995);
  const out: { user: number; item: number }[] = [];
  const weights = new Float64Array(a.options.items);
  for (let u = 0; u < a.options.users; u++) {
    let total = 0;
    for (let i = 0; i < a.options.items; i++) total += weights[i] = attraction(a, u, i);
    const n = Math.min(a.options.historyPerUser, a.options.items);
    for (let k = 0; k < n; k++) {
      let x = rng.next() * total;
      let pick = -1;
      for (let i = 0; i < a.options.items; i++) {
        if (weights[i] <= 0) continue;
        pick = i;
        x -= weights[i];
        if (x <= 0) break;
      }
      if (pick < 0) break;
      total -= weights[pick];
      weights[pick] = 0;
      out.push({ user: u, item: pick });
    }
  }
  return out;
}
