// Turns a request's headers into a Principal, or refuses it: no key or a
// bad one is UNAUTHENTICATED (401), a key over its rate is
// TOO_MANY_REQUESTS (429 with Retry-After). Runs in the HTTP layer before
// GraphQL, so a refused request costs no parsing or validation.
import crypto from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { AuthConfig } from "../config";
import type { Database } from "../db/Database";
import { sharedSecret } from "../db/apiKeyRepository";
import { KeyVerifier, type VerifiedKey } from "./apiKeys";
import { OPEN, type Principal } from "./Principal";
import { RateLimiter } from "./rateLimiter";
import { verifyUserToken } from "./userTokens";
import { tokenSubjectHash, UserTokenRevocations } from "./userTokenRevocations";

export const USER_TOKEN_HEADER = "x-user-token";

export class AuthError extends Error {
  constructor(
    readonly code: "UNAUTHENTICATED" | "TOO_MANY_REQUESTS",
    message: string,
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface Authenticator {
  readonly enabled: boolean;
  authenticate(headers: IncomingHttpHeaders, nowMs?: number): Promise<Principal>;
  // The key's id and role, or undefined for an unknown, revoked or malformed
  // key; the same verifier (and cache) as authenticate, without its rate
  // limit or user token (the dashboard's sign-in).
  verifyKey(key: string, nowMs?: number): Promise<VerifiedKey | undefined>;
  // The secret user tokens are signed with (shared through the database unless configured).
  tokenSecret(): Promise<Buffer>;
  // deleteUser: this replica refuses the user's earlier tokens at once (the
  // revocation row, written in the deletion's transaction, tells the others).
  noteUserTokensRevoked(subjectHash: Buffer, atMs: number): void;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function bearerKey(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  return match ? match[1] : "";
}

export function createAuthenticator(db: Database, config: AuthConfig): Authenticator {
  const verifier = new KeyVerifier(db);
  const limiter = new RateLimiter();
  const revocations = new UserTokenRevocations(db, config.maxUserTokenSeconds);
  let secret: Promise<Buffer> | undefined = config.tokenSecret ? Promise.resolve(config.tokenSecret) : undefined;
  const tokenSecret = () => {
    secret ??= sharedSecret(db, "user-token", crypto.randomBytes(32)).catch((error) => {
      secret = undefined;
      throw error;
    });
    return secret;
  };

  return {
    enabled: config.enabled,
    tokenSecret,
    noteUserTokensRevoked: (hash, atMs) => revocations.noteRevoked(hash, atMs),
    verifyKey: (key, nowMs = Date.now()) => verifier.verify(key, nowMs),
    async authenticate(headers, nowMs = Date.now()) {
      if (!config.enabled) return OPEN;
      const key = bearerKey(header(headers, "authorization"));
      if (key === undefined) throw new AuthError("UNAUTHENTICATED", "An API key is required: send the header Authorization: Bearer <key>", 401);
      if (key === "") throw new AuthError("UNAUTHENTICATED", "The Authorization header must be: Bearer <key>", 401);
      const verified = await verifier.verify(key, nowMs);
      if (!verified) throw new AuthError("UNAUTHENTICATED", "The API key is not valid (unknown, revoked or malformed)", 401);
      const wait = limiter.take(verified.id, config.rateLimits[verified.role], nowMs);
      if (wait > 0) throw new AuthError("TOO_MANY_REQUESTS", `Rate limit of this key exceeded; retry in ${wait} s`, 429, wait);
      if (verified.role !== "client") return { role: verified.role, keyId: verified.id };
      const token = header(headers, USER_TOKEN_HEADER);
      if (!token) {
        throw new AuthError("UNAUTHENTICATED", "A client key acts for one user: send the user token a service issued (issueUserToken) in the X-User-Token header", 401);
      }
      const secret = await tokenSecret();
      const check = verifyUserToken(secret, token, Math.floor(nowMs / 1000));
      if (!check.ok) throw new AuthError("UNAUTHENTICATED", `${check.why}; ask your service for a new one`, 401);
      const { claims } = check;
      // The issuing key must still be a live service or admin key: revoking
      // it revokes the tokens it issued (within the key cache's 5 s).
      const issuer = await verifier.active(claims.iss, nowMs);
      if (!issuer || issuer.role === "client") {
        throw new AuthError("UNAUTHENTICATED", "the key that issued this user token is revoked or unknown; ask your service for a new one", 401);
      }
      // A token issued before its user was deleted acts for no one (nor re-creates them).
      const revokedAt = await revocations.revokedAt(tokenSubjectHash(secret, claims.sub), nowMs);
      const issuedAtMs = (claims.iat ?? claims.exp - config.maxUserTokenSeconds) * 1000;
      if (revokedAt !== undefined && issuedAtMs <= revokedAt) {
        throw new AuthError("UNAUTHENTICATED", "this user token was revoked when its user was deleted; ask your service for a new one", 401);
      }
      return { role: "client", keyId: verified.id, userId: claims.sub };
    },
  };
}
