// API keys and shared auth secrets. Raw SQL through the driver: the key
// lookup is on every authenticated request's path (behind a short cache).
import type { Database } from "./Database";

export type KeyRole = "admin" | "service" | "client";

export interface ApiKeyRow {
  id: string;
  name: string;
  role: KeyRole;
  secretHash: Buffer;
  createdAt: Date;
  revokedAt: Date | null;
}

interface RawKey {
  id: string;
  name: string;
  role: KeyRole;
  secret_hash: Uint8Array;
  created_at: Date;
  revoked_at: Date | null;
}

function toRow(r: RawKey): ApiKeyRow {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    secretHash: Buffer.from(r.secret_hash),
    createdAt: new Date(r.created_at),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at),
  };
}

export async function insertApiKey(db: Database, key: { id: string; name: string; role: KeyRole; secretHash: Buffer }): Promise<ApiKeyRow> {
  const rows = await db.sql.query<RawKey>(
    `INSERT INTO api_keys (id, name, role, secret_hash) VALUES ($1, $2, $3, $4)
     RETURNING id, name, role, secret_hash, created_at, revoked_at`,
    [key.id, key.name, key.role, key.secretHash],
  );
  return toRow(rows[0]);
}

export async function findApiKey(db: Database, id: string): Promise<ApiKeyRow | undefined> {
  const rows = await db.sql.query<RawKey>(
    `SELECT id, name, role, secret_hash, created_at, revoked_at FROM api_keys WHERE id = $1`,
    [id],
    "marquee_find_api_key",
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function listApiKeys(db: Database): Promise<ApiKeyRow[]> {
  const rows = await db.sql.query<RawKey>(`SELECT id, name, role, secret_hash, created_at, revoked_at FROM api_keys ORDER BY created_at, id`);
  return rows.map(toRow);
}

// True when the key existed and was not revoked before.
export async function revokeApiKey(db: Database, id: string): Promise<boolean> {
  const rows = await db.sql.query(`UPDATE api_keys SET revoked_at = CURRENT_TIMESTAMP WHERE id = $1 AND revoked_at IS NULL RETURNING id`, [id]);
  return rows.length === 1;
}

// The named secret, created (random, `bytes` long) by whichever replica asks first.
export async function sharedSecret(db: Database, name: string, candidate: Buffer): Promise<Buffer> {
  await db.sql.query(`INSERT INTO auth_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, candidate]);
  const rows = await db.sql.query<{ secret: Uint8Array }>(`SELECT secret FROM auth_secrets WHERE name = $1`, [name]);
  return Buffer.from(rows[0].secret);
}

// Revokes every user token of a subject issued up to `at` (deleteUser, in
// its transaction; the application's clock, like the tokens' issue times),
// and prunes revocations no live token can predate.
export async function revokeUserTokens(
  tx: { $executeRawUnsafe: (sql: string, ...values: unknown[]) => Promise<number> },
  subjectHash: Buffer,
  at: Date,
  keepSeconds: number,
): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO user_token_revocations (subject_hash, revoked_at) VALUES ($1, $2::timestamptz)
     ON CONFLICT (subject_hash) DO UPDATE SET revoked_at = GREATEST(user_token_revocations.revoked_at, EXCLUDED.revoked_at)`,
    subjectHash,
    at.toISOString(),
  );
  await tx.$executeRawUnsafe(`DELETE FROM user_token_revocations WHERE revoked_at < $1::timestamptz`, new Date(at.getTime() - keepSeconds * 1000).toISOString());
}

// Revocations of the last `withinSeconds` (older ones cannot match a live token).
export async function recentUserTokenRevocations(db: Database, withinSeconds: number): Promise<{ subjectHash: Buffer; revokedAt: Date }[]> {
  const rows = await db.sql.query<{ subject_hash: Uint8Array; revoked_at: Date }>(
    `SELECT subject_hash, revoked_at FROM user_token_revocations WHERE revoked_at >= CURRENT_TIMESTAMP - make_interval(secs => $1)`,
    [withinSeconds],
  );
  return rows.map((r) => ({ subjectHash: Buffer.from(r.subject_hash), revokedAt: new Date(r.revoked_at) }));
}
