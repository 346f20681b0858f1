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
      const check = verifyUserToken(await tokenSecret(), token, Math.floor(nowMs / 1000));
      if (!check.ok) throw new AuthError("UNAUTHENTICATED", `${check.why}; ask your service for a new one`, 401);
      return { role: "client", keyId: verified.id, userId: check.claims.sub };
    },
  };
}
