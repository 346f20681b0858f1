import { GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { GraphQLError } from "graphql";
import { ErrorCode, describe } from "./errors";
import { checkAttributes } from "../services/validation";

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// Accepts ISO-8601 strings with a time zone (or a date alone, taken as UTC midnight).
function parseDate(value: unknown): Date {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2}))?$/.test(value)) {
    throw badInput(`DateTime must be an ISO-8601 date-time with a time zone, e.g. "2026-11-28T12:00:00Z"; got ${describe(value)}`);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badInput(`DateTime is not a real date; got ${describe(value)}`);
  // Date rolls a day that does not exist over into the next month (2026-02-30
  // becomes 2026-03-02); refuse it instead. The written day must be a day of
  // that month in the proleptic Gregorian calendar (RFC 3339 section 5.7).
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw badInput(`DateTime is not a real date: ${value.slice(0, 10)} does not exist; got ${describe(value)}`);
  }
  if (date.getUTCFullYear() < 1900 || date.getUTCFullYear() > 2200) throw badInput(`DateTime must be between the years 1900 and 2200; got ${describe(value)}`);
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new TypeError(`DateTime cannot serialize ${String(value)}`);
    return date.toISOString();
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badInput(`DateTime must be a string; got a ${ast.kind}`);
    return parseDate(ast.value);
  },
});

function literalToJson(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]));
    case Kind.VARIABLE:
      return variables ? variables[ast.name.value] : undefined;
    default:
      throw badInput(`JSON cannot represent ${ast.kind}`);
  }
}

// The same rules as the services' checkAttributes (storable strings and keys:
// no NUL, no lone surrogate; at most 20 deep and 64 KiB), applied as early as
// the value is parsed, so no JSON argument can reach PostgreSQL's jsonb
// unchecked whichever field takes it.
function checkJsonObject(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badInput(`JSON attributes must be an object; got ${describe(value)}`);
  }
  try {
    return checkAttributes("attributes", value as Record<string, unknown>);
  } catch (error) {
    // Raised while coercing a variable or literal: GraphQL names the variable
    // itself (docs/ERRORS.md: no `argument` on these), so keep only the message.
    throw badInput((error as Error).message);
  }
}

export const JsonScalar = new GraphQLScalarType<Record<string, unknown>, unknown>({
  name: "JSON",
  serialize: (value) => value,
  parseValue: checkJsonObject,
  parseLiteral: (ast, variables) => checkJsonObject(literalToJson(ast, variables)),
});
