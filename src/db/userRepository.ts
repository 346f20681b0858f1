import type { Database } from "./Database";
import { LONG_TRANSACTION } from "./catalogWriter";
import { scrubModelTraces, type ModelTrace } from "./privacyRepository";
import { usersChanged } from "./usersChanged";
import type { InteractionTypeName } from "../importers/CatalogData";
import type { InteractionRow, JsonObject, UserRow } from "./rows";

type PrismaUser = { id: number; externalId: string; attributes: unknown; createdAt: Date; updatedAt: Date };

function toRow(user: PrismaUser): UserRow {
  return { ...user, attributes: (user.attributes ?? {}) as JsonObject };
}

// A prepared statement: every request that names users starts here.
export async function findUsersByExternalIds(db: Database, externalIds: readonly string[]): Promise<UserRow[]> {
  const users = await db.sql.query<PrismaUser>(
    `SELECT id, external_id AS "externalId", attributes, created_at AS "createdAt", updated_at AS "updatedAt"
       FROM users WHERE external_id = ANY($1::text[])`,
    [[...externalIds]],
    "marquee_users_by_external_id",
  );
  return users.map((u) => ({
    ...toRow(u),
    attributes: (typeof u.attributes === "string" ? JSON.parse(u.attributes) : (u.attributes ?? {})) as JsonObject,
    createdAt: new Date(u.createdAt),
    updatedAt: new Date(u.updatedAt),
  }));
}

// Users and their whole histories (oldest first) in ONE statement: a
// recommendation for a user this replica has not cached yet costs one round
// trip, not one for the user and another for the history. Users without
// interactions come back with an empty history; unknown ids are left out.
export async function findUsersWithHistoriesByExternalIds(db: Database, externalIds: readonly string[]): Promise<{ user: UserRow; history: InteractionRow[] }[]> {
  if (externalIds.length === 0) return [];
  const rows = await db.sql.query<{
    userId: number;
    externalId: string;
    attributes: string | null;
    createdAt: Date | string;
    updatedAt: Date | string;
    id: bigint | string | null;
    itemId: number | null;
    type: InteractionTypeName | null;
    value: number | string | null;
    // Epoch milliseconds: a number is turned into a Date much faster than a timestamp's text is parsed.
    occurredAt: number | null;
  }>(
    `SELECT u.id AS "userId", u.external_id AS "externalId", u.attributes::text AS attributes, u.created_at AS "createdAt", u.updated_at AS "updatedAt",
            i.id, i.item_id AS "itemId", i.type::text AS type, i.value, round(extract(epoch FROM i.occurred_at) * 1000)::float8 AS "occurredAt"
       FROM users u
       LEFT JOIN interactions i ON i.user_id = u.id
      WHERE u.external_id = ANY($1::text[])
      ORDER BY u.id, i.occurred_at, i.id`,
    [[...externalIds]],
    "marquee_users_with_histories_by_external_id",
  );
  const found: { user: UserRow; history: InteractionRow[] }[] = [];
  let current: { user: UserRow; history: InteractionRow[] } | undefined;
  for (const r of rows) {
    if (current?.user.id !== r.userId) {
      const user: UserRow = {
        id: r.userId,
        externalId: r.externalId,
        attributes: (r.attributes === null ? {} : JSON.parse(r.attributes)) as JsonObject,
        createdAt: new Date(r.createdAt),
        updatedAt: new Date(r.updatedAt),
      };
      found.push((current = { user, history: [] }));
    }
    if (r.id === null) continue;
    current.history.push({ id: BigInt(r.id), userId: r.userId, itemId: r.itemId!, type: r.type!, value: Number(r.value), occurredAt: new Date(r.occurredAt!) });
  }
  return found;
}

export async function findUsersByIds(db: Database, ids: readonly number[]): Promise<UserRow[]> {
  const users = await db.prisma.user.findMany({ where: { id: { in: [...ids] } } });
  return users.map(toRow);
}

export interface DeletedUser {
  externalId: string;
  deletedInteractions: number;
  // The user's database id (gone now).
  userId: number;
  // The model versions whose trace of the user was removed.
  scrubbedModels: ModelTrace[];
}

// Deletes the user, every interaction of theirs and their trace in every
// stored model version, in one transaction: all of it or none.
export async function deleteUserByExternalId(db: Database, externalId: string): Promise<DeletedUser | null> {
  return db.prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { externalId }, select: { id: true } });
    if (!user) return null;
    const scrubbedModels = await scrubModelTraces(tx, user.id);
    const { count } = await tx.interaction.deleteMany({ where: { userId: user.id } });
    await tx.user.delete({ where: { id: user.id } });
    await usersChanged(db, tx, [user.id]);
    return { externalId, userId: user.id, deletedInteractions: count, scrubbedModels };
  }, LONG_TRANSACTION);
}
