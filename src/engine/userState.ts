// What a fitted model keeps about each user it was trained on. Every
// serialized model declares it (SerializedModel.userState), so export and
// deletion of a user (src/db/privacyRepository.ts) cover every algorithm by
// construction: an array that holds a row per training user and is not
// declared here would be a privacy defect, and test/engine/algorithms/
// userState.test.ts fails for any servable algorithm whose undeclared arrays
// grow with the number of users.
//
// Shared, item-side state (item factors, item-item weights, popularity,
// global and item biases) is an aggregate over all users and is not per-user
// state; it is refreshed at the next training.
export interface UserStateLayout {
  // Fixed-width rows per user: array key -> values per user (zeroed on deletion).
  readonly rows?: Readonly<Record<string, number>>;
  // CSR matrices with one row per user, stored as `<prefix>.indptr|indices|values` (the row is emptied).
  readonly csr?: readonly string[];
  // User x user graphs in the same CSR layout (the user's row is emptied and every entry naming them dropped).
  readonly userGraph?: readonly string[];
}

export const NO_USER_STATE: UserStateLayout = Object.freeze({});

export function hasUserState(layout: UserStateLayout): boolean {
  return Object.keys(layout.rows ?? {}).length + (layout.csr?.length ?? 0) + (layout.userGraph?.length ?? 0) > 0;
}

// The per-user keys of a layout, in a stable order (what an export lists).
export function userStateKeys(layout: UserStateLayout): string[] {
  return [...Object.keys(layout.rows ?? {}), ...(layout.csr ?? []), ...(layout.userGraph ?? [])];
}

// The layout of a part stored under `prefix` (a hybrid stores its components' arrays as "<position>.<key>").
export function prefixedUserState(layout: UserStateLayout, prefix: string): UserStateLayout {
  return {
    ...(layout.rows ? { rows: Object.fromEntries(Object.entries(layout.rows).map(([k, w]) => [`${prefix}${k}`, w])) } : {}),
    ...(layout.csr ? { csr: layout.csr.map((k) => `${prefix}${k}`) } : {}),
    ...(layout.userGraph ? { userGraph: layout.userGraph.map((k) => `${prefix}${k}`) } : {}),
  };
}

export function mergeUserState(layouts: readonly UserStateLayout[]): UserStateLayout {
  const rows: Record<string, number> = {};
  const csr: string[] = [];
  const userGraph: string[] = [];
  for (const l of layouts) {
    Object.assign(rows, l.rows ?? {});
    csr.push(...(l.csr ?? []));
    userGraph.push(...(l.userGraph ?? []));
  }
  return {
    ...(Object.keys(rows).length > 0 ? { rows } : {}),
    ...(csr.length > 0 ? { csr } : {}),
    ...(userGraph.length > 0 ? { userGraph } : {}),
  };
}

// Versions stored before models declared their state: the layout each
// algorithm had then, by its name and meta.
export function legacyUserState(algorithm: string, meta: Readonly<Record<string, unknown>> | undefined): UserStateLayout {
  if (meta?.userData) return meta.userData as UserStateLayout;
  if (meta && typeof meta.userBased === "boolean") {
    return { rows: { userBias: 1 }, csr: ["ratings"], userGraph: meta.userBased ? ["neighbours"] : [] };
  }
  if (meta?.userArrays) return { rows: meta.userArrays as Record<string, number> };
  if (algorithm === "baselineOnly") return { rows: { userBias: 1 } };
  if (algorithm === "contentBased") return { csr: ["ratings"] };
  return NO_USER_STATE;
}
