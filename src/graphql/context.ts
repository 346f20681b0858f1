import type { Config } from "../config";
import type { Database } from "../db/Database";
import { createLoaders } from "../loaders/createLoaders";
import type { ServiceContext } from "../services/ServiceContext";

export interface GraphQLContext extends ServiceContext {
  requestId: string;
  // When the request arrived: the one clock reading a request uses.
  now: Date;
}

export function createContext(db: Database, config: Config, requestId: string): GraphQLContext {
  return { db, config, loaders: createLoaders(db), requestId, now: new Date() };
}
