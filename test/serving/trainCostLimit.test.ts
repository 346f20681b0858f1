// trainModel refuses, before any work, a fit whose cost or memory the
// algorithm estimates above the limit (Mult-DAE's cost grows with users ×
// items, EASE^R's memory with items²), and saves nothing; at the limit it trains.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { importCatalog } from "../../src/services/importService";
import { listModelVersions } from "../../src/db/modelRepository";
import { readTrainingData } from "../../src/db/trainingDataRepository";
import { TrainError, trainModel } from "../../src/serving/trainModel";
import { tinyCatalog } from "./support/tinyCatalog";
import { RATING_SCALE } from "./support/trainAndServe";

describe.each(databaseTargets())("training cost limit on %s", (target) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
  }, 120_000);
  afterAll(async () => {
    await t?.dispose();
  });

  it("refuses up front a fit whose estimated cost is over the limit, and saves nothing", async () => {
    const data = await readTrainingData(t.db);
    // vae on the tiny catalog, 7 users with a history × 9 items, 17 entries, H 200, 28 epochs, one batch:
    // 28 × (3·7·200·9 + 2·17·200 + (2·9·200 + 9 + 200)) = 28 × (37,800 + 6,800 + 3,809) = 1,355,452.
    const refused = trainModel(t.db, "vae", { seed: 1, ratingScale: RATING_SCALE, data, maxFitMultiplyAdds: 1_000_000 });
    await expect(refused).rejects.toThrow(TrainError);
    await expect(refused).rejects.toThrow(
      "vae would need about 1.4e+6 multiply-adds to fit 8 users × 9 items (its cost grows with users × items; 1 MiB), over the limit of 1.0e+6; train a model whose cost grows with the interactions instead (ials, bpr, item-knn)",
    );
    expect(await listModelVersions(t.db, "vae")).toEqual([]);
  });

  it("refuses up front a fit whose estimated memory is over the training budget, naming the setting, and saves nothing", async () => {
    const data = await readTrainingData(t.db);
    // EASE^R on 9 items: 36 bytes × 81 item pairs = 2,916 bytes; twice that with the held-out check.
    const refused = trainModel(t.db, "ease", { seed: 1, ratingScale: RATING_SCALE, data, memoryBudgetBytes: 5_000 });
    await expect(refused).rejects.toThrow(TrainError);
    await expect(refused).rejects.toThrow(
      "ease would need about 1 MiB of memory to fit 8 users × 9 items (twice the fit's own, to also fit the held-out check), over the training budget of 1 MiB (MARQUEE_TRAIN_MEMORY_MB); " +
        "raise the budget, train without the held-out check (--no-evaluate) or train a model that grows with the interactions (ials, bpr, or hybrid with its default parts)",
    );
    expect(await listModelVersions(t.db, "ease")).toEqual([]);
    // Without the held-out check the same budget holds the fit.
    const trained = await trainModel(t.db, "ease", { seed: 1, ratingScale: RATING_SCALE, data, memoryBudgetBytes: 5_000, evaluate: false });
    expect(trained.version).toMatchObject({ name: "ease", version: 1 });
  });

  it("trains at the limit, and does not limit algorithms without an estimate", async () => {
    const data = await readTrainingData(t.db);
    const trained = await trainModel(t.db, "vae", { seed: 1, ratingScale: RATING_SCALE, data, maxFitMultiplyAdds: 1_355_452, evaluate: false });
    expect(trained.version).toMatchObject({ name: "vae", version: 1, algorithm: "multVae" });
    const popular = await trainModel(t.db, "popular", { seed: 1, ratingScale: RATING_SCALE, data, maxFitMultiplyAdds: 0, evaluate: false });
    expect(popular.version).toMatchObject({ name: "popular", version: 1 });
  });
});
