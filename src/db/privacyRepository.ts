// What a trained model version keeps of one user, found and removed.
// A version's "index.users" artifact maps its dense user positions to
// database ids (stored only for models with per-user state); the arrays the
// model declared as per-user state when it was stored (engine/userState.ts,
// `userState` in the version's params) hold their row. deleteUser overwrites
// both in place: the id becomes -1, rows are zeroed, CSR rows emptied and
// user-graph entries naming the user dropped; the version's revision goes up
// so every replica reloads it.
import type { Tx } from "./catalogWriter";
import { decodeArray, joinArtifactParts, joinArtifactsByKey, storedUserState, writeArtifact, type Dtype, type StoredParams, type TypedArray } from "./modelRepository";
import { userStateKeys } from "../engine/userState";

export interface ModelTrace {
  name: string;
  version: number;
  versionId: number;
  // The user's dense position in that version.
  position: number;
  // Other artifacts that hold a row per user.
  userArrays: string[];
}

interface ArtifactRow {
  model_version_id: number;
  name: string;
  version: number;
  part: number;
  data: Uint8Array;
  params: StoredParams | null;
}

type Query = Pick<Tx, "$queryRawUnsafe">;

export async function findModelTraces(tx: Query, userId: number): Promise<ModelTrace[]> {
  const rows = await tx.$queryRawUnsafe<ArtifactRow[]>(
    `SELECT a.model_version_id, v.name, v.version, a.part, a.data, v.params
       FROM model_artifacts a JOIN model_versions v ON v.id = a.model_version_id
      WHERE a.key = 'index.users' ORDER BY v.name, v.version, a.part`,
  );
  const traces: ModelTrace[] = [];
  for (let r = 0; r < rows.length; ) {
    const row = rows[r];
    let end = r + 1;
    while (end < rows.length && rows[end].model_version_id === row.model_version_id) end++;
    const users = decodeArray(joinArtifactParts(rows.slice(r, end)), "int32");
    r = end;
    const position = users.indexOf(userId);
    if (position < 0) continue;
    traces.push({
      name: row.name,
      version: row.version,
      versionId: row.model_version_id,
      position,
      userArrays: userStateKeys(storedUserState(row.params)),
    });
  }
  return traces;
}

type Arrays = Map<string, { data: TypedArray; dtype: Dtype }>;

// Drops row `row` of a CSR matrix and, with `dropColumn`, every entry in that column.
export function withoutUser(
  indptr: Int32Array,
  indices: Int32Array,
  values: TypedArray,
  row: number,
  dropColumn: boolean,
): { indptr: Int32Array; indices: Int32Array; values: TypedArray } {
  const rows = indptr.length - 1;
  const outPtr = new Int32Array(indptr.length);
  const keep: number[] = [];
  for (let r = 0; r < rows; r++) {
    if (r !== row) {
      for (let k = indptr[r]; k < indptr[r + 1]; k++) if (!(dropColumn && indices[k] === row)) keep.push(k);
    }
    outPtr[r + 1] = keep.length;
  }
  const outIdx = new Int32Array(keep.length);
  const outVal = new (values.constructor as { new (n: number): TypedArray })(keep.length);
  keep.forEach((k, i) => {
    outIdx[i] = indices[k];
    outVal[i] = values[k];
  });
  return { indptr: outPtr, indices: outIdx, values: outVal };
}

export async function scrubModelTraces(tx: Tx, userId: number): Promise<ModelTrace[]> {
  const traces = await findModelTraces(tx, userId);
  for (const trace of traces) {
    const [version] = await tx.$queryRawUnsafe<{ params: StoredParams | null }[]>(
      `SELECT params FROM model_versions WHERE id = $1 FOR UPDATE`,
      trace.versionId,
    );
    const dtypes = version.params?.dtypes ?? {};
    const stored = await tx.$queryRawUnsafe<{ key: string; part: number; data: Uint8Array }[]>(`SELECT key, part, data FROM model_artifacts WHERE model_version_id = $1`, trace.versionId);
    const arrays: Arrays = new Map([...joinArtifactsByKey(stored)].map(([key, bytes]) => [key, { data: decodeArray(bytes, dtypes[key] ?? "int32"), dtype: dtypes[key] ?? "int32" }]));
    const changed = new Set<string>();
    const users = arrays.get("index.users")!.data as Int32Array;
    for (let u = 0; u < users.length; u++) if (users[u] === userId) users[u] = -1;
    changed.add("index.users");
    const data = storedUserState(version.params);
    for (const [key, width] of Object.entries(data.rows ?? {})) {
      const entry = arrays.get(`array.${key}`);
      if (!entry) continue;
      entry.data.fill(0, trace.position * width, (trace.position + 1) * width);
      changed.add(`array.${key}`);
    }
    for (const [prefix, dropColumn] of [...(data.csr ?? []).map((p) => [p, false] as const), ...(data.userGraph ?? []).map((p) => [p, true] as const)]) {
      const [ptrKey, idxKey, valKey] = ["indptr", "indices", "values"].map((part) => `array.${prefix}.${part}`);
      const ptr = arrays.get(ptrKey);
      const idx = arrays.get(idxKey);
      const val = arrays.get(valKey);
      if (!ptr || !idx || !val) continue;
      const out = withoutUser(ptr.data as Int32Array, idx.data as Int32Array, val.data, trace.position, dropColumn);
      ptr.data = out.indptr;
      idx.data = out.indices;
      val.data = out.values;
      for (const key of [ptrKey, idxKey, valKey]) changed.add(key);
    }
    for (const key of changed) await writeArtifact(tx, trace.versionId, key, arrays.get(key)!.data);
    await tx.$executeRawUnsafe(`UPDATE model_versions SET revision = revision + 1 WHERE id = $1`, trace.versionId);
  }
  return traces;
}

export interface ExportedInteraction {
  itemId: string;
  itemTitle: string;
  type: string;
  value: number;
  occurredAt: Date;
}

// Every interaction of the user, oldest first (no paging: an export is whole).
export async function interactionsForExport(db: { sql: { query: <T>(sql: string, params?: unknown[]) => Promise<T[]> } }, userId: number): Promise<ExportedInteraction[]> {
  const rows = await db.sql.query<{ item_id: string; title: string; type: string; value: number; occurred_at: Date }>(
    `SELECT it.external_id AS item_id, it.title, i.type::text AS type, i.value, i.occurred_at
       FROM interactions i JOIN items it ON it.id = i.item_id
      WHERE i.user_id = $1 ORDER BY i.occurred_at, it.external_id, i.type`,
    [userId],
  );
  return rows.map((r) => ({ itemId: r.item_id, itemTitle: r.title, type: r.type, value: Number(r.value), occurredAt: new Date(r.occurred_at) }));
}
