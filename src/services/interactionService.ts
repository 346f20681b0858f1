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
import { findImpressionOwners, writeAttributions, type AttributionCount } from "../db/impressionRepository";
import { impressionLogOf } from "../serving/impressionLog";
import { processMetrics } from "../observability/metrics";

export interface InteractionInput {
  userId: string;
  itemId: string;
  type: InteractionTypeName;
  value?: number | null;
  occurredAt?: Date | null;
  impressionId?: string | null;
  position?: number | null;
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
// Values are stored as PostgreSQL real (float4, normal range from 1.2e-38):
// a non-zero amount below 1e-30 would underflow (22003) or lose all meaning,
// so it is refused rather than silently stored as 0.
const MIN_NONZERO_AMOUNT = 1e-30;

// Impression ids are the UUIDs impressionService hands out (any case).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_POSITION = 10_000;

function checkImpression(at: string, input: InteractionInput): { impressionId: string | null; position: number | null } {
  const id = input.impressionId ?? null;
  if (id !== null && !UUID.test(id)) throw new BadUserInputError(`${at}.impressionId`, id, "not an impression id this server gave");
  const position = input.position ?? null;
  if (position !== null && !(Number.isInteger(position) && position >= 1 && position <= MAX_POSITION)) {
    throw new BadUserInputError(`${at}.position`, position, `must be from 1 to ${MAX_POSITION}`);
  }
  return { impressionId: id === null ? null : id.toLowerCase(), position };
}

// Named impressions must exist and have been shown to the interaction's user
// (or to nobody in particular: an anonymous answer). Impressions this
// process still buffers are written first, so an id it just gave is known,
// and so is a user's latest impression for the inferred attribution.
async function checkImpressions(ctx: ServiceContext, checked: readonly { userId: string; impressionId: string | null }[]): Promise<void> {
  const named = checked.flatMap((c, i) => (c.impressionId !== null ? [{ i, userId: c.userId, id: c.impressionId }] : []));
  const log = impressionLogOf(ctx.db);
  const inferring = ctx.config.impressions.attributionWindowMs > 0;
  if (log && log.holds(named.map((n) => n.id), inferring ? checked.map((c) => c.userId) : [])) await log.flush();
  if (named.length === 0) return;
  const owners = await findImpressionOwners(ctx.db.prisma, named.map((n) => n.id));
  for (const n of named) {
    const owner = owners.get(n.id);
    if (!owner) throw new BadUserInputError(`interactions[${n.i}].impressionId`, n.id, "no such impression");
    if (owner.userExternalId !== null && owner.userExternalId !== n.userId) {
      throw new BadUserInputError(`interactions[${n.i}].impressionId`, n.id, `the impression was not shown to user ${JSON.stringify(n.userId)}`);
    }
  }
}

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
    if (value !== 0 && Math.abs(value) < MIN_NONZERO_AMOUNT) {
      throw new BadUserInputError(`${at}.value`, value, `must be 0 or at least ${MIN_NONZERO_AMOUNT}`);
    }
    return {
      userId: checkId(`${at}.userId`, input.userId),
      itemId: checkId(`${at}.itemId`, input.itemId),
      type: input.type,
      value,
      occurredAt: input.occurredAt ?? now,
      ...checkImpression(at, input),
    };
  });
  // With impressions off, ids are checked for their form and not attributed.
  const attributing = ctx.config.impressions.enabled;
  if (attributing) await checkImpressions(ctx, checked);
  let touched: number[] = [];
  let attributed: AttributionCount[] = [];
  const result = await inTransaction(ctx.db, async (tx) => {
    const itemIds = await findItemIds(tx, checked.map((c) => c.itemId));
    const missing = [...new Set(checked.map((c) => c.itemId).filter((id) => !itemIds.has(id)))];
    // Throwing inside the transaction rolls back the users created above: nothing is written.
    if (missing.length > 0) throw new NotFoundError("item", missing, "interactions.itemId");
    const users = await ensureUsers(tx, checked.map((c) => c.userId));
    const resolved = checked.map((c) => ({ userId: users.ids.get(c.userId)!, itemId: itemIds.get(c.itemId)!, type: c.type, value: c.value, occurredAt: c.occurredAt }));
    const written = await writeInteractions(tx, resolved);
    if (attributing) {
      const windowMs = ctx.config.impressions.attributionWindowMs;
      const inputs = resolved.map((r, k) => ({ ...r, impressionId: checked[k].impressionId, position: checked[k].position }));
      const wanted = windowMs > 0 ? inputs : inputs.filter((a) => a.impressionId !== null);
      attributed = await writeAttributions(tx, wanted, windowMs);
    }
    // Every replica drops these users' cached histories when this commits.
    await usersChanged(ctx.db, tx, users.ids.values());
    touched = [...users.ids.values()];
    return { ...written, createdUsers: users.created };
  });
  userStateCacheOf(ctx.db)?.invalidate(touched);
  for (const a of attributed) processMetrics().countAttributed(a.surface, a.type, a.inferred ? "inferred" : "named", a.n);
  return { accepted: result.created + result.updated + result.unchanged, ...result };
}

interface InteractionPosition {
  t: string; // occurredAt, ISO
  id: string; // bigint as text
}

// The cursors this field hands out hold a stored occurredAt (DateTime accepts
// the years 1900 to 2200); a date outside 0001..9999 could never have come
// from here and PostgreSQL would refuse it (22008/22009), so it is no cursor.
const MIN_CURSOR_TIME = Date.parse("0001-01-01T00:00:00.000Z");
const MAX_CURSOR_TIME = Date.parse("9999-12-31T23:59:59.999Z");

function isCursorTime(t: unknown): t is string {
  if (typeof t !== "string" || t.length > 40) return false;
  const time = Date.parse(t);
  return Number.isFinite(time) && time >= MIN_CURSOR_TIME && time <= MAX_CURSOR_TIME;
}

function isPosition(value: unknown): value is InteractionPosition {
  const v = value as InteractionPosition;
  return (
    typeof v === "object" && v !== null && isCursorTime(v.t) &&
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
