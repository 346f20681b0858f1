// Training parameters: which ones each servable model knows, how bad ones are
// refused (before anything is read), how `npm run train` parses them, that a
// trained version stores the effective and the given ones, and that they
// really change the fit.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { activateModelVersion, loadActiveModels } from "../../src/db/modelRepository";
import { trainModel } from "../../src/serving/trainModel";
import { parseTrainArgs } from "../../src/cli/train";
import { findServingAlgorithm, SERVING_ALGORITHMS, type ServingAlgorithm } from "../../src/serving/servingAlgorithms";
import { checkParams, effectiveParams, hasParamTable, ParamError, paramSpecsFor } from "../../src/serving/trainingParams";
import { ialsDefaults } from "../../src/engine/algorithms/ials";
import { BASELINE_DEFAULTS } from "../../src/engine/algorithms/baseline";
import fs from "node:fs";
import path from "node:path";
import { tinyCatalog } from "./support/tinyCatalog";
import { RATING_SCALE } from "./support/trainAndServe";

const entry = (name: string): ServingAlgorithm => findServingAlgorithm(name)!;

// The ParamError thrown, as plain fields.
function refusal(fn: () => unknown): { parameter: string; value: unknown; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof ParamError) return { parameter: error.parameter, value: error.value, message: error.message };
    throw error;
  }
  throw new Error("expected a ParamError");
}

describe("each servable model's parameters", () => {
  it("every servable algorithm has a table naming every default and serving default it is trained with", () => {
    for (const e of SERVING_ALGORITHMS) {
      expect({ model: e.name, table: hasParamTable(e) }).toEqual({ model: e.name, table: true });
      const known = Object.keys(paramSpecsFor(e));
      const used = Object.keys({ ...(e.algorithm.defaults as object), ...e.params });
      expect({ model: e.name, unknown: used.filter((k) => !known.includes(k)) }).toEqual({ model: e.name, unknown: [] });
      // The defaults themselves pass the checks (ranges are not narrower than what we ship).
      expect(() => effectiveParams(e, { ...(e.algorithm.defaults as object), ...e.params })).not.toThrow();
    }
  });

  it("effective parameters: the algorithm's defaults, then the serving defaults, then the caller's", () => {
    expect(effectiveParams(entry("ials"), { alpha: 10, nFactors: 64 })).toEqual({ ...ialsDefaults, alpha: 10, nFactors: 64 });
    expect(effectiveParams(entry("ials"), undefined)).toEqual(ialsDefaults);
    // item-knn serves with Jaccard, unshrunk (servingAlgorithms.ts); a nested
    // baseline setting keeps the other baseline defaults.
    expect(effectiveParams(entry("item-knn"), { k: 20, baseline: { regU: 20 } })).toEqual({
      k: 20,
      minK: 1,
      similarity: "jaccard",
      minSupport: 1,
      shrinkage: 0,
      baseline: { ...BASELINE_DEFAULTS, regU: 20 },
    });
    expect(effectiveParams(entry("item-knn"), { similarity: "cosine" })).toMatchObject({ similarity: "cosine", shrinkage: 0 });
    expect(effectiveParams(entry("hybrid"), { weightGrid: [0, 0.5, 1], normalisation: "minmax" })).toMatchObject({ weightGrid: [0, 0.5, 1], normalisation: "minmax", searchRounds: 3 });
  });

  it("refuses an unknown name, listing the model's parameters", () => {
    expect(refusal(() => checkParams(entry("ials"), { alphaa: 10 }))).toEqual({
      parameter: "alphaa",
      value: 10,
      message: "alphaa: is not a parameter of ials; known: alpha, cgSteps, initStd, nFactors, nIterations, regularization, weightedRegularization; got 10",
    });
    expect(refusal(() => checkParams(entry("item-knn"), { baseline: { regX: 1 } })).message).toBe(
      "baseline.regX: is not a parameter of item-knn; known: baseline.learningRate, baseline.method, baseline.nEpochs, baseline.reg, baseline.regI, baseline.regU; got 1",
    );
    // Not even one that every object has.
    expect(refusal(() => checkParams(entry("ease"), JSON.parse(`{"__proto__": {"x": 1}}`))).parameter).toBe("__proto__");
    expect(refusal(() => checkParams(entry("ease"), { toString: 1 })).parameter).toBe("toString");
  });

  it("refuses a value of the wrong type or out of range, naming the parameter and the value", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["ials", { nFactors: 0 }, "nFactors: must be an integer from 1 to 1024; got 0"],
      ["ials", { nFactors: 8.5 }, "nFactors: must be an integer from 1 to 1024; got 8.5"],
      ["ials", { nFactors: "64" }, `nFactors: must be an integer from 1 to 1024; got "64"`],
      ["ials", { alpha: -1 }, "alpha: must be a number from 0 to 1000000; got -1"],
      ["ials", { regularization: 0 }, "regularization: must be a number above 0 and at most 1000000; got 0"],
      ["ials", { alpha: null }, "alpha: must be a number from 0 to 1000000; got null"],
      ["ease", { lambda: 1e300 }, "lambda: must be a number above 0 and at most 10000000; got 1e+300"],
      ["svd", { biased: "yes" }, `biased: must be true or false; got "yes"`],
      ["item-knn", { similarity: "pearsn" }, `similarity: must be one of cosine, adjustedCosine, pearson, euclidean, jaccard, msd, pearsonBaseline; got "pearsn"`],
      ["item-knn", { baseline: { method: "svd" } }, `baseline.method: must be one of als, sgd; got "svd"`],
      ["item-knn", { baseline: 3 }, "baseline: must be an object with any of learningRate, method, nEpochs, reg, regI, regU; got 3"],
      ["hybrid", { weightGrid: [0, 2, -1] }, "weightGrid: must be a list of 2 to 101 numbers, each from 0 to 100; got [0,2,-1]"],
      ["vae", { dropout: 1 }, "dropout: must be a number from 0 to 0.99; got 1"],
    ];
    for (const [model, given, message] of cases) expect({ model, given, message: refusal(() => effectiveParams(entry(model), given)).message }).toEqual({ model, given, message });
    expect(refusal(() => checkParams(entry("ials"), [1, 2])).message).toBe("params: must be an object of ials's parameter names to values; got [1,2]");
  });

  it("checks rules between parameters on the merged ones", () => {
    expect(refusal(() => effectiveParams(entry("user-knn"), { k: 5, minK: 6 })).message).toBe("minK: must be at most k (5); got 6");
    // item-knn serves Jaccard; implicit cosine is allowed, implicit Pearson is not.
    expect(effectiveParams(entry("item-knn"), { implicit: true, similarity: "cosine" })).toMatchObject({ implicit: true, similarity: "cosine" });
    expect(refusal(() => effectiveParams(entry("item-knn"), { implicit: true, similarity: "pearson" })).message).toBe(`similarity: must be cosine or jaccard when implicit is true; got "pearson"`);
  });

  it("a model without a table of its own (a later model, a test's stand-in) takes its defaults' names and types", () => {
    const standIn: ServingAlgorithm = {
      name: "stand-in",
      explicit: false,
      algorithm: { name: "standIn", defaults: { depth: 3, mode: "fast", flags: [1] }, fit: () => ({ name: "standIn", scoreAll: () => new Float32Array(0) }) },
    };
    expect(effectiveParams(standIn, { depth: 7 })).toEqual({ depth: 7, mode: "fast", flags: [1] });
    expect(refusal(() => effectiveParams(standIn, { depth: "7" })).message).toBe(`depth: must be a number; got "7"`);
    expect(refusal(() => effectiveParams(standIn, { depth: Infinity })).message).toBe("depth: must be a number; got Infinity");
    expect(refusal(() => effectiveParams(standIn, { flags: 1 })).message).toBe("flags: must be a list; got 1");
    expect(refusal(() => effectiveParams(standIn, { width: 1 })).message).toBe("width: is not a parameter of stand-in; known: depth, flags, mode; got 1");
  });
});

describe("README's table of training parameters", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Training parameters"));
  const rows = section.split("\n").filter((line) => line.startsWith("| `"));

  it.each(SERVING_ALGORITHMS.map((e) => [e.name, e] as const))("lists every parameter of %s with its default", (name, e) => {
    const row = rows.find((r) => r.split("|")[1].includes(`\`${name}\``));
    expect({ name, row: row !== undefined }).toEqual({ name, row: true });
    const effective = effectiveParams(e, {});
    for (const [key, spec] of Object.entries(paramSpecsFor(e))) {
      const names = spec.type === "object" ? Object.keys(spec.fields).map((k) => [`${key}.${k}`, (effective[key] as Record<string, unknown>)[k]] as const) : [[key, effective[key]] as const];
      for (const [param, value] of names) {
        const shown = value === undefined ? "unset" : Array.isArray(value) ? "[" : String(value);
        expect({ name, param, documented: row!.includes(`\`${param}\` ${shown}`) }).toEqual({ name, param, documented: true });
      }
    }
  });
});

describe("npm run train's parameters", () => {
  it("--param name=value (repeatable, JSON values, dotted names) and --params JSON", () => {
    expect(parseTrainArgs(["--model", "ials", "--param", "alpha=10", "--param", "nFactors=64"])).toEqual({
      models: ["ials"],
      seed: 42,
      activate: true,
      evaluate: true,
      params: { alpha: 10, nFactors: 64 },
    });
    expect(parseTrainArgs(["--model", "ials", "--params", `{"alpha": 10, "nFactors": 64}`]).params).toEqual({ alpha: 10, nFactors: 64 });
    expect(parseTrainArgs(["--model=ials", "--params={\"alpha\":1}", "--param=alpha=2.5"]).params).toEqual({ alpha: 2.5 });
    // Text that is not JSON is a string; JSON lists and booleans are values.
    expect(parseTrainArgs(["--model", "item-knn", "--param", "similarity=cosine", "--param", "baseline.regU=20", "--param", "baseline.method=sgd", "--param", "implicit=true"]).params).toEqual({
      similarity: "cosine",
      baseline: { regU: 20, method: "sgd" },
      implicit: true,
    });
    expect(parseTrainArgs(["--model", "hybrid", "--param", "weightGrid=[0,0.5,1]"]).params).toEqual({ weightGrid: [0, 0.5, 1] });
    // One parameter for several models that all know it.
    expect(parseTrainArgs(["--model", "ials,bpr", "--param", "nFactors=16"])).toMatchObject({ models: ["ials", "bpr"], params: { nFactors: 16 } });
  });

  it("refuses bad parameters before anything is read, naming the model, the parameter and the value", () => {
    expect(() => parseTrainArgs(["--model", "ials", "--param", "alpha"])).toThrow(`--param must be name=value, e.g. alpha=10; got "alpha"`);
    expect(() => parseTrainArgs(["--model", "ials", "--param"])).toThrow(`--param must be name=value, e.g. alpha=10; got undefined`);
    expect(() => parseTrainArgs(["--model", "ials", "--param", "=3"])).toThrow(`--param must be name=value`);
    expect(() => parseTrainArgs(["--model", "ials", "--params", "[1]"])).toThrow(`--params must be a JSON object, e.g. '{"alpha": 10}'; got [1]`);
    expect(() => parseTrainArgs(["--model", "ials", "--params", "{alpha: 1}"])).toThrow(`--params must be a JSON object, e.g. '{"alpha": 10}'; got "{alpha: 1}"`);
    expect(() => parseTrainArgs(["--model", "ials", "--param", "alphaa=10"])).toThrow(
      "invalid --param for ials: alphaa: is not a parameter of ials; known: alpha, cgSteps, initStd, nFactors, nIterations, regularization, weightedRegularization; got 10",
    );
    expect(() => parseTrainArgs(["--model", "ials", "--param", "nFactors=0"])).toThrow("invalid --param for ials: nFactors: must be an integer from 1 to 1024; got 0");
    expect(() => parseTrainArgs(["--model", "ials", "--params", `{"__proto__": 1}`])).toThrow("invalid --param for ials: __proto__: is not a parameter of ials");
    expect(() => parseTrainArgs(["--model", "ials", "--param", "__proto__.x=1"])).toThrow("--param must be name=value");
    // ease has no nFactors: the second model named refuses it.
    expect(() => parseTrainArgs(["--model", "ials,ease", "--param", "nFactors=8"])).toThrow("invalid --param for ease: nFactors: is not a parameter of ease; known: lambda; got 8");
    expect(() => parseTrainArgs(["--model", "all", "--param", "nFactors=8"])).toThrow("invalid --param for popular: nFactors");
  });
});

describe.each(databaseTargets())("trained versions and their parameters on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  const factorsOf = async (name: string) => {
    const stored = (await loadActiveModels(t.db)).find((m) => m.name === name)!;
    return { nFactors: stored.serialized.meta.nFactors, itemFactors: stored.serialized.arrays.itemFactors };
  };

  it("stores the effective and the given parameters with the version, shown by models", async () => {
    const trained = await trainModel(t.db, "ials", { seed: 3, ratingScale: RATING_SCALE, evaluate: false, params: { nFactors: 4, alpha: 10 } });
    expect(trained.version).toMatchObject({ name: "ials", version: 1, params: { ...ialsDefaults, nFactors: 4, alpha: 10 }, givenParams: { nFactors: 4, alpha: 10 } });
    const defaults = await trainModel(t.db, "ials", { seed: 3, ratingScale: RATING_SCALE, evaluate: false });
    expect(defaults.version).toMatchObject({ version: 2, params: ialsDefaults, givenParams: {} });
    const knn = await trainModel(t.db, "item-knn", { seed: 3, ratingScale: RATING_SCALE, evaluate: false, params: { k: 2, baseline: { regU: 3 } } });
    expect(knn.version.params).toEqual({ k: 2, minK: 1, similarity: "jaccard", minSupport: 1, shrinkage: 0, baseline: { ...BASELINE_DEFAULTS, regU: 3 } });

    const answer = await server.run(`{ models { name versions { version params givenParams } } }`);
    expect(answer.errors).toBeUndefined();
    const byName = Object.fromEntries(answer.data.models.map((m: { name: string; versions: unknown[] }) => [m.name, m.versions]));
    expect(byName.ials).toEqual([
      { version: 2, params: ialsDefaults, givenParams: {} },
      { version: 1, params: { ...ialsDefaults, nFactors: 4, alpha: 10 }, givenParams: { nFactors: 4, alpha: 10 } },
    ]);
    expect(byName["item-knn"]).toEqual([{ version: 1, params: knn.version.params, givenParams: { k: 2, baseline: { regU: 3 } } }]);
  });

  it("a version stored before training parameters were kept shows the algorithm's serialized ones", async () => {
    await t.db.sql.query(`UPDATE model_versions SET params = params - 'training' WHERE name = 'ials' AND version = 1`);
    const answer = await server.run(`{ models { name versions { version params givenParams } } }`);
    const ials = answer.data.models.find((m: { name: string }) => m.name === "ials");
    expect(ials.versions[1]).toEqual({ version: 1, params: { ...ialsDefaults, nFactors: 4, alpha: 10 }, givenParams: {} });
  });

  it("nFactors changes the stored factors' shape, alpha their values", async () => {
    const fit = async (params: Record<string, unknown>) => {
      const { version } = await trainModel(t.db, "ials", { seed: 3, ratingScale: RATING_SCALE, evaluate: false, params });
      await activateModelVersion(t.db, "ials", version.version);
      return factorsOf("ials");
    };
    const nItems = tinyCatalog().items.length;
    const four = await fit({ nFactors: 4 });
    expect(four.nFactors).toBe(4);
    expect(four.itemFactors.length).toBe(nItems * 4);
    const twelve = await fit({ nFactors: 12 });
    expect(twelve.nFactors).toBe(12);
    expect(twelve.itemFactors.length).toBe(nItems * 12);
    // Same seed and shape: the same fit, unless α changes the confidences.
    expect(Array.from((await fit({ nFactors: 4 })).itemFactors)).toEqual(Array.from(four.itemFactors));
    const alpha = await fit({ nFactors: 4, alpha: 40 });
    expect(alpha.itemFactors.length).toBe(nItems * 4);
    expect(Array.from(alpha.itemFactors)).not.toEqual(Array.from(four.itemFactors));
  });

  it("a bad parameter is refused before a version is saved", async () => {
    const before = await t.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM model_versions`);
    await expect(trainModel(t.db, "ease", { seed: 1, ratingScale: RATING_SCALE, params: { lambda: -5 } })).rejects.toThrow(new ParamError("lambda", -5, "must be a number above 0 and at most 10000000"));
    expect(await t.db.sql.query(`SELECT count(*)::int AS n FROM model_versions`)).toEqual(before);
  });
});
