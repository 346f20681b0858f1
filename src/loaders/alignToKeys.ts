// DataLoader's contract: a batch function returns one result per key, same
// length and order. Rows come back from SQL in any order; this lines them up.
export function alignToKeys<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const byKey = new Map<K, R>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

// The same for one-to-many: every key gets the (possibly empty) list of its rows.
export function groupByKeys<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const byKey = new Map<K, R[]>();
  for (const key of keys) byKey.set(key, []);
  for (const row of rows) byKey.get(keyOf(row))?.push(row);
  return keys.map((key) => byKey.get(key)!);
}
