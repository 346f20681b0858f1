// Opaque cursors: base64url of "<kind>:<json>". Clients must not build them;
// a cursor that does not decode is BAD_USER_INPUT naming the argument.
import { BadUserInputError } from "./errors";

export function encodeCursor(kind: string, position: unknown): string {
  return Buffer.from(`${kind}:${JSON.stringify(position)}`, "utf8").toString("base64url");
}

export function decodeCursor<T>(kind: string, cursor: string, argument: string, check: (value: unknown) => value is T): T {
  const fail = () => new BadUserInputError(argument, cursor, "not a cursor returned by this field");
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw fail();
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith(`${kind}:`)) throw fail();
  let value: unknown;
  try {
    value = JSON.parse(text.slice(kind.length + 1));
  } catch {
    throw fail();
  }
  if (!check(value)) throw fail();
  return value;
}

// Positive and within PostgreSQL's integer (int4) range, like our serial ids.
export function isPositiveInt(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647;
}

// `first` arguments: 1..max, named in the error.
export function checkFirst(first: number | null | undefined, max: number, argument = "first"): number {
  const value = first ?? 20;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new BadUserInputError(argument, first, `must be an integer from 1 to ${max}`);
  }
  return value;
}
