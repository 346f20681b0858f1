import { baselineOnly, BASELINE_DEFAULTS, fitBaselines } from "../../../src/engine/algorithms/baseline";
import { buildTrainingSet, type InteractionInput } from "../../../src/engine/data/buildTrainingSet";
import { modelRmse, syntheticFixture } from "../support/syntheticFixture";

const rating = (user: number, item: number, value: number): InteractionInput => ({ user, item, kind: "RATING", value, timestamp: 0 });

describe("fitBaselines", () => {
  // u0: i0 = 4, i1 = 2; u1: i0 = 5. mu = 11/3. One ALS epoch, reg_i = reg_u = 1:
  //   b_i0 = ((4 - 11/3) + (5 - 11/3)) / (1 + 2) = (5/3) / 3 = 5/9
  //   b_i1 = (2 - 11/3) / (1 + 1) = -5/6
  //   b_u0 = ((4 - 11/3 - 5/9) + (2 - 11/3 + 5/6)) / (1 + 2) = (-2/9 - 5/6) / 3 = -19/54
  //   b_u1 = (5 - 11/3 - 5/9) / (1 + 1) = 7/18
  //   predict(u1, i1) = 11/3 + 7/18 - 5/6 = 29/9
  const data = buildTrainingSet([rating(0, 0, 4), rating(0, 1, 2), rating(1, 0, 5)], { nUsers: 2, nItems: 2, explicit: true });

  it("solves one ALS epoch as Surprise's baseline_als does (worked by hand)", () => {
    const b = fitBaselines(data, { regI: 1, regU: 1, nEpochs: 1 });
    expect(b.globalMean).toBeCloseTo(11 / 3, 12);
    expect(b.itemBias[0]).toBeCloseTo(5 / 9, 12);
    expect(b.itemBias[1]).toBeCloseTo(-5 / 6, 12);
    expect(b.userBias[0]).toBeCloseTo(-19 / 54, 12);
    expect(b.userBias[1]).toBeCloseTo(7 / 18, 12);
    const model = baselineOnly.fit(data, { regI: 1, regU: 1, nEpochs: 1 }, { seed: 0 });
    expect(model.predict!(1, 1)).toBeCloseTo(29 / 9, 12);
  });

  it("defaults to Surprise's BaselineOnly: ALS, reg_i 10, reg_u 15, 10 epochs", () => {
    expect(BASELINE_DEFAULTS).toMatchObject({ method: "als", regI: 10, regU: 15, nEpochs: 10 });
  });
});

describe("baselineOnly", () => {
  const { data, test } = syntheticFixture();

  it("pins its RMSE on the synthetic catalog (global mean alone: 1.1998)", () => {
    const model = baselineOnly.fit(data, {}, { seed: 0 });
    expect(modelRmse(model, test)).toBeCloseTo(1.065922, 5);
  });

  it("SGD baselines also beat the global mean", () => {
    const model = baselineOnly.fit(data, { method: "sgd", nEpochs: 20 }, { seed: 0 });
    expect(modelRmse(model, test)).toBeLessThan(1.15);
  });

  it("is deterministic", () => {
    const a = baselineOnly.fit(data, {}, { seed: 1 }).scoreAll(3);
    const b = baselineOnly.fit(data, {}, { seed: 2 }).scoreAll(3);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it("clips predictions to the rating scale", () => {
    const d = buildTrainingSet([rating(0, 0, 5), rating(1, 0, 5)], { nUsers: 2, nItems: 1, explicit: true, ratingScale: { min: 1, max: 3 } });
    expect(baselineOnly.fit(d, {}, { seed: 0 }).predict!(0, 0)).toBe(3);
  });

  it("predicts mu + b_i for a cold-start user and mu + b_u for a cold-start item", () => {
    const model = baselineOnly.fit(data, {}, { seed: 0 });
    const b = fitBaselines(data);
    expect(model.predict!(data.nUsers, 4)).toBeCloseTo(b.globalMean + b.itemBias[4], 6);
    expect(model.predict!(2, data.nItems + 5)).toBeCloseTo(b.globalMean + b.userBias[2], 6);
    expect(model.predict!(-1, -1)).toBeCloseTo(b.globalMean, 6);
    expect(model.scoreAll(data.nUsers)).toHaveLength(data.nItems);
  });
});
