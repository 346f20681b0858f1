// Writes a whole CatalogData (MovieLens, the CSV format, the demo catalog)
// in one transaction: it lands whole or not at all, and writing it again
// changes nothing.
import type { Database } from "../db/Database";
import { catalogCacheOf } from "../loaders/catalogCache";
import { userStateCacheOf } from "../loaders/userStateCache";
import { usersChanged } from "../db/usersChanged";
import { chunks, inTransaction, mergeByNaturalKey, writeInteractions, writeItems, writeUsers } from "../db/catalogWriter";
import type { CatalogData } from "../importers/CatalogData";

export interface ImportProgress {
  phase: "users" | "items" | "interactions";
  done: number;
  total: number;
}

export interface ImportSummary {
  users: number;
  items: number;
  interactions: { created: number; updated: number; unchanged: number };
}

// Interactions per statement: big enough that per-statement overhead (a round
// trip, Prisma's argument handling) is small beside the insert itself, small
// enough that the progress bar still moves.
const INTERACTION_CHUNK = 50000;

export class ImportError extends Error {
  override name = "ImportError";
}

export interface ImportOptions {
  // Refuse the whole catalog when a rating lies outside it (the readers
  // already name the file and line; this guards every other caller).
  ratingScale?: { min: number; max: number };
}

export async function importCatalog(
  db: Database,
  data: CatalogData,
  onProgress: (progress: ImportProgress) => void = () => undefined,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const scale = options.ratingScale;
  if (scale) {
    const off = data.interactions.find((i) => i.type === "RATING" && !(i.value >= scale.min && i.value <= scale.max));
    if (off) throw new ImportError(`rating ${off.value} of user ${off.userExternalId} for item ${off.itemExternalId} is outside the rating scale ${scale.min}..${scale.max} (MARQUEE_RATING_SCALE)`);
  }
  const summary = await inTransaction(db, async (tx) => {
    onProgress({ phase: "users", done: 0, total: data.users.length });
    const userIds = await writeUsers(tx, data.users);
    onProgress({ phase: "users", done: data.users.length, total: data.users.length });

    const itemIds = new Map<string, number>();
    let doneItems = 0;
    for (const chunk of chunks(data.items, 2000)) {
      for (const [k, v] of await writeItems(tx, chunk)) itemIds.set(k, v);
      doneItems += chunk.length;
      onProgress({ phase: "items", done: doneItems, total: data.items.length });
    }

    // Interactions may name users the source did not list (ml-latest has no
    // users file): create them.
    const unknownUsers = [...new Set(data.interactions.map((i) => i.userExternalId).filter((u) => !userIds.has(u)))];
    if (unknownUsers.length > 0) {
      for (const [k, v] of await writeUsers(tx, unknownUsers.map((externalId) => ({ externalId, attributes: {} })))) userIds.set(k, v);
    }
    // Resolve every interaction before writing any: an unknown item fails the
    // import before the slowest phase starts. Repeats of one natural key are
    // merged over the whole source (the last wins) and the rest sorted by that
    // key, so a repeat never straddles two chunks and each chunk touches
    // neighbouring index pages (see writeInteractions).
    const resolved = mergeByNaturalKey(
      data.interactions.map((i) => {
        const itemId = itemIds.get(i.itemExternalId);
        if (itemId === undefined) throw new ImportError(`interaction of user ${i.userExternalId} names unknown item ${i.itemExternalId}`);
        return { userId: userIds.get(i.userExternalId)!, itemId, type: i.type, value: i.value, occurredAt: i.occurredAt };
      }),
    );
    const totals = { created: 0, updated: 0, unchanged: 0 };
    let done = 0;
    onProgress({ phase: "interactions", done: 0, total: resolved.length });
    for (const chunk of chunks(resolved, INTERACTION_CHUNK)) {
      const r = await writeInteractions(tx, chunk, INTERACTION_CHUNK);
      totals.created += r.created;
      totals.updated += r.updated;
      totals.unchanged += r.unchanged;
      done += chunk.length;
      onProgress({ phase: "interactions", done, total: resolved.length });
    }
    await usersChanged(db, tx, "*");
    return { users: userIds.size, items: itemIds.size, interactions: totals };
  });
  catalogCacheOf(db)?.clear();
  userStateCacheOf(db)?.clear();
  return summary;
}
