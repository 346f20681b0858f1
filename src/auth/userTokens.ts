// Short-lived user tokens: a service's backend asks for one (issueUserToken)
// and hands it to its frontend or app, which sends it with a client key so
// the client acts for that one user. Format: "ut.<payload>.<signature>", the
// payload base64url JSON { sub, exp, iss, iat } and the signature HMAC-SHA256
// of the payload with a secret every replica shares. A valid signature is not
// enough: authenticate also refuses a token whose issuing key was revoked and
// one issued before its user was deleted.
import crypto from "node:crypto";

export interface UserTokenClaims {
  // External user id.
  sub: string;
  // Expiry, seconds since the epoch.
  exp: number;
  // The id of the key that issued it.
  iss: string;
  // Issue time, seconds since the epoch with milliseconds (absent in tokens
  // issued before it was added: read as exp minus the longest lifetime).
  iat?: number;
}

function sign(secret: Buffer, payload: string): string {
  return crypto.createHmac("sha256", secret).update(payload).digest("base64url");
}

export function issueUserToken(secret: Buffer, claims: UserTokenClaims): string {
  const payload = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
  return `ut.${payload}.${sign(secret, payload)}`;
}

export type TokenCheck = { ok: true; claims: UserTokenClaims } | { ok: false; why: string };

export function verifyUserToken(secret: Buffer, token: string, nowSeconds: number): TokenCheck {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== "ut" || parts[1].length > 2048) return { ok: false, why: "the user token is malformed" };
  const expected = Buffer.from(sign(secret, parts[1]));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return { ok: false, why: "the user token's signature is not valid" };
  let claims: UserTokenClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as UserTokenClaims;
  } catch {
    return { ok: false, why: "the user token is malformed" };
  }
  if (typeof claims?.sub !== "string" || typeof claims.exp !== "number" || typeof claims.iss !== "string" || (claims.iat !== undefined && typeof claims.iat !== "number")) {
    return { ok: false, why: "the user token is malformed" };
  }
  if (claims.exp <= nowSeconds) return { ok: false, why: "the user token has expired" };
  return { ok: true, claims };
}
