import type { Database } from "./Database";
import { LONG_TRANSACTION } from "./catalogWriter";
import { scrubModelTraces, type ModelTrace } from "./privacyRepository";
import { usersChanged } from "./usersChanged";
import { deleteUserImpressions, lockImpressionUsers } from "./impressionRepository";
import { revokeUserTokens } from "./apiKeyRepository";
import { HISTORY_COLUMNS, historyRow, type HistorySqlRow } from "./trainingDataRepository";
import type { InteractionRow, JsonObject, UserRow } from "./rows";

type PrismaUser = { id: number; externalId: string; attributes: unknown; createdAt: Date; updatedAt: Date };

function toRow(user: PrismaUser): UserRow {
  return { ...user, attributes: (user.attributes ?? {}) as JsonObject };
}

// A users row as the pg driver returns it (attributes as jsonb or as text).
type SqlUser = { id: number; externalId: string; attributes: unknown; createdAt: Date | string; updatedAt: Date | string };

function userFromSql(u: SqlUser): UserRow {
  return {
    id: u.id,
    externalId: u.externalId,
    attributes: (typeof u.attributes === "string" ? JSON.parse(u.attributes) : (u.attributes ?? {})) as JsonObject,
    createdAt: new Date(u.createdAt),
    updatedAt: new Date(u.updatedAt),
  };
}

// A prepared statement: every request that names users starts here.
export async function findUsersByExternalIds(db: Database, externalIds: readonly string[]): Promise<UserRow[]> {
  const users = await db.sql.query<SqlUser>(
    `SELECT id, external_id AS "externalId", attributes, created_at AS "createdAt", updated_at AS "updatedAt"
       FROM users WHERE external_id = ANY($1::text[])`,
    [[...externalIds]],
    "marquee_users_by_external_id",
  );
  return users.map(userFromSql);
}

export interface UserWithHistory {
  user: UserRow;
  history: InteractionRow[];
}

// Users and their whole histories (oldest first) in ONE statement: a
// recommendation for a user this replica has not cached yet costs one round
// trip, not one for the user and another for the history. Users without
// interactions come back with an empty history; unknown ids are left out.
export async function findUsersWithHistoriesByExternalIds(db: Database, externalIds: readonly string[]): Promise<UserWithHistory[]> {
  if (externalIds.length === 0) return [];
  // Attributes as text: parsed once per user, not once per interaction row.
  const rows = await db.sql.query<SqlUser & { userId: number } & ({ [K in keyof HistorySqlRow]: HistorySqlRow[K] | null })>(
    `SELECT u.id AS "userId", u.external_id AS "externalId", u.attributes::text AS attributes, u.created_at AS "createdAt", u.updated_at AS "updatedAt",
            ${HISTORY_COLUMNS}
       FROM users u
       LEFT JOIN interactions i ON i.user_id = u.id
      WHERE u.external_id = ANY($1::text[])
      ORDER BY u.id, i.occurred_at, i.id`,
    [[...externalIds]],
    "marquee_users_with_histories_by_external_id",
  );
  const found: UserWithHistory[] = [];
  let current: UserWithHistory | undefined;
  for (const r of rows) {
    if (current?.user.id !== r.userId) found.push((current = { user: userFromSql({ ...r, id: r.userId }), history: [] }));
    if (r.id !== null) current.history.push(historyRow(r.userId, r as HistorySqlRow));
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

export interface TokenRevocation {
  subjectHash: Buffer;
  at: Date;
  keepSeconds: number;
}

// Deletes the user, every interaction of theirs and their trace in every
// stored model version, and revokes their outstanding user tokens, in one
// transaction: all of it or none.
export async function deleteUserByExternalId(db: Database, externalId: string, tokens: TokenRevocation): Promise<DeletedUser | null> {
  return db.prisma.$transaction(async (tx) => {
    // First: no batch of impressions is being written from here to the commit,
    // so none can add rows for the user after deleteUserImpressions below.
    await lockImpressionUsers(tx);
    const user = await tx.user.findUnique({ where: { externalId }, select: { id: true } });
    if (!user) return null;
    await revokeUserTokens(tx, tokens.subjectHash, tokens.at, tokens.keepSeconds);
    const scrubbedModels = await scrubModelTraces(tx, user.id);
    const { count } = await tx.interaction.deleteMany({ where: { userId: user.id } });
    await deleteUserImpressions(tx, user.id);
    await tx.user.delete({ where: { id: user.id } });
    await usersChanged(db, tx, [user.id]);
    return { externalId, userId: user.id, deletedInteractions: count, scrubbedModels };
  }, LONG_TRANSACTION);
}
