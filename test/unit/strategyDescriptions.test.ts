// The schema tells clients what serves each strategy, so its descriptions
// must follow STRATEGY_MODELS: each names, in backticks and in order, exactly
// the models that serve the strategy (a change to STRATEGY_MODELS fails here
// until the description is updated), and none still says a strategy is a
// plan rather than served.
import { buildSchema, type GraphQLEnumType } from "graphql";
import { loadTypeDefs } from "../../src/graphql/typeDefs";
import { SERVING_ALGORITHMS, STRATEGY_MODELS } from "../../src/serving/servingAlgorithms";

const STALE = [/for now/i, /\blater\b/i, /not served/i, /\bplanned\b/i, /\bsoon\b/i];

const strategyEnum = buildSchema(loadTypeDefs().join("\n")).getType("Strategy") as GraphQLEnumType;
const descriptions = new Map(strategyEnum.getValues().map((v) => [v.name, v.description ?? ""]));

// The serving model names a description mentions in backticks, in order of first mention.
function modelsNamed(description: string): string[] {
  const served = new Set(SERVING_ALGORITHMS.map((a) => a.name));
  const named = [...description.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((name) => served.has(name));
  return [...new Set(named)];
}

describe("Strategy descriptions", () => {
  it("describe every strategy the server serves, and only those", () => {
    expect([...descriptions.keys()].sort()).toEqual(Object.keys(STRATEGY_MODELS).sort());
  });

  it.each(Object.entries(STRATEGY_MODELS))("%s names the models that serve it, in order: %j", (strategy, models) => {
    const description = descriptions.get(strategy)!;
    expect({ strategy, named: modelsNamed(description) }).toEqual({ strategy, named: [...models] });
    expect({ strategy, stale: STALE.filter((phrase) => phrase.test(description)).map(String) }).toEqual({ strategy, stale: [] });
  });

  it("HYBRID is described as the learned blend chosen for the catalog, without naming a fixed pair of models", () => {
    const hybrid = descriptions.get("HYBRID")!;
    expect(hybrid).toMatch(/learned blend/);
    expect(hybrid).toMatch(/catalog/);
    expect(hybrid).not.toMatch(/\bEASE\b|\biALS\b/i);
  });

  it("the checks can fail: a description left behind by a change to STRATEGY_MODELS is caught", () => {
    const old = "The best available model: for now ITEM_KNN, else CONTENT, else POPULAR (a learned blend comes later).";
    expect(modelsNamed(old)).toEqual([]);
    expect(STALE.filter((phrase) => phrase.test(old)).length).toBe(2);
    expect(modelsNamed("Latent factors: `svd`, else `ials`, else `bpr`; `svd` again.")).toEqual(["svd", "ials", "bpr"]);
  });
});
