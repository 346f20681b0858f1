// Announces, inside a write's transaction, which users it changed, so every
// replica's user cache drops them when the write commits (see
// loaders/userStateCache.ts). Only for databases whose processes cache users
// (enabled by startApp): without a cache there is nothing to announce, and
// no extra statement.
import type { Database } from "./Database";
import type { Tx } from "./catalogWriter";

export const USERS_CHANGED_CHANNEL = "marquee_users";
// pg_notify payloads are limited to 8000 bytes: larger sets say "*" (everyone).
const MAX_PAYLOAD = 7000;

const announcing = new WeakSet<Database>();

export function announceUserChanges(db: Database): void {
  announcing.add(db);
}

export function usersChangedPayload(userIds: Iterable<number> | "*"): string {
  if (userIds === "*") return "*";
  const text = JSON.stringify([...new Set(userIds)]);
  return text.length > MAX_PAYLOAD ? "*" : text;
}

export async function usersChanged(db: Database, tx: Pick<Tx, "$queryRawUnsafe">, userIds: Iterable<number> | "*"): Promise<void> {
  if (!announcing.has(db)) return;
  await tx.$queryRawUnsafe(`SELECT pg_notify($1, $2)::text AS sent`, USERS_CHANGED_CHANNEL, usersChangedPayload(userIds));
}
