import { BadUserInputError } from "../graphql/errors";

export function checkFinite(argument: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new BadUserInputError(argument, value, "must be a finite number");
  }
  return value;
}

// Ids, titles, facets: no control characters, not blank, bounded length.
export function checkText(argument: string, value: string, maxLength: number, allowEmpty = false): string {
  if (typeof value !== "string") throw new BadUserInputError(argument, value, "must be a string");
  if (!allowEmpty && value.trim() === "") throw new BadUserInputError(argument, value, "must not be blank");
  if (value.length > maxLength) throw new BadUserInputError(argument, `${value.slice(0, 40)}... (${value.length} characters)`, `at most ${maxLength} characters`);
  // NUL cannot be stored in PostgreSQL text; lone surrogates are not valid UTF-8.
  if (/\u0000/.test(value)) throw new BadUserInputError(argument, value, "must not contain NUL characters");
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) {
    throw new BadUserInputError(argument, value, "must be valid Unicode (no lone surrogates)");
  }
  return value;
}

export function checkAttributes(argument: string, value: Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (value == null) return {};
  const text = JSON.stringify(value);
  if (text.includes("\\u0000")) throw new BadUserInputError(argument, value, "must not contain NUL characters");
  return value;
}

// The catalog's own ids (users, items): bounded, storable text.
export const MAX_ID_LENGTH = 256;

export function checkId(argument: string, id: string): string {
  return checkText(argument, id, MAX_ID_LENGTH);
}

// A list of ids asked for at once: at most `max`, each a valid id.
export function checkIdList(argument: string, ids: readonly string[], max = 100): readonly string[] {
  if (ids.length > max) throw new BadUserInputError(argument, `${ids.length} ids`, `at most ${max}`);
  ids.forEach((id, i) => checkId(`${argument}[${i}]`, id));
  return ids;
}
