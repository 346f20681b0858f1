import type { ServiceContext } from "./ServiceContext";
import type { UserRow } from "../db/rows";
import { inTransaction, writeUsers } from "../db/catalogWriter";
import { deleteUserByExternalId, type DeletedUser, type TokenRevocation } from "../db/userRepository";
import type { UserRecord } from "../importers/CatalogData";
import { BadUserInputError, NotFoundError } from "../graphql/errors";
import { checkAttributes, checkId } from "./validation";
import { modelStoreOf } from "../serving/ModelStore";
import { usersChanged } from "../db/usersChanged";
import { userStateCacheOf } from "../loaders/userStateCache";
import { impressionLogOf } from "../serving/impressionLog";

export interface UserInput {
  id: string;
  attributes?: Record<string, unknown> | null;
}

export async function upsertUsers(ctx: ServiceContext, inputs: readonly UserInput[]): Promise<UserRow[]> {
  if (inputs.length > ctx.config.maxUpsertBatch) {
    throw new BadUserInputError("users", `${inputs.length} users`, `at most ${ctx.config.maxUpsertBatch} per call`);
  }
  const records: UserRecord[] = inputs.map((input, i) => ({
    externalId: checkId(`users[${i}].id`, input.id),
    attributes: checkAttributes(`users[${i}].attributes`, input.attributes) as UserRecord["attributes"],
  }));
  const ids = await inTransaction(ctx.db, async (tx) => {
    const written = await writeUsers(tx, records);
    await usersChanged(ctx.db, tx, written.values());
    return written;
  });
  userStateCacheOf(ctx.db)?.invalidate(ids.values());
  for (const r of records) {
    ctx.loaders.userByExternalId.clear(r.externalId);
    const id = ids.get(r.externalId);
    if (id !== undefined) ctx.loaders.userById.clear(id);
  }
  const rows = await ctx.loaders.userByExternalId.loadMany(records.map((r) => r.externalId));
  return rows.map((row, i) => {
    if (!row || row instanceof Error) throw new Error(`upserted user ${records[i].externalId} not readable`);
    return row;
  });
}

// `tokens`: how the user's outstanding user tokens are revoked with them
// (the subject's hash under the token secret, the time, how long to keep it).
export async function deleteUser(ctx: ServiceContext, id: string, tokens: TokenRevocation): Promise<DeletedUser> {
  const deleted = await deleteUserByExternalId(ctx.db, checkId("id", id), tokens);
  if (!deleted) throw new NotFoundError("user", [id], "id");
  userStateCacheOf(ctx.db)?.invalidate([deleted.userId]);
  // Impressions of the user still waiting to be written are not (a batch
  // being written meanwhile was waited for, and its rows deleted, above).
  impressionLogOf(ctx.db)?.forgetUser(deleted.userId);
  ctx.loaders.userByExternalId.clear(id);
  // The served copies of the scrubbed versions still hold the user: reload
  // them here now (other replicas follow through the revision bump).
  if (deleted.scrubbedModels.length > 0) await modelStoreOf(ctx.db).reload();
  return deleted;
}
