// Who is asking. With auth off (the embedded demo's default) every request is
// "open" and may do everything; with auth on, the API key's role decides, and
// a client key acts for the one user its user token names.
import type { KeyRole } from "../db/apiKeyRepository";

export type Role = KeyRole | "open";

export interface Principal {
  readonly role: Role;
  // The API key's public id (never the key itself): for logs and rate limits.
  readonly keyId?: string;
  // The external user id a client acts for (from its user token).
  readonly userId?: string;
}

export const OPEN: Principal = Object.freeze({ role: "open" as const });
