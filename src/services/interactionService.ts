import type { ServiceContext } from "./ServiceContext";
import type { InteractionRow, UserRow } from "../db/rows";
import { ensureUsers, findItemIds, inTransaction, writeInteractions } from "../db/catalogWriter";
import type { InteractionTypeName } from "../importers/CatalogData";
import { usersChanged } from "../db/usersChanged";
import { userStateCacheOf } from "../loaders/userStateCache";
import { BadUserInputError, NotFoundError } from "../graphql/errors";
import { checkFirst, decodeCursor, encodeCursor } from "../graphql/cursor";
import { toConnection, type Connection } from "./connection";
import { checkFinite, checkId } from "./validation";

export interface InteractionInput {
  userId: string;
  itemId: string;
  type: InteractionTypeName;
  value?: number | null;
  occurredAt?: Date | null;
}

export interface RecordResult {
  accepted: number;
  created: number;
  updated: number;
  unchanged: number;
  createdUsers: number;
}

// Non-rating events carry an amount (plays, seconds watched, copies bought).
const MAX_AMOUNT = 1e9;

export async function recordInteractions(ctx: ServiceContext, inputs: readonly InteractionInput[], now: Date): Promise<RecordResult> {
  const max = ctx.config.maxInteractionBatch;
  if (inputs.length > max) {
    throw new BadUserInputError("interactions", `${inputs.length} interactions`, `at most ${max} per call`);
  }
  const { min, max: top } = ctx.config.ratingScale;
  // Validate the whole batch before writing anything.
  const checked = inputs.map((input, i) => {
    const at = `interactions[${i}]`;
    const value = input.value ?? (input.type === "RATING" ? undefined : 1);
    if (value === undefined) throw new BadUserInputError(`${at}.value`, null, `a RATING needs a value from ${min} to ${top}`);
    checkFinite(`${at}.value`, value);
    if (input.type === "RATING" && (value < min || value > top)) {
      throw new BadUserInputError(`${at}.value`, value, `a rating must be from ${min} to ${top}`);
    }
    if (input.type !== "RATING" && (value < 0 || value > MAX_AMOUNT)) {
      throw new BadUserInputError(`${at}.value`, value, `a ${input.type} amount must be from 0 to ${MAX_AMOUNT}`);
    }
    return {
      userId: checkId(`${at}.userId`, input.userId),
      itemId: checkId(`${at}.itemId`, input.itemId),
      type: input.type,
      value,
      occurredAt: input.occurredAt ?? now,
    };
  });
  let touched: number[] = [];
  const result = await inTransaction(ctx.db, async (tx) => {
    const itemIds = await findItemIds(tx, checked.map((c) => c.itemId));
    const missing = [...new Set(checked.map((c) => c.itemId).filter((id) => !itemIds.has(id)))];
    // Throwing inside the transaction rolls back the users created above: nothing is written.
    if (missing.length > 0) throw new NotFoundError("item", missing, "interactions.itemId");
    const users = await ensureUsers(tx, checked.map((c) => c.userId));
    const written = await writeInteractions(
      tx,
      checked.map((c) => ({ userId: users.ids.get(c.userId)!, itemId: itemIds.get(c.itemId)!, type: c.type, value: c.value, occurredAt: c.occurredAt })),
    );
    // Every replica drops these users' cached histories when this commits.
    await usersChanged(ctx.db, tx, users.ids.values());
    touched = [...users.ids.values()];
    return { ...written, createdUsers: users.created };
  });
  userStateCacheOf(ctx.db)?.invalidate(touched);
  return { accepted: result.created + result.updated + result.unchanged, ...result };
}

interface InteractionPosition {
  t: string; // occurredAt, ISO
  id: string; // bigint as text
}

function isPosition(value: unknown): value is InteractionPosition {
  const v = value as InteractionPosition;
  return (
    typeof v === "object" && v !== null && typeof v.t === "string" && !Number.isNaN(Date.parse(v.t)) &&
    typeof v.id === "string" && /^\d{1,19}$/.test(v.id) && BigInt(v.id) <= 9_223_372_036_854_775_807n
  );
}

export async function userInteractions(
  ctx: ServiceContext,
  user: UserRow,
  args: { first?: number | null; after?: string | null; type?: InteractionTypeName | null },
): Promise<Connection<InteractionRow>> {
  const limit = checkFirst(args.first, 100);
  const after = args.after != null ? decodeCursor("interaction", args.after, "after", isPosition) : undefined;
  const type = args.type ?? null;
  const rows = await ctx.loaders.interactionPage.load({
    userId: user.id,
    type,
    after: after ? { occurredAt: new Date(after.t), id: BigInt(after.id) } : null,
    limit: limit + 1,
  });
  return toConnection(
    rows,
    limit,
    after !== undefined,
    (r) => encodeCursor("interaction", { t: r.occurredAt.toISOString(), id: r.id.toString() }),
    () => ctx.loaders.interactionCount.load({ userId: user.id, type }),
  );
}
