import type { Config } from "../config";
import type { Database } from "../db/Database";
import { createLoaders } from "../loaders/createLoaders";
import type { ServiceContext } from "../services/ServiceContext";
import { OPEN, type Principal } from "../auth/Principal";
import { createAuthenticator, type Authenticator } from "../auth/authenticate";

export interface GraphQLContext extends ServiceContext {
  config: Config;
  requestId: string;
  // When the request arrived: the one clock reading a request uses.
  now: Date;
  // Who is asking (auth/policy.ts decides what they may do).
  principal: Principal;
  auth: Authenticator;
}

// One authenticator per database (its key cache and rate buckets live there).
const authenticators = new WeakMap<Database, { settings: Config["auth"]; auth: Authenticator }>();

export function authenticatorOf(db: Database, config: Config): Authenticator {
  let entry = authenticators.get(db);
  if (!entry || entry.settings !== config.auth) {
    entry = { settings: config.auth, auth: createAuthenticator(db, config.auth) };
    authenticators.set(db, entry);
  }
  return entry.auth;
}

export function createContext(db: Database, config: Config, requestId: string, principal: Principal = OPEN): GraphQLContext {
  return { db, config, loaders: createLoaders(db), requestId, now: new Date(), principal, auth: authenticatorOf(db, config) };
}
