// Which users' tokens were revoked (deleteUser), as seen by this replica:
// a snapshot of the recent revocations, read at most every `ttlMs` (the same
// 5 s as the API key cache) and only when a client token is checked, so an
// authenticated request costs no SQL statement in the steady state. A
// deletion on this replica is noted at once; on others within `ttlMs`.
import crypto from "node:crypto";
import type { Database } from "../db/Database";
import { recentUserTokenRevocations } from "../db/apiKeyRepository";

// The stored form of a token subject: an HMAC of the external id under the
// token secret, so the table never holds a deleted user's id.
export function tokenSubjectHash(secret: Buffer, externalId: string): Buffer {
  return crypto.createHmac("sha256", secret).update(`user-token-subject:${externalId}`, "utf8").digest();
}

export class UserTokenRevocations {
  private revoked = new Map<string, number>();
  private until = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    // Revocations older than the longest token lifetime cannot match a live token.
    private readonly windowSeconds: number,
    private readonly ttlMs = 5000,
  ) {}

  // When the subject's tokens were revoked (ms since the epoch), if they were.
  async revokedAt(subjectHash: Buffer, nowMs: number): Promise<number | undefined> {
    if (this.until <= nowMs) await this.refresh(nowMs);
    return this.revoked.get(subjectHash.toString("hex"));
  }

  noteRevoked(subjectHash: Buffer, atMs: number): void {
    this.revoked.set(subjectHash.toString("hex"), atMs);
  }

  private refresh(nowMs: number): Promise<void> {
    this.loading ??= recentUserTokenRevocations(this.db, this.windowSeconds)
      .then((rows) => {
        const fresh = new Map(rows.map((r) => [r.subjectHash.toString("hex"), r.revokedAt.getTime()]));
        // Keep what this replica noted meanwhile (its transaction may have committed after the read began).
        for (const [hash, at] of this.revoked) if (at > nowMs - this.ttlMs && !fresh.has(hash)) fresh.set(hash, at);
        this.revoked = fresh;
        this.until = nowMs + this.ttlMs;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
