// Writes a whole CatalogData (MovieLens, the CSV format, the demo catalog)
// in one transaction: it lands whole or not at all, and writing it again
// changes nothing.
import type { Database } from "../db/Database";
import { chunks, inTransaction, writeInteractions, writeItems, writeUsers } from "../db/catalogWriter";
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

export class ImportError extends Error {
  override name = "ImportError";
}

export async function importCatalog(
  db: Database,
  data: CatalogData,
  onProgress: (progress: ImportProgress) => void = () => undefined,
): Promise<ImportSummary> {
  return inTransaction(db, async (tx) => {
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
    const totals = { created: 0, updated: 0, unchanged: 0 };
    let done = 0;
    for (const chunk of chunks(data.interactions, 20000)) {
      const resolved = chunk.map((i) => {
        const itemId = itemIds.get(i.itemExternalId);
        if (itemId === undefined) throw new ImportError(`interaction of user ${i.userExternalId} names unknown item ${i.itemExternalId}`);
        return { userId: userIds.get(i.userExternalId)!, itemId, type: i.type, value: i.value, occurredAt: i.occurredAt };
      });
      const r = await writeInteractions(tx, resolved);
      totals.created += r.created;
      totals.updated += r.updated;
      totals.unchanged += r.unchanged;
      done += chunk.length;
      onProgress({ phase: "interactions", done, total: data.interactions.length });
    }
    return { users: userIds.size, items: itemIds.size, interactions: totals };
  });
}
