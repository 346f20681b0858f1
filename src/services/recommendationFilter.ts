// RecommendationFilter: validated once (contradictions are BAD_USER_INPUT
// naming the field), then applied to candidate items in memory.
import type { CandidateItem } from "../db/trainingDataRepository";
import type { ItemKindName } from "../importers/CatalogData";
import { BadUserInputError } from "../graphql/errors";
import { checkIdList, checkText } from "./validation";

interface FeatureKey {
  facet: string;
  value: string;
}

export interface RecommendationFilterInput {
  kinds?: ItemKindName[] | null;
  features?: { any?: FeatureKey[] | null; all?: FeatureKey[] | null; none?: FeatureKey[] | null } | null;
  releaseYear?: { from?: number | null; to?: number | null } | null;
  excludeSeen?: boolean | null;
  excludeItems?: string[] | null;
}

export interface CheckedFilter {
  kinds?: ReadonlySet<ItemKindName>;
  any?: ReadonlySet<string>;
  all?: ReadonlySet<string>;
  none?: ReadonlySet<string>;
  yearFrom?: number;
  yearTo?: number;
  excludeSeen: boolean;
  excludeItems: readonly string[];
  // Whether anything but exclusions narrows the candidates.
  narrows: boolean;
}

const MAX_FEATURES = 50;
const MAX_EXCLUDED = 1000;
const key = (f: FeatureKey) => `${f.facet}\u0000${f.value}`;

function featureSet(argument: string, list: FeatureKey[] | null | undefined): Set<string> | undefined {
  if (list == null) return undefined;
  if (list.length > MAX_FEATURES) throw new BadUserInputError(argument, `${list.length} features`, `at most ${MAX_FEATURES}`);
  // Matched in memory, but bounded and storable like the features upsertItems accepts.
  list.forEach((f, i) => {
    checkText(`${argument}[${i}].facet`, f.facet, 100, true);
    checkText(`${argument}[${i}].value`, f.value, 500, true);
  });
  return new Set(list.map(key));
}

// No filter given: one answer for every request (frozen: nothing may change it).
const NO_FILTER: CheckedFilter = Object.freeze({ excludeSeen: true, excludeItems: Object.freeze([] as string[]), narrows: false });

export function checkRecommendationFilter(filter: RecommendationFilterInput | null | undefined, argument = "filter"): CheckedFilter {
  if (filter == null) return NO_FILTER;
  const f = filter;
  if (f.kinds != null && f.kinds.length === 0) throw new BadUserInputError(`${argument}.kinds`, f.kinds, "must not be empty (it would match nothing)");
  const any = featureSet(`${argument}.features.any`, f.features?.any);
  const all = featureSet(`${argument}.features.all`, f.features?.all);
  const none = featureSet(`${argument}.features.none`, f.features?.none);
  if (any && any.size === 0) throw new BadUserInputError(`${argument}.features.any`, [], "must not be empty (it would match nothing)");
  const both = (f.features?.all ?? []).filter((x) => none?.has(key(x)));
  if (both.length > 0) throw new BadUserInputError(`${argument}.features`, both[0], "the same feature is in both all and none");
  const anyOnlyExcluded = any && none && [...any].every((k) => none.has(k));
  if (anyOnlyExcluded) throw new BadUserInputError(`${argument}.features`, f.features?.any, "every feature of any is also in none");
  const from = f.releaseYear?.from ?? undefined;
  const to = f.releaseYear?.to ?? undefined;
  if (from !== undefined && to !== undefined && from > to) throw new BadUserInputError(`${argument}.releaseYear`, f.releaseYear, "from is after to");
  const excludeItems = f.excludeItems ?? [];
  // Looked up by external id in SQL: each must be a storable id (no NUL).
  checkIdList(`${argument}.excludeItems`, excludeItems, MAX_EXCLUDED);
  const kinds = f.kinds != null ? new Set(f.kinds) : undefined;
  return {
    ...(kinds ? { kinds } : {}),
    ...(any ? { any } : {}),
    ...(all && all.size > 0 ? { all } : {}),
    ...(none && none.size > 0 ? { none } : {}),
    ...(from !== undefined ? { yearFrom: from } : {}),
    ...(to !== undefined ? { yearTo: to } : {}),
    excludeSeen: f.excludeSeen ?? true,
    excludeItems,
    narrows: kinds !== undefined || any !== undefined || (all?.size ?? 0) > 0 || (none?.size ?? 0) > 0 || from !== undefined || to !== undefined,
  };
}

export function matchesFilter(c: CandidateItem, filter: CheckedFilter): boolean {
  if (filter.kinds && !filter.kinds.has(c.item.kind)) return false;
  const year = c.item.releaseYear;
  if (filter.yearFrom !== undefined && (year === null || year < filter.yearFrom)) return false;
  if (filter.yearTo !== undefined && (year === null || year > filter.yearTo)) return false;
  if (filter.any || filter.all || filter.none) {
    const has = new Set(c.features.map(key));
    if (filter.any && ![...filter.any].some((k) => has.has(k))) return false;
    if (filter.all && ![...filter.all].every((k) => has.has(k))) return false;
    if (filter.none && [...filter.none].some((k) => has.has(k))) return false;
  }
  return true;
}
