import type { Database } from "./Database";
import { LONG_TRANSACTION } from "./catalogWriter";
import { scrubModelTraces, type ModelTrace } from "./privacyRepository";
import { usersChanged } from "./usersChanged";
import type { JsonObject, UserRow } from "./rows";

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
