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

const MAX_ATTRIBUTES_BYTES = 64 * 1024;
const MAX_ATTRIBUTES_DEPTH = 20;

// Free-form JSON (user and item attributes): every key and string must be
// storable (no NUL, no lone surrogate: PostgreSQL's jsonb refuses both, which
// would surface as a 500), nested at most 20 deep and at most 64 KiB.
export function checkAttributes(argument: string, value: Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (value == null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new BadUserInputError(argument, value, "must be a JSON object");
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > MAX_ATTRIBUTES_DEPTH) throw new BadUserInputError(path, "...", `must be nested at most ${MAX_ATTRIBUTES_DEPTH} deep`);
    if (typeof v === "string") {
      checkText(path, v, MAX_ATTRIBUTES_BYTES, true);
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new BadUserInputError(path, v, "must be a finite number");
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        checkText(`${path} key`, k, 256, true);
        walk(x, `${path}.${k}`, depth + 1);
      }
    }
  };
  walk(value, argument, 0);
  const bytes = Buffer.byteLength(JSON.stringify(value), "utf8");
  if (bytes > MAX_ATTRIBUTES_BYTES) throw new BadUserInputError(argument, `${bytes} bytes`, `at most ${MAX_ATTRIBUTES_BYTES} bytes of JSON`);
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
