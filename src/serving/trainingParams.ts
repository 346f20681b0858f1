// Training parameters a caller may set (`npm run train -- --param`, the
// trainModel mutation's `params`): which ones each servable algorithm knows,
// their types and the ranges we accept, and the effective parameters a
// version is trained with and stored with — the algorithm's defaults, then
// the serving defaults (servingAlgorithms.ts), then the caller's.
//
// Ranges are sanity bounds, not tuned values: wide enough for any sensible
// setting (iALS's α for play counts, 500 factors), narrow enough that a typo
// (a negative rate, 1e9 factors) is refused before a fit runs for an hour.
import { SIMILARITY_NAMES } from "../engine/similarity/similarityMatrix";
import type { ServingAlgorithm } from "./servingAlgorithms";

export type ParamSpec =
  | { readonly type: "integer"; readonly min: number; readonly max: number }
  // `above`: min itself is excluded (a rate or a regularisation of 0 is no setting).
  | { readonly type: "number"; readonly min: number; readonly max: number; readonly above?: boolean }
  | { readonly type: "boolean" }
  | { readonly type: "enum"; readonly values: readonly string[] }
  | { readonly type: "numbers"; readonly min: number; readonly max: number; readonly minLength: number; readonly maxLength: number }
  | { readonly type: "object"; readonly fields: ParamSpecs }
  // An algorithm without a table here: the type of its default value, no range.
  | { readonly type: "like"; readonly example: unknown };

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

interface AlgorithmParams {
  readonly specs: ParamSpecs;
  // Rules between parameters, checked on the effective parameters.
  readonly check?: (p: Record<string, unknown>) => ParamError | undefined;
}

// A parameter that cannot be used: its dotted name (e.g. "baseline.regU"),
// the value given and what is wrong. The CLI prints it; the API answers it
// as BAD_USER_INPUT with argument "params.<name>".
export class ParamError extends Error {
  override name = "ParamError";
  constructor(
    readonly parameter: string,
    readonly value: unknown,
    readonly problem: string,
  ) {
    super(`${parameter}: ${problem}; got ${shown(value)}`);
  }
}

function shown(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

const int = (min: number, max: number): ParamSpec => ({ type: "integer", min, max });
const num = (min: number, max: number, above = false): ParamSpec => ({ type: "number", min, max, ...(above ? { above } : {}) });
const bool: ParamSpec = { type: "boolean" };
const oneOf = (...values: string[]): ParamSpec => ({ type: "enum", values });
const SEED = int(0, 2 ** 31 - 1);
const FACTORS = int(1, 1024);
const EPOCHS = int(1, 1000);
const RATE = num(0, 1, true);

const BASELINE: ParamSpecs = {
  method: oneOf("als", "sgd"),
  nEpochs: EPOCHS,
  regU: num(0, 1e6),
  regI: num(0, 1e6),
  learningRate: RATE,
  reg: num(0, 1000),
};

// The next-item networks' shared training loop (sequenceTraining.ts).
const SEQUENCE_TRAINING: ParamSpecs = {
  maxLength: int(2, 1000),
  windows: int(1, 100),
  batchSize: int(1, 10_000),
  learningRate: RATE,
  nEpochs: EPOCHS,
  // 0: no early stopping (every epoch is trained).
  patience: int(0, 1000),
  validateEvery: int(1, 1000),
};

const KNN: AlgorithmParams = {
  specs: {
    k: int(1, 1000),
    minK: int(1, 1000),
    similarity: oneOf(...SIMILARITY_NAMES),
    minSupport: int(1, 1_000_000),
    shrinkage: num(0, 1e6),
    baseline: { type: "object", fields: BASELINE },
    implicit: bool,
    normalizeNeighbours: bool,
    storedNeighbours: int(1, 10_000),
  },
  check: (p) => {
    if (typeof p.minK === "number" && typeof p.k === "number" && p.minK > p.k) return new ParamError("minK", p.minK, `must be at most k (${p.k})`);
    if (p.implicit === true && p.similarity !== "cosine" && p.similarity !== "jaccard") {
      return new ParamError("similarity", p.similarity, "must be cosine or jaccard when implicit is true");
    }
    return undefined;
  },
};

// By the engine algorithm's name (Algorithm.name), so every model name that
// serves an algorithm shares its table.
const TABLES: Readonly<Record<string, AlgorithmParams>> = {
  popularity: {
    specs: {
      weighting: oneOf("count", "sum"),
      halfLifeDays: num(0, 36_500),
      // Seconds since the epoch the decay is measured from (default: the latest interaction).
      now: num(0, 4_102_444_800),
    },
  },
  itemKnn: KNN,
  userKnn: KNN,
  contentBased: { specs: { centreRatings: bool } },
  baselineOnly: { specs: BASELINE },
  ials: {
    specs: { nFactors: FACTORS, nIterations: int(1, 100), regularization: num(0, 1e6, true), alpha: num(0, 1e6), cgSteps: int(1, 50), initStd: num(0, 1, true), weightedRegularization: bool },
  },
  bpr: {
    specs: { nFactors: FACTORS, nEpochs: EPOCHS, learningRate: RATE, regularization: num(0, 10), initStd: num(0, 1, true), foldInSeed: SEED },
  },
  svd: {
    specs: { nFactors: FACTORS, nEpochs: EPOCHS, lrAll: RATE, regAll: num(0, 10), initMean: num(-1, 1), initStd: num(0, 1), biased: bool, foldInSeed: SEED },
  },
  ease: { specs: { lambda: num(0, 1e7, true) } },
  multVae: {
    specs: {
      hiddenDim: int(1, 2048),
      nEpochs: EPOCHS,
      batchSize: int(1, 100_000),
      learningRate: RATE,
      dropout: num(0, 0.99),
      weightDecay: num(0, 10),
      // A share of the users (0: no early stopping).
      validationUsers: num(0, 0.5),
      patience: int(1, 1000),
    },
  },
  transitions: {
    specs: {
      window: int(1, 100),
      distanceDecay: num(0, 1),
      maxSuccessors: int(1, 10_000),
      recent: int(1, 200),
      recencyDecay: num(0, 1),
      popularityDiscount: num(0, 2),
    },
  },
  sasrec: { specs: { dim: int(1, 1024), blocks: int(1, 8), dropout: num(0, 0.99), ...SEQUENCE_TRAINING } },
  gru4rec: { specs: { dim: int(1, 1024), dropout: num(0, 0.99), ...SEQUENCE_TRAINING } },
  rankingBlend: {
    specs: {
      validationFraction: num(0, 0.5, true),
      normalisation: oneOf("minmax", "zscore"),
      weightGrid: { type: "numbers", min: 0, max: 100, minLength: 2, maxLength: 101 },
      searchRounds: int(1, 20),
      maxValidationUsers: int(1, 10_000_000),
      validationCacheMb: int(0, 1_000_000),
      ridge: num(0, 1000),
      supportFeatures: bool,
      parts: oneOf("auto", "ease+ials", "rp3beta+ials"),
      easeMaxItems: int(0, 1_000_000),
      rp3betaNeighbours: int(1, 10_000),
    },
  },
};

// Whether the algorithm has a table of its own (a test checks that every servable one does).
export function hasParamTable(entry: ServingAlgorithm): boolean {
  return TABLES[entry.algorithm.name] !== undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// The parameters `entry` knows: its table, or (a model without one) the keys
// of its defaults with their types.
export function paramSpecsFor(entry: ServingAlgorithm): ParamSpecs {
  const table = TABLES[entry.algorithm.name];
  if (table) return table.specs;
  const defaults = { ...(entry.algorithm.defaults as Record<string, unknown>), ...entry.params };
  return Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, { type: "like", example: v } satisfies ParamSpec]));
}

function describeSpec(spec: ParamSpec): string {
  const range = (s: { min: number; max: number; above?: boolean }) => (s.above ? `above ${s.min} and at most ${s.max}` : `from ${s.min} to ${s.max}`);
  switch (spec.type) {
    case "integer":
      return `must be an integer ${range(spec)}`;
    case "number":
      return `must be a number ${range(spec)}`;
    case "boolean":
      return "must be true or false";
    case "enum":
      return `must be one of ${spec.values.join(", ")}`;
    case "numbers":
      return `must be a list of ${spec.minLength} to ${spec.maxLength} numbers, each ${range(spec)}`;
    case "object":
      return `must be an object with any of ${Object.keys(spec.fields).sort().join(", ")}`;
    case "like":
      return `must be ${Array.isArray(spec.example) ? "a list" : isObject(spec.example) ? "an object" : `a ${typeof spec.example}`}`;
  }
}

function inRange(x: number, spec: { min: number; max: number; above?: boolean }): boolean {
  return Number.isFinite(x) && (spec.above ? x > spec.min : x >= spec.min) && x <= spec.max;
}

function checkValue(name: string, value: unknown, spec: ParamSpec, owner: string): unknown {
  const bad = () => new ParamError(name, value, describeSpec(spec));
  switch (spec.type) {
    case "integer":
      if (typeof value !== "number" || !Number.isSafeInteger(value) || !inRange(value, spec)) throw bad();
      return value;
    case "number":
      if (typeof value !== "number" || !inRange(value, spec)) throw bad();
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw bad();
      return value;
    case "enum":
      if (typeof value !== "string" || !spec.values.includes(value)) throw bad();
      return value;
    case "numbers":
      if (!Array.isArray(value) || value.length < spec.minLength || value.length > spec.maxLength) throw bad();
      if (!value.every((x) => typeof x === "number" && inRange(x, spec))) throw bad();
      return [...value];
    case "object":
      if (!isObject(value)) throw bad();
      return checkAll(value, spec.fields, owner, `${name}.`);
    case "like": {
      const kind = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
      if (kind(value) !== kind(spec.example) || (typeof value === "number" && !Number.isFinite(value))) throw bad();
      return value;
    }
  }
}

function checkAll(given: Record<string, unknown>, specs: ParamSpecs, owner: string, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    const spec = Object.hasOwn(specs, key) ? specs[key] : undefined;
    if (!spec) throw new ParamError(`${prefix}${key}`, value, `is not a parameter of ${owner}; known: ${Object.keys(specs).sort().map((k) => `${prefix}${k}`).join(", ")}`);
    out[key] = checkValue(`${prefix}${key}`, value, spec, owner);
  }
  return out;
}

// The caller's parameters for `entry`, checked: every name known, every value
// of its type and in range. Throws ParamError naming the first bad one.
export function checkParams(entry: ServingAlgorithm, given: unknown): Record<string, unknown> {
  if (given == null) return {};
  if (!isObject(given)) throw new ParamError("params", given, `must be an object of ${entry.name}'s parameter names to values`);
  return checkAll(given, paramSpecsFor(entry), entry.name, "");
}

// What `entry` is trained with: the algorithm's defaults, the serving
// defaults, then `given` (checked with checkParams first). Object-valued
// parameters (kNN's baseline) merge one level deep, so setting
// baseline.regU keeps the other baseline settings.
export function effectiveParams(entry: ServingAlgorithm, given: unknown): Record<string, unknown> {
  const checked = checkParams(entry, given);
  const out: Record<string, unknown> = { ...(entry.algorithm.defaults as Record<string, unknown>) };
  for (const layer of [entry.params ?? {}, checked]) {
    for (const [key, value] of Object.entries(layer)) out[key] = isObject(value) && isObject(out[key]) ? { ...out[key], ...value } : value;
  }
  const problem = TABLES[entry.algorithm.name]?.check?.(out);
  if (problem) throw problem;
  return out;
}

// `--param name=value` (value as JSON when it parses, e.g. 10, true, [0,1];
// else the text, e.g. jaccard) into a params object; a dotted name sets a
// nested parameter (baseline.regU=20). Later settings win.
export function parseParamAssignment(into: Record<string, unknown>, assignment: string): Record<string, unknown> {
  const at = assignment.indexOf("=");
  if (at <= 0) throw new ParamError("--param", assignment, "must be name=value, e.g. alpha=10");
  const path = assignment.slice(0, at).split(".");
  if (path.some((p) => p === "" || p === "__proto__")) throw new ParamError("--param", assignment, "must be name=value, e.g. alpha=10");
  const text = assignment.slice(at + 1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  let node = into;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
  return into;
}
