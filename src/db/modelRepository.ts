// Trained models in PostgreSQL: one model_versions row per (name, version)
// and one model_artifacts row per typed array, stored as its raw
// little-endian bytes (an array over ARTIFACT_PART_BYTES across several rows,
// parts 0, 1, ..., since PostgreSQL refuses a bytea value over 1 GB); the dtype of every array lives in the version's
// `params` JSON beside the algorithm's own params and meta, and the training
// parameters (effective and as given) under `training`. At most one
// version per name is active; activation happens in a transaction so readers
// never see two or none while it switches.
import os from "node:os";
import type { Database } from "./Database";
import { inTransaction } from "./catalogWriter";
import { Prisma } from "../generated/prisma/client";
import type { SerializedArray, SerializedModel } from "../engine/types";
import type { ChallengeDecision, ChallengeOutcome } from "../serving/challengeDecision";
import { hasUserState, legacyUserState, NO_USER_STATE, userStateKeys, type UserStateLayout } from "../engine/userState";

// uint8: opaque bytes (an ANN index stored with an iALS version).
export type TypedArray = SerializedArray;
export type Dtype = "float32" | "float64" | "int32" | "uint8";

// The dense index of the model: position -> database id.
export interface ModelIndex {
  users: Int32Array;
  items: Int32Array;
  features: Int32Array;
}

export interface ModelVersionRow {
  id: number;
  name: string;
  version: number;
  status: string;
  isActive: boolean;
  algorithm: string;
  // The parameters it was trained with (defaults, serving defaults and the
  // caller's, merged: trainingParams.ts); for a version stored before they
  // were kept, the algorithm's own serialized params.
  params: Record<string, unknown>;
  // The ones the caller set (trainModel's params, npm run train --param).
  givenParams: Record<string, unknown>;
  metrics: Record<string, unknown>;
  dataStats: Record<string, unknown>;
  createdAt: Date;
  activatedAt: Date | null;
  // Bumped when a stored version is rewritten in place (deleteUser scrubs a
  // user's trace), so every replica reloads it.
  revision: number;
  // The challenger gate's decision; null for a version not trained as a challenger.
  challenge: StoredChallengeDecision | null;
}

export interface StoredChallengeDecision extends ChallengeDecision {
  decidedAt: Date;
}

export interface StoredModel extends ModelVersionRow {
  serialized: SerializedModel;
  index: ModelIndex;
}

export interface StoredParams {
  algorithm: string;
  params: Record<string, unknown>;
  meta: Record<string, unknown>;
  dtypes: Record<string, Dtype>;
  // What the model keeps per training user (engine/userState.ts); absent in
  // versions stored before models declared it (legacyUserState applies).
  userState?: UserStateLayout;
  training?: TrainingParams;
}

export interface TrainingParams {
  params: Record<string, unknown>;
  given: Record<string, unknown>;
}

// The per-user layout of a stored version.
export function storedUserState(stored: Pick<StoredParams, "algorithm" | "meta" | "userState"> | null | undefined): UserStateLayout {
  if (!stored) return NO_USER_STATE;
  return stored.userState ?? legacyUserState(stored.algorithm, stored.meta);
}

const INDEX_PREFIX = "index.";
const ARRAY_PREFIX = "array.";

function dtypeOf(a: TypedArray): Dtype {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array) return "uint8";
  throw new Error(`modelRepository: unsupported array type ${Object.prototype.toString.call(a)}`);
}

const LITTLE_ENDIAN = os.endianness() === "LE";
const WIDTH: Record<Dtype, number> = { float32: 4, float64: 8, int32: 4, uint8: 1 };

export function encodeArray(a: TypedArray): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(a.byteLength));
  if (LITTLE_ENDIAN || a instanceof Uint8Array) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return out;
  }
  const view = new DataView(out.buffer);
  const dtype = dtypeOf(a);
  for (let k = 0; k < a.length; k++) {
    const at = k * WIDTH[dtype];
    if (dtype === "float32") view.setFloat32(at, a[k], true);
    else if (dtype === "float64") view.setFloat64(at, a[k], true);
    else view.setInt32(at, a[k], true);
  }
  return out;
}

export function decodeArray(bytes: Uint8Array, dtype: Dtype): TypedArray {
  const width = WIDTH[dtype];
  if (bytes.byteLength % width !== 0) throw new Error(`modelRepository: ${bytes.byteLength} bytes is not a whole number of ${dtype}`);
  const n = bytes.byteLength / width;
  // Copy into an aligned buffer of our own (the driver's Buffer may be a slice of a pool).
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  if (dtype === "uint8") return new Uint8Array(buffer);
  if (LITTLE_ENDIAN) {
    return dtype === "float32" ? new Float32Array(buffer) : dtype === "float64" ? new Float64Array(buffer) : new Int32Array(buffer);
  }
  const view = new DataView(buffer);
  const out = dtype === "float32" ? new Float32Array(n) : dtype === "float64" ? new Float64Array(n) : new Int32Array(n);
  for (let k = 0; k < n; k++) {
    out[k] = dtype === "float32" ? view.getFloat32(k * width, true) : dtype === "float64" ? view.getFloat64(k * width, true) : view.getInt32(k * width, true);
  }
  return out;
}

// Arrays are stored in parts of at most this many bytes.
export const ARTIFACT_PART_BYTES = 64 * 2 ** 20;

// The bytes of an array in parts of at most `partBytes` (one, possibly empty, part at least).
export function artifactParts(bytes: Uint8Array<ArrayBuffer>, partBytes = ARTIFACT_PART_BYTES): Uint8Array<ArrayBuffer>[] {
  if (bytes.byteLength <= partBytes) return [bytes];
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let at = 0; at < bytes.byteLength; at += partBytes) parts.push(bytes.subarray(at, Math.min(bytes.byteLength, at + partBytes)));
  return parts;
}

// Each array's bytes, its parts joined, by key; `rows` in any order.
export function joinArtifactsByKey(rows: readonly { key: string; part: number; data: Uint8Array }[]): Map<string, Uint8Array> {
  const byKey = new Map<string, { part: number; data: Uint8Array }[]>();
  for (const r of rows) {
    const parts = byKey.get(r.key);
    if (parts) parts.push(r);
    else byKey.set(r.key, [r]);
  }
  return new Map([...byKey].map(([key, parts]) => [key, joinArtifactParts(parts)]));
}

// Parts back into one array's bytes; `rows` in any order.
export function joinArtifactParts(rows: readonly { part: number; data: Uint8Array }[]): Uint8Array {
  if (rows.length === 1) return rows[0].data;
  const sorted = [...rows].sort((a, b) => a.part - b.part);
  sorted.forEach((r, k) => {
    if (r.part !== k) throw new Error(`modelRepository: artifact part ${k} is missing`);
  });
  const out = new Uint8Array(sorted.reduce((n, r) => n + r.data.byteLength, 0));
  let at = 0;
  for (const r of sorted) {
    out.set(r.data, at);
    at += r.data.byteLength;
  }
  return out;
}

type ArtifactWriter = { $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> };

// Stores one array of a version that has none under `key` yet.
async function insertArtifact(tx: ArtifactWriter, versionId: number, key: string, array: TypedArray, partBytes = ARTIFACT_PART_BYTES): Promise<void> {
  const parts = artifactParts(encodeArray(array), partBytes);
  for (let part = 0; part < parts.length; part++) {
    await tx.$executeRawUnsafe(`INSERT INTO model_artifacts (model_version_id, key, part, data) VALUES ($1, $2, $3, $4)`, versionId, key, part, parts[part]);
  }
}

// Replaces the stored parts of one array (its new length may need more or fewer).
export async function writeArtifact(tx: ArtifactWriter, versionId: number, key: string, array: TypedArray): Promise<void> {
  await tx.$executeRawUnsafe(`DELETE FROM model_artifacts WHERE model_version_id = $1 AND key = $2`, versionId, key);
  await insertArtifact(tx, versionId, key, array);
}

type VersionRecord = {
  id: number;
  name: string;
  version: number;
  status: string;
  isActive: boolean;
  params: unknown;
  metrics: unknown;
  dataStats: unknown;
  createdAt: Date;
  activatedAt: Date | null;
  revision?: number;
  challengeOutcome?: string | null;
  challengeReason?: string | null;
  challengeMetric?: string | null;
  challengeValue?: number | null;
  challengeChampionValue?: number | null;
  challengeMargin?: number | null;
  challengeChampionVersion?: number | null;
  challengeOffPolicy?: unknown;
  challengeDecidedAt?: Date | null;
};

function challengeOf(v: VersionRecord): StoredChallengeDecision | null {
  if (!v.challengeOutcome || !v.challengeDecidedAt) return null;
  return {
    outcome: v.challengeOutcome as ChallengeOutcome,
    reason: v.challengeReason ?? "",
    metric: v.challengeMetric ?? "",
    challenger: v.challengeValue ?? null,
    champion: v.challengeChampionValue ?? null,
    margin: v.challengeMargin ?? 0,
    championVersion: v.challengeChampionVersion ?? null,
    offPolicy: (v.challengeOffPolicy ?? null) as ChallengeDecision["offPolicy"],
    decidedAt: v.challengeDecidedAt,
  };
}

function toRow(v: VersionRecord): ModelVersionRow {
  const stored = v.params as StoredParams;
  return {
    id: v.id,
    name: v.name,
    version: v.version,
    status: v.status,
    isActive: v.isActive,
    algorithm: stored.algorithm,
    params: stored.training?.params ?? stored.params ?? {},
    givenParams: stored.training?.given ?? {},
    metrics: (v.metrics ?? {}) as Record<string, unknown>,
    dataStats: (v.dataStats ?? {}) as Record<string, unknown>,
    createdAt: v.createdAt,
    activatedAt: v.activatedAt,
    revision: v.revision ?? 0,
    challenge: challengeOf(v),
  };
}

export interface SaveModelInput {
  name: string;
  serialized: SerializedModel;
  index: ModelIndex;
  metrics?: Record<string, unknown>;
  dataStats?: Record<string, unknown>;
  training?: TrainingParams;
  // Bytes per stored part (default ARTIFACT_PART_BYTES; tests use less).
  partBytes?: number;
}

// Saves a new version (the next number for the name), not active.
export async function saveModelVersion(db: Database, input: SaveModelInput): Promise<ModelVersionRow> {
  const { serialized, index } = input;
  const arrays: [string, TypedArray][] = [
    ...Object.entries(serialized.arrays).map(([k, a]): [string, TypedArray] => [ARRAY_PREFIX + k, a]),
    [`${INDEX_PREFIX}users`, index.users],
    [`${INDEX_PREFIX}items`, index.items],
    [`${INDEX_PREFIX}features`, index.features],
  ];
  // Per-user arrays are only findable (for export and deletion) through the
  // list of training users; a version with such arrays and no list would
  // hold rows no one can remove.
  if (hasUserState(serialized.userState) && index.users.length === 0) {
    throw new Error(`saveModelVersion: ${input.name} keeps per-user state (${userStateKeys(serialized.userState).join(", ")}) but no list of training users`);
  }
  const stored: StoredParams = {
    algorithm: serialized.algorithm,
    params: serialized.params,
    meta: serialized.meta,
    dtypes: Object.fromEntries(arrays.map(([k, a]) => [k, dtypeOf(a)])),
    userState: serialized.userState,
    ...(input.training ? { training: input.training } : {}),
  };
  return inTransaction(db, async (tx) => {
    // Serialises concurrent saves of one name: the second waits, then sees the first's number.
    await tx.$queryRawUnsafe(`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext($1))`, `model_versions:${input.name}`);
    const last = await tx.modelVersion.aggregate({ where: { name: input.name }, _max: { version: true } });
    const created = await tx.modelVersion.create({
      data: {
        name: input.name,
        version: (last._max.version ?? 0) + 1,
        status: "TRAINED",
        params: stored as object,
        metrics: (input.metrics ?? {}) as object,
        dataStats: (input.dataStats ?? {}) as object,
      },
    });
    for (const [key, a] of arrays) await insertArtifact(tx, created.id, key, a, input.partBytes);
    return toRow(created);
  });
}

export async function listModelVersions(db: Database, name?: string): Promise<ModelVersionRow[]> {
  const rows = await db.prisma.modelVersion.findMany({
    where: name === undefined ? {} : { name },
    orderBy: [{ name: "asc" }, { version: "desc" }],
  });
  return rows.map(toRow);
}

// The active version of `name` (without its arrays); null when none is.
export async function activeModelVersion(db: Database, name: string): Promise<ModelVersionRow | null> {
  const row = await db.prisma.modelVersion.findFirst({ where: { name, isActive: true } });
  return row ? toRow(row) : null;
}

// Makes (name, version) the one active version of `name`; null when there is no such version.
export async function activateModelVersion(db: Database, name: string, version: number, now: Date = new Date()): Promise<ModelVersionRow | null> {
  return inTransaction(db, async (tx) => {
    // Serialise activations of one name (as saveModelVersion does): two at once
    // would each miss the other's uncommitted row and leave two active.
    await tx.$queryRawUnsafe(`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext($1))`, `model_versions:${name}`);
    const target = await tx.modelVersion.findUnique({ where: { name_version: { name, version } } });
    if (!target) return null;
    await tx.modelVersion.updateMany({ where: { name, isActive: true, NOT: { id: target.id } }, data: { isActive: false } });
    const updated = await tx.modelVersion.update({ where: { id: target.id }, data: { isActive: true, activatedAt: now } });
    return toRow(updated);
  });
}

// Stores the challenger gate's decision on (name, version) and, when it is
// PROMOTED, makes that version the active one in the same transaction (under
// the lock activations take); null when there is no such version.
export async function recordChallengeDecision(db: Database, name: string, version: number, decision: ChallengeDecision, now: Date = new Date()): Promise<ModelVersionRow | null> {
  return inTransaction(db, async (tx) => {
    await tx.$queryRawUnsafe(`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext($1))`, `model_versions:${name}`);
    const target = await tx.modelVersion.findUnique({ where: { name_version: { name, version } } });
    if (!target) return null;
    const promoted = decision.outcome === "PROMOTED";
    if (promoted) await tx.modelVersion.updateMany({ where: { name, isActive: true, NOT: { id: target.id } }, data: { isActive: false } });
    const updated = await tx.modelVersion.update({
      where: { id: target.id },
      data: {
        challengeOutcome: decision.outcome,
        challengeReason: decision.reason,
        challengeMetric: decision.metric,
        challengeValue: decision.challenger,
        challengeChampionValue: decision.champion,
        challengeMargin: decision.margin,
        challengeChampionVersion: decision.championVersion,
        challengeOffPolicy: decision.offPolicy === null ? Prisma.DbNull : (decision.offPolicy as object),
        challengeDecidedAt: now,
        ...(promoted ? { isActive: true, activatedAt: now } : {}),
      },
    });
    return toRow(updated);
  });
}

// Re-activates the version that was active before the current one (the most
// recently activated other version); null when there is none.
export async function rollbackModel(db: Database, name: string, now: Date = new Date()): Promise<ModelVersionRow | null> {
  const previous = await db.prisma.modelVersion.findFirst({
    where: { name, isActive: false, activatedAt: { not: null } },
    orderBy: [{ activatedAt: "desc" }, { version: "desc" }],
  });
  if (!previous) return null;
  return activateModelVersion(db, name, previous.version, now);
}

// A stored version that could not be read back (an artifact missing or of
// an unknown type): the serving layer reports it rather than failing the set.
export interface UnreadableVersion {
  name: string;
  version: number;
  revision: number;
  error: Error;
}

// The active version of every name with its arrays, two statements; each
// version is decoded on its own, so one that cannot be read is returned in
// `unreadable` and the others still load.
export async function loadActiveModelVersions(db: Database): Promise<{ loaded: StoredModel[]; unreadable: UnreadableVersion[] }> {
  const versions = await db.prisma.modelVersion.findMany({ where: { isActive: true }, orderBy: { name: "asc" } });
  if (versions.length === 0) return { loaded: [], unreadable: [] };
  const artifacts = await db.prisma.modelArtifact.findMany({ where: { modelVersionId: { in: versions.map((v) => v.id) } } });
  const loaded: StoredModel[] = [];
  const unreadable: UnreadableVersion[] = [];
  for (const v of versions) {
    try {
      loaded.push(storedModelOf(v, artifacts));
    } catch (error) {
      unreadable.push({ name: v.name, version: v.version, revision: v.revision, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  return { loaded, unreadable };
}

// The same, all or nothing: the first version that cannot be read throws (the CLIs and tests).
export async function loadActiveModels(db: Database): Promise<StoredModel[]> {
  const { loaded, unreadable } = await loadActiveModelVersions(db);
  if (unreadable.length > 0) throw unreadable[0].error;
  return loaded;
}

// One version with its arrays: `version`, or the active one when it is not
// given; null when there is no such version.
export async function loadModelVersion(db: Database, name: string, version?: number): Promise<StoredModel | null> {
  const v = await db.prisma.modelVersion.findFirst({ where: version === undefined ? { name, isActive: true } : { name, version } });
  if (!v) return null;
  const artifacts = await db.prisma.modelArtifact.findMany({ where: { modelVersionId: v.id } });
  return storedModelOf(v, artifacts);
}

function storedModelOf(v: VersionRecord, artifacts: readonly { modelVersionId: number; key: string; part: number; data: Uint8Array }[]): StoredModel {
  const stored = v.params as unknown as StoredParams;
  const byKey = joinArtifactsByKey(artifacts.filter((a) => a.modelVersionId === v.id));
  const arrays: Record<string, TypedArray> = {};
  const index: Partial<ModelIndex> = {};
  for (const [key, bytes] of byKey) {
    const dtype = stored.dtypes[key];
    if (!dtype) throw new Error(`model ${v.name} v${v.version}: artifact ${key} has no dtype`);
    const array = decodeArray(bytes, dtype);
    if (key.startsWith(INDEX_PREFIX)) index[key.slice(INDEX_PREFIX.length) as keyof ModelIndex] = array as Int32Array;
    else arrays[key.slice(ARRAY_PREFIX.length)] = array;
  }
  for (const key of Object.keys(stored.dtypes)) {
    if (!byKey.has(key)) throw new Error(`model ${v.name} v${v.version}: artifact ${key} is missing`);
  }
  return {
    ...toRow(v),
    serialized: { algorithm: stored.algorithm, params: stored.params, meta: stored.meta, arrays, userState: storedUserState(stored) },
    index: { users: index.users!, items: index.items!, features: index.features! },
  };
}
