// Experiments over real HTTP: create, start, read and stop; the hashed,
// sticky assignment; requests without a strategy following the user's arm
// (a strategy, or exactly an inactive model version) and their impressions
// labelled with experiment and arm; an explicit strategy outside the
// experiment; a guardrail stopping an arm with its reason; A/A shown; the
// always-valid result saying "no winner yet" until clicks clearly favour an
// arm; no extra statement per request; and every bad input.
import { countStatements, databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp, type LoggedLine } from "../support/testServer";
import { pollUntil } from "../support/pollUntil";
import type { App } from "../../src/app";
import { importCatalog } from "../../src/services/importService";
import { tinyCatalog } from "./support/tinyCatalog";
import { trainAndActivate } from "./support/trainAndServe";
import { impressionLogOf } from "../../src/serving/impressionLog";
import { assignArm } from "../../src/engine/experiments/assignArm";
import { activateModelVersion } from "../../src/db/modelRepository";
import { modelStoreOf } from "../../src/serving/ModelStore";
import type { CatalogData } from "../../src/importers/CatalogData";

const pad = (n: number) => String(n).padStart(2, "0");

// The tiny catalog and 30 more users, each with two likes (so item-knn has signal for everyone).
function catalog(): CatalogData {
  const base = tinyCatalog();
  const pairs = [["s1", "s2"], ["s2", "s3"], ["c1", "c2"], ["s3", "s4"], ["c2", "c3"], ["s1", "c1"]];
  const users = Array.from({ length: 30 }, (_, k) => ({ externalId: `v${pad(k)}`, attributes: {} }));
  const interactions = users.flatMap((u, k) =>
    pairs[k % pairs.length].map((item, n) => ({ userExternalId: u.externalId, itemExternalId: item, type: "LIKE" as const, value: 1, occurredAt: new Date(Date.UTC(2026, 0, 1 + n)) })),
  );
  return { items: base.items, users: [...base.users, ...users], interactions: [...base.interactions, ...interactions] };
}
const USERS = Array.from({ length: 30 }, (_, k) => `v${pad(k)}`);

const FIELDS = `id name surface status metric k alpha tau isAA startedAt stoppedAt stopReason
  guardrails { maxErrorRate maxLatencyP99Ms minRequests }
  arms { name strategy model weight impressions metric { successes trials value low high } requests errors latencyP99Ms stoppedAt stoppedReason }
  result { decided winner decidedAt summary comparisons { arm difference low high pValue significant } }`;
const CREATE = `mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { ${FIELDS} } }`;
const START = `mutation($id: ID!) { startExperiment(id: $id) { ${FIELDS} } }`;
const STOP = `mutation($id: ID!) { stopExperiment(id: $id) { ${FIELDS} } }`;
const READ = `query($id: ID!) { experiment(id: $id) { ${FIELDS} } }`;
const RECS = `query($userId: ID!, $strategy: Strategy) { recommendations(userId: $userId, first: 10, strategy: $strategy) { item { id } rank strategy impressionId } }`;

const noFigures = { successes: 0, trials: 0, value: null, low: null, high: null };

describe.each(databaseTargets())("experiments on %s", (target) => {
  let t: TestDatabase;
  let app: App & { logs: LoggedLine[] };
  let knnV1: number;
  const post = async (query: string, variables?: Record<string, unknown>) => (await postGraphQL(app.url, { query, variables })).json;
  const flush = () => impressionLogOf(app.db)!.flush();
  // The user ids of an arm (by the hash) among USERS.
  const usersOf = (experimentId: string, arm: number, weights: number[]) => USERS.filter((u) => assignArm(Number(experimentId), u, weights) === arm);

  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, catalog());
    const [popular, knn] = await trainAndActivate(t.db, ["popular", "item-knn"]);
    expect(popular.version).toBe(1);
    knnV1 = knn.version;
    // A second item-knn version becomes the active one: version 1 is served only by an arm naming it.
    await trainAndActivate(t.db, ["item-knn"], 7);
    await activateModelVersion(t.db, "item-knn", 2);
    await modelStoreOf(t.db).reload();
    app = await startHttpApp(t.db, { MARQUEE_WORKER: "false", MARQUEE_IMPRESSION_FLUSH_MS: "600000", MARQUEE_WATCH_INTERVAL_MS: "100" });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await t?.dispose();
  });

  it("creates a draft, starts, reads and stops it; A/A is shown", async () => {
    const input = {
      name: "aa",
      arms: [
        { name: "left", strategy: "POPULAR", weight: 1 },
        { name: "right", strategy: "POPULAR", weight: 1 },
      ],
      guardrails: { maxErrorRate: 0.1 },
    };
    const created = await post(CREATE, { input });
    const id = created.data.createExperiment.id;
    const draft = {
      id,
      name: "aa",
      surface: "recommendations",
      status: "DRAFT",
      metric: "CLICK_THROUGH",
      k: 10,
      alpha: 0.05,
      tau: 0.05,
      isAA: true,
      startedAt: null,
      stoppedAt: null,
      stopReason: null,
      guardrails: { maxErrorRate: 0.1, maxLatencyP99Ms: null, minRequests: 100 },
      arms: ["left", "right"].map((name) => ({ name, strategy: "POPULAR", model: null, weight: 1, impressions: 0, metric: noFigures, requests: 0, errors: 0, latencyP99Ms: null, stoppedAt: null, stoppedReason: null })),
      result: { decided: false, winner: null, decidedAt: null, summary: "no winner yet: the experiment has not started", comparisons: [{ arm: "right", difference: null, low: null, high: null, pValue: null, significant: false }] },
    };
    expect(created).toEqual({ data: { createExperiment: draft } });
    const started = await post(START, { id });
    expect(started).toEqual({
      data: {
        startExperiment: {
          ...draft,
          status: "RUNNING",
          startedAt: expect.any(String),
          result: { ...draft.result, summary: "no winner yet: left has 0 trials, right has 0 trials; each arm needs at least 100" },
        },
      },
    });
    expect((await post(READ, { id })).data.experiment.status).toBe("RUNNING");
    expect((await post(`{ experiments(status: RUNNING) { name } }`)).data.experiments).toEqual([{ name: "aa" }]);
    const stopped = await post(STOP, { id });
    expect(stopped.data.stopExperiment).toMatchObject({ status: "STOPPED", stoppedAt: expect.any(String), stopReason: "stopped by stopExperiment" });
    expect((await post(`{ experiments(status: RUNNING) { name } }`)).data.experiments).toEqual([]);
    expect((await post(`{ experiments { name status } }`)).data.experiments).toEqual([{ name: "aa", status: "STOPPED" }]);
  });

  it("routes a request without a strategy to the user's arm, serves exactly a pinned inactive version, and labels the impressions", async () => {
    const created = await post(CREATE, {
      input: { name: "route", arms: [{ name: "control", strategy: "POPULAR", weight: 1 }, { name: "knn-v1", model: `item-knn@${knnV1}`, weight: 1 }] },
    });
    const id = created.data.createExperiment.id;
    expect(created.data.createExperiment.isAA).toBe(false);
    await post(START, { id });
    const control = usersOf(id, 0, [1, 1]);
    const treated = usersOf(id, 1, [1, 1]);
    expect(control.length).toBeGreaterThan(5);
    expect(treated.length).toBeGreaterThan(5);
    // Sticky: the same user gets the same arm on every request.
    for (const userId of [...control.slice(0, 3), ...treated.slice(0, 3)]) {
      const a = (await post(RECS, { userId })).data.recommendations;
      const b = (await post(RECS, { userId })).data.recommendations;
      expect(b.map((r: { item: { id: string } }) => r.item.id)).toEqual(a.map((r: { item: { id: string } }) => r.item.id));
    }
    // User.recommendations follows the arm too; an explicit strategy is outside the experiment.
    await post(`query($id: ID!) { user(id: $id) { recommendations(first: 3) { rank } } }`, { id: treated[0] });
    await post(RECS, { userId: treated[0], strategy: "ITEM_KNN" });
    await flush();
    const rows = await t.db.sql.query<{ user: string; experiment: string | null; arm: string | null; strategy: string; model: string }>(
      `SELECT u.external_id AS user, im.experiment, im.arm, im.strategy, im.model FROM impressions im JOIN users u ON u.id = im.user_id WHERE im.surface = 'recommendations' ORDER BY im.id`,
    );
    const labelled = rows.filter((r) => r.experiment === "route");
    expect(labelled).toHaveLength(13);
    for (const r of labelled) {
      expect(r.arm).toBe(control.includes(r.user) ? "control" : "knn-v1");
      expect(r.strategy).toBe(control.includes(r.user) ? "POPULAR" : "ITEM_KNN");
      // Exactly the pinned version, never the active one.
      expect(r.model).toBe(control.includes(r.user) ? "popular@1" : `item-knn@${knnV1}`);
    }
    expect(rows[rows.length - 1]).toEqual({ user: treated[0], experiment: null, arm: null, strategy: "ITEM_KNN", model: "item-knn@2" });
    // The rollups carry "<experiment>/<arm>", which onlineMetrics groups by.
    const now = Date.now();
    const metrics = await post(`query($from: DateTime!, $to: DateTime!) { onlineMetrics(from: $from, to: $to, groupBy: [ARM], surface: "recommendations") { arm impressions } }`, {
      from: new Date(now - 3_600_000).toISOString(),
      to: new Date(now + 3_600_000).toISOString(),
    });
    expect(metrics.data.onlineMetrics).toEqual([
      { arm: null, impressions: 1 },
      { arm: "route/control", impressions: 6 },
      { arm: "route/knn-v1", impressions: 7 },
    ]);
    const read = (await post(READ, { id })).data.experiment;
    expect(read.arms.map((a: { impressions: number; requests: number }) => [a.impressions, a.requests])).toEqual([[6, 6], [7, 7]]);

    // No statement is added: a routed request costs what the same request
    // naming the arm's strategy (outside the experiment) costs. The
    // background reads of the 100 ms watch tick (active versions,
    // experiments, catalog stamp) may land in a window, and only add: the
    // fewest of five requests is the request's own count.
    const count = async (variables: Record<string, unknown>) => {
      const counts: number[] = [];
      for (let k = 0; k < 5; k++) counts.push((await countStatements(t.db, () => post(RECS, variables))).statements.length);
      return Math.min(...counts);
    };
    expect(await count({ userId: control[1] })).toBe(await count({ userId: control[1], strategy: "POPULAR" }));
    expect(await count({ userId: treated[1] })).toBe(await count({ userId: treated[1], strategy: "ITEM_KNN" }));
    await post(STOP, { id });
  });

  it("routes upNext, which names no strategy, to the user's arm; an anonymous session stays outside", async () => {
    const created = await post(CREATE, {
      input: { name: "next", surface: "upNext", arms: [{ name: "popular", strategy: "POPULAR", weight: 1 }, { name: "knn", model: `item-knn@${knnV1}`, weight: 1 }] },
    });
    const id = created.data.createExperiment.id;
    await post(START, { id });
    const control = usersOf(id, 0, [1, 1]);
    const treated = usersOf(id, 1, [1, 1]);
    const UP_NEXT = `query($userId: ID) { upNext(userId: $userId, first: 3) { item { id } impressionId } }`;
    for (const userId of [control[0], treated[0]]) expect((await post(UP_NEXT, { userId })).data.upNext.length).toBeGreaterThan(0);
    const anonymous = (await post(`{ upNext(first: 3, context: { items: ["s1"] }) { impressionId } }`)).data.upNext;
    await flush();
    const rows = await t.db.sql.query<{ user: string | null; experiment: string | null; arm: string | null; strategy: string; model: string }>(
      `SELECT u.external_id AS user, im.experiment, im.arm, im.strategy, im.model FROM impressions im LEFT JOIN users u ON u.id = im.user_id
        WHERE im.surface = 'upNext' ORDER BY im.id`,
    );
    expect(rows.filter((r) => r.experiment !== null)).toEqual([
      { user: control[0], experiment: "next", arm: "popular", strategy: "POPULAR", model: "popular@1" },
      { user: treated[0], experiment: "next", arm: "knn", strategy: "ITEM_KNN", model: `item-knn@${knnV1}` },
    ]);
    expect(anonymous.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.user === null)).toEqual([expect.objectContaining({ experiment: null, arm: null, strategy: "SEQUENTIAL" })]);
    await post(STOP, { id });
  });

  it("a guardrail stops an arm and says why; its users are then served as the control", async () => {
    const created = await post(CREATE, {
      input: {
        name: "guarded",
        arms: [{ name: "control", strategy: "POPULAR", weight: 1 }, { name: "slow", strategy: "ITEM_KNN", weight: 1 }],
        // No call answers in 0.01 ms: the first 3 requests break it.
        guardrails: { maxLatencyP99Ms: 0.01, minRequests: 3 },
      },
    });
    const id = created.data.createExperiment.id;
    await post(START, { id });
    const slow = usersOf(id, 1, [1, 1]);
    for (const userId of slow.slice(0, 3)) expect((await post(RECS, { userId })).errors).toBeUndefined();
    const arm = await pollUntil("the guardrail stop", async () => {
      const a = (await post(READ, { id })).data.experiment.arms[1];
      return a.stoppedAt ? a : undefined;
    }, { timeoutMs: 10_000, intervalMs: 50 });
    expect(arm.stoppedReason).toMatch(/^latency p99 [\d.]+ ms > 0\.01 ms over 3 requests$/);
    expect(app.logs).toContainEqual(expect.objectContaining({ level: "warn", msg: "a guardrail stopped an experiment arm; its users are served as the control", experiment: "guarded", arm: "slow", reason: arm.stoppedReason }));
    await post(RECS, { userId: slow[0] });
    await flush();
    const [last] = await t.db.sql.query(`SELECT experiment, arm, strategy FROM impressions WHERE surface = 'recommendations' ORDER BY id DESC LIMIT 1`);
    expect(last).toEqual({ experiment: "guarded", arm: "control", strategy: "POPULAR" });
    await post(STOP, { id });
  });

  it("says no winner yet without evidence, and declares the arm clicks clearly favour (sticky)", async () => {
    const created = await post(CREATE, {
      input: { name: "ctr", arms: [{ name: "control", strategy: "POPULAR", weight: 1 }, { name: "knn", strategy: "ITEM_KNN", weight: 1 }] },
    });
    const id = created.data.createExperiment.id;
    await post(START, { id });
    const shown: Record<string, { userId: string; items: { item: { id: string }; impressionId: string }[] }[]> = { control: [], knn: [] };
    for (const [arm, users] of [["control", usersOf(id, 0, [1, 1])], ["knn", usersOf(id, 1, [1, 1])]] as const) {
      for (let round = 0; round < 40; round++) {
        const userId = users[round % users.length];
        shown[arm].push({ userId, items: (await post(RECS, { userId })).data.recommendations });
      }
    }
    await flush();
    const before = (await post(READ, { id })).data.experiment;
    expect(before.arms.every((a: { metric: { trials: number } }) => a.metric.trials >= 100)).toBe(true);
    expect(before.result).toMatchObject({ decided: false, winner: null, summary: "no winner yet: no difference from the control is significant yet" });
    // Users of the knn arm view what they were shown at ranks 1 and 2; the control's users nothing.
    let minute = 0;
    const views = shown.knn.flatMap((answer) =>
      answer.items.slice(0, 2).map((r) => ({ userId: answer.userId, itemId: r.item.id, type: "VIEW", impressionId: r.impressionId, occurredAt: new Date(Date.now() - 3_600_000 + 1000 * minute++).toISOString() })),
    );
    const recorded = await post(`mutation($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { created } }`, { i: views });
    expect(recorded.errors).toBeUndefined();
    // /metrics is open and experiments are admin-only: no series names an experiment or an arm.
    const exposed = await (await fetch(app.url.replace(/\/graphql$/, "/metrics"))).text();
    expect(exposed).toContain("marquee_attributed_interactions_total");
    expect(exposed).not.toMatch(/experiment=|arm=|"ctr"|"knn"/);
    const after = (await post(READ, { id })).data.experiment;
    const [c, k] = after.arms.map((a: { metric: { successes: number; trials: number; value: number } }) => a.metric);
    expect(c.successes).toBe(0);
    expect(k.successes).toBe(views.length);
    const comparison = after.result.comparisons[0];
    expect(comparison).toMatchObject({ arm: "knn", significant: true });
    expect(comparison.difference).toBeCloseTo(k.value - c.value, 12);
    expect(comparison.low).toBeGreaterThan(0);
    expect(comparison.pValue).toBeLessThan(0.05);
    expect(after.result).toMatchObject({ decided: true, winner: "knn", decidedAt: expect.any(String) });
    expect(after.result.summary).toMatch(/^knn wins: click-through [\d.]+% against 0\.00% for the control control$/);
    // Sticky: stopping keeps the decision.
    const stopped = (await post(STOP, { id })).data.stopExperiment;
    expect(stopped.result).toMatchObject({ decided: true, winner: "knn", decidedAt: after.result.decidedAt });
  });

  it("refuses bad input, naming the field", async () => {
    const arms = [{ name: "a", strategy: "POPULAR", weight: 1 }, { name: "b", strategy: "ITEM_KNN", weight: 1 }];
    const bad = async (input: Record<string, unknown>) => {
      const answer = await post(CREATE, { input: { name: "bad", arms, ...input } });
      expect(answer.data ?? null).toBeNull();
      return { code: answer.errors[0].extensions.code, argument: answer.errors[0].extensions.argument };
    };
    const field = (argument: string) => ({ code: "BAD_USER_INPUT", argument });
    expect(await bad({ name: "a/b" })).toEqual(field("input.name"));
    expect(await bad({ name: "aa" })).toEqual(field("input.name")); // exists
    expect(await bad({ surface: "similarItems" })).toEqual(field("input.surface"));
    expect(await bad({ k: 0 })).toEqual(field("input.k"));
    expect(await bad({ k: 101 })).toEqual(field("input.k"));
    expect(await bad({ alpha: 0 })).toEqual(field("input.alpha"));
    expect(await bad({ alpha: 1 })).toEqual(field("input.alpha"));
    expect(await bad({ arms: [arms[0]] })).toEqual(field("input.arms"));
    expect(await bad({ arms: [arms[0], { ...arms[1], name: "a" }] })).toEqual(field("input.arms[1].name"));
    expect(await bad({ arms: [arms[0], { name: "b", weight: 1 }] })).toEqual(field("input.arms[1]"));
    expect(await bad({ arms: [arms[0], { name: "b", strategy: "POPULAR", model: "popular@1", weight: 1 }] })).toEqual(field("input.arms[1]"));
    expect(await bad({ arms: [arms[0], { name: "b", model: "popular", weight: 1 }] })).toEqual(field("input.arms[1].model"));
    expect(await bad({ arms: [arms[0], { name: "b", model: "nonesuch@1", weight: 1 }] })).toEqual(field("input.arms[1].model"));
    expect(await bad({ arms: [arms[0], { name: "b", model: "popular@9", weight: 1 }] })).toEqual(field("input.arms[1].model"));
    expect(await bad({ arms: [arms[0], { ...arms[1], weight: -1 }] })).toEqual(field("input.arms[1].weight"));
    expect(await bad({ arms: [{ ...arms[0], weight: 0 }, { ...arms[1], weight: 0 }] })).toEqual(field("input.arms"));
    expect(await bad({ guardrails: { maxErrorRate: 2 } })).toEqual(field("input.guardrails.maxErrorRate"));
    expect(await bad({ guardrails: { maxLatencyP99Ms: 0 } })).toEqual(field("input.guardrails.maxLatencyP99Ms"));
    // An unknown strategy is refused by the schema's enum, as bad input.
    expect((await bad({ arms: [arms[0], { name: "b", strategy: "SORCERY", weight: 1 }] })).code).toBe("BAD_USER_INPUT");
    // The whole message names the field and the value.
    const message = await post(CREATE, { input: { name: "bad", arms: [arms[0], { name: "b", model: "popular@9", weight: 1 }] } });
    expect(message.errors[0].message).toBe('Invalid input.arms[1].model: popular has no version 9 (it has 1); got "popular@9"');

    // Unknown experiments; starting a stopped one; two running on one surface.
    for (const q of [READ, START, STOP]) {
      expect((await post(q, { id: "999" })).errors[0].extensions).toEqual({ code: "NOT_FOUND", argument: "id", ids: ["999"] });
    }
    const aa = (await post(`{ experiments(status: STOPPED) { id name } }`)).data.experiments.find((e: { name: string }) => e.name === "aa");
    expect((await post(START, { id: aa.id })).errors[0].extensions).toEqual({ code: "BAD_USER_INPUT", argument: "id" });
    expect((await post(STOP, { id: aa.id })).errors[0].extensions).toEqual({ code: "BAD_USER_INPUT", argument: "id" });
    const one = (await post(CREATE, { input: { name: "one", arms } })).data.createExperiment.id;
    const two = (await post(CREATE, { input: { name: "two", arms } })).data.createExperiment.id;
    expect((await post(START, { id: one })).data.startExperiment.status).toBe("RUNNING");
    const overlap = await post(START, { id: two });
    expect(overlap.errors[0]).toMatchObject({ message: `Invalid id: experiment "one" is running on surface recommendations; stop it first (one experiment per surface); got "${two}"`, extensions: { code: "BAD_USER_INPUT", argument: "id" } });
    expect((await post(START, { id: one })).errors[0].extensions).toEqual({ code: "BAD_USER_INPUT", argument: "id" });
    await post(STOP, { id: one });
  });
});
