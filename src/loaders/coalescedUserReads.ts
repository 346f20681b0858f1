// Reads of users (with their histories) that this process has not cached,
// coalesced across concurrent requests. A request's own loaders batch only
// its own reads; under load, the many requests that arrive in one turn of the
// event loop each name a different cold user, and each read was its own
// statement: one round trip, one socket write and one query for PostgreSQL
// to plan and run, per request. Here the reads of one turn go out as one
// statement (DataLoader without its cache, dispatched from setImmediate, so
// after the turn's I/O callbacks have all run). Nothing is cached here:
// what was read goes into the user state cache as before, under the epoch
// each request took before asking, so a write that lands meanwhile still
// wins. Used when the user state cache is on (the server).
import DataLoader from "dataloader";
import type { Database } from "../db/Database";
import { findUsersWithHistoriesByExternalIds, type UserWithHistory } from "../db/userRepository";
import { alignToKeys } from "./alignToKeys";

// Most users one coalesced statement reads (a larger turn makes several).
const MAX_BATCH = 500;

const readers = new WeakMap<Database, DataLoader<string, UserWithHistory | null>>();

export function coalescedUserReads(db: Database): DataLoader<string, UserWithHistory | null> {
  let reader = readers.get(db);
  if (!reader) {
    reader = new DataLoader(async (externalIds) => alignToKeys(externalIds, await findUsersWithHistoriesByExternalIds(db, externalIds), (r) => r.user.externalId), {
      cache: false,
      maxBatchSize: MAX_BATCH,
      batchScheduleFn: (dispatch) => setImmediate(dispatch),
    });
    readers.set(db, reader);
  }
  return reader;
}

// The users among `externalIds` that exist, read through the coalescing reader; a failed read throws.
export async function readUsersWithHistories(db: Database, externalIds: readonly string[]): Promise<UserWithHistory[]> {
  const found: UserWithHistory[] = [];
  for (const r of await coalescedUserReads(db).loadMany(externalIds)) {
    if (r instanceof Error) throw r;
    if (r) found.push(r);
  }
  return found;
}
