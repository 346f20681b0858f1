// API keys: "mq_<id>_<secret>". The id (12 hex characters) is public and
// finds the row; the secret is 32 random bytes of which only the sha256 is
// stored, compared in constant time. A fast hash is right here because the
// secret is random, not a password: there is nothing to brute-force.
import crypto from "node:crypto";
import type { Database } from "../db/Database";
import { findApiKey, insertApiKey, type ApiKeyRow, type KeyRole } from "../db/apiKeyRepository";

export const KEY_ROLES: readonly KeyRole[] = ["admin", "service", "client"];
const KEY_PATTERN = /^mq_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function hashSecret(secret: string): Buffer {
  return crypto.createHash("sha256").update(secret, "utf8").digest();
}

export async function createApiKey(db: Database, input: { role: KeyRole; name: string }): Promise<{ id: string; key: string; row: ApiKeyRow }> {
  if (!KEY_ROLES.includes(input.role)) throw new Error(`role must be one of ${KEY_ROLES.join(", ")}; got ${JSON.stringify(input.role)}`);
  const name = input.name.trim();
  if (name === "" || name.length > 200) throw new Error("a key needs a name of 1 to 200 characters");
  const id = crypto.randomBytes(6).toString("hex");
  const secret = crypto.randomBytes(32).toString("base64url");
  const row = await insertApiKey(db, { id, name, role: input.role, secretHash: hashSecret(secret) });
  return { id, key: `mq_${id}_${secret}`, row };
}

export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(key);
  return match ? { id: match[1], secret: match[2] } : undefined;
}

export interface VerifiedKey {
  id: string;
  role: KeyRole;
}

interface Cached {
  row: ApiKeyRow | undefined;
  until: number;
}

// Verifies keys against the database, remembering each row for `ttlMs` so an
// authenticated request costs no SQL statement in the steady state; a
// revocation takes effect on every replica within that time.
export class KeyVerifier {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly db: Database,
    private readonly ttlMs = 5000,
    private readonly maxEntries = 10_000,
  ) {}

  async verify(key: string, now = Date.now()): Promise<VerifiedKey | undefined> {
    const parsed = parseApiKey(key);
    if (!parsed) return undefined;
    const row = await this.row(parsed.id, now);
    if (!row || row.revokedAt !== null) return undefined;
    const given = hashSecret(parsed.secret);
    if (given.length !== row.secretHash.length || !crypto.timingSafeEqual(given, row.secretHash)) return undefined;
    return { id: row.id, role: row.role };
  }

  // The key with this id when it exists and is not revoked (no secret
  // needed: a user token names the key that issued it, and stops working
  // when that key is revoked). Same cache as verify.
  async active(id: string, now = Date.now()): Promise<VerifiedKey | undefined> {
    if (!/^[0-9a-f]{12}$/.test(id)) return undefined;
    const row = await this.row(id, now);
    return row && row.revokedAt === null ? { id: row.id, role: row.role } : undefined;
  }

  private async row(id: string, now: number): Promise<ApiKeyRow | undefined> {
    let cached = this.cache.get(id);
    if (!cached || cached.until <= now) {
      cached = { row: await findApiKey(this.db, id), until: now + this.ttlMs };
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      this.cache.set(id, cached);
    }
    return cached.row;
  }

  forget(id: string): void {
    this.cache.delete(id);
  }
}
