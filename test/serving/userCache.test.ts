// The user cache: a warm recommendation request runs no SQL; every write to
// a user (here or on another replica, through NOTIFY) is seen by the next
// request; a dropped listening connection clears the cache.
import { createDatabase } from "../../src/db/createDatabase";
import type { Database } from "../../src/db/Database";
import { enableCatalogCache } from "../../src/loaders/catalogCache";
import { enableUserStateCache, UserStateCache } from "../../src/loaders/userStateCache";
import { USERS_CHANGED_CHANNEL } from "../../src/db/usersChanged";
import { findUsersByExternalIds, findUsersWithHistoriesByExternalIds } from "../../src/db/userRepository";
import { historiesOfUsers } from "../../src/db/trainingDataRepository";
import { readUsersWithHistories } from "../../src/loaders/coalescedUserReads";
import { importCatalog } from "../../src/services/importService";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { tinyCatalog } from "./support/tinyCatalog";
import { trainAndActivate } from "./support/trainAndServe";

const RECS = (user: string) => `{ recommendations(userId: "${user}", first: 9, strategy: ITEM_KNN) { item { id title } } }`;
const ids = (answer: any): string[] => answer.data.recommendations.map((r: { item: { id: string } }) => r.item.id);

describe("UserStateCache", () => {
  const user = (id: number, externalId: string) => ({ id, externalId, attributes: {}, createdAt: new Date(0), updatedAt: new Date(0) });
  it("does not store what a read started before an invalidation returned", () => {
    const cache = new UserStateCache();
    const epoch = cache.epoch;
    cache.invalidate([1]);
    cache.setHistory(1, [], epoch);
    cache.setUser(user(1, "a"), epoch);
    expect([cache.getHistory(1), cache.getUser("a")]).toEqual([undefined, undefined]);
    cache.setUser(user(1, "a"), cache.epoch);
    cache.setHistory(1, [], cache.epoch);
    expect(cache.getUser("a")).toEqual(user(1, "a"));
    cache.onMessage("[1]");
    expect([cache.getHistory(1), cache.getUser("a")]).toEqual([undefined, undefined]);
  });

  it("keeps derived values (ranked lists) only while the user's history stands", () => {
    const cache = new UserStateCache(10, 100, 2);
    const epoch = cache.epoch;
    cache.setDerived(1, "rank:a", "list 1", epoch);
    expect(cache.getDerived(1, "rank:a")).toBe("list 1");
    expect(cache.getDerived(1, "rank:b")).toBeUndefined();
    // A write to the user drops them; a list computed before that write is not stored.
    cache.invalidate([1]);
    expect(cache.getDerived(1, "rank:a")).toBeUndefined();
    cache.setDerived(1, "rank:a", "stale", epoch);
    expect(cache.getDerived(1, "rank:a")).toBeUndefined();
    // At most two users here: the least recently used goes.
    for (const u of [1, 2]) cache.setDerived(u, "k", `list ${u}`, cache.epoch);
    cache.getDerived(1, "k");
    cache.setDerived(3, "k", "list 3", cache.epoch);
    expect([cache.getDerived(1, "k"), cache.getDerived(2, "k"), cache.getDerived(3, "k")]).toEqual(["list 1", undefined, "list 3"]);
    cache.onMessage("*");
    expect(cache.getDerived(1, "k")).toBeUndefined();
    expect([cache.derivedHits, cache.derivedMisses]).toEqual([4, 5]);
  });

  it("evicts the least recently used histories past its row budget", () => {
    const cache = new UserStateCache(10, 4);
    const rows = (n: number) => Array.from({ length: n }, () => ({}) as never);
    cache.setHistory(1, rows(2), cache.epoch);
    cache.setHistory(2, rows(2), cache.epoch);
    cache.getHistory(1);
    cache.setHistory(3, rows(2), cache.epoch);
    expect([cache.getHistory(1)?.length, cache.getHistory(2), cache.getHistory(3)?.length]).toEqual([2, undefined, 2]);
  });
});

describe.each(databaseTargets())("user cache on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await trainAndActivate(t.db, ["popular", "item-knn"]);
    await enableCatalogCache(t.db).refresh(t.db);
    enableUserStateCache(t.db);
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  async function counted(query: string) {
    const statements: string[] = [];
    const off = t.db.onStatement((sql) => statements.push(sql));
    try {
      return { answer: await server.run(query), statements: statements.length };
    } finally {
      off();
    }
  }

  it("answers a warm request without SQL, and sees this process's writes at once", async () => {
    const cold = await counted(RECS("ann"));
    const warm = await counted(RECS("ann"));
    expect(warm).toEqual({ answer: cold.answer, statements: 0 });
    const first = ids(warm.answer)[0];
    await server.run(`mutation { recordInteractions(interactions: [{ userId: "ann", itemId: "${first}", type: LIKE }]) { accepted } }`);
    expect(ids(await server.run(RECS("ann")))).not.toContain(first);
    await server.run(`mutation { upsertUsers(users: [{ id: "ann", attributes: { plan: "gold" } }]) { id } }`);
    expect(await server.run(`{ user(id: "ann") { attributes } }`)).toEqual({ data: { user: { attributes: { plan: "gold" } } } });
  });

  it("reads users with their histories as the two separate reads would, empty histories and unknown ids included", async () => {
    await server.run(`mutation { upsertUsers(users: [{ id: "no-history", attributes: { plan: "free" } }]) { id } }`);
    const ids = ["u2", "nobody", "no-history", "ann", "u1"];
    const users = await findUsersByExternalIds(t.db, ids);
    const histories = await historiesOfUsers(t.db, users.map((u) => u.id));
    const expected = users
      .map((user) => ({ user, history: histories.filter((h) => h.userId === user.id) }))
      .sort((a, b) => a.user.id - b.user.id);
    const found = await findUsersWithHistoriesByExternalIds(t.db, ids);
    expect(found).toEqual(expected);
    expect(found.map((f) => [f.user.externalId, f.history.length > 0])).toEqual(
      expect.arrayContaining([["no-history", false], ["u2", true]]),
    );
    expect(found.find((f) => f.user.externalId === "no-history")?.user.attributes).toEqual({ plan: "free" });
  });

  it("reads interaction times to the millisecond, before 1970 too", async () => {
    const times = ["1969-12-31T23:59:59.123Z", "2026-01-02T03:04:05.678Z"];
    const answer = await server.run(`mutation { recordInteractions(interactions: [
      { userId: "times", itemId: "s1", type: VIEW, occurredAt: "${times[0]}" },
      { userId: "times", itemId: "s2", type: VIEW, occurredAt: "${times[1]}" }]) { accepted } }`);
    expect(answer.errors).toBeUndefined();
    const [found] = await findUsersWithHistoriesByExternalIds(t.db, ["times"]);
    expect(found.history.map((h) => h.occurredAt.toISOString())).toEqual(times);
    expect((await historiesOfUsers(t.db, [found.user.id])).map((h) => h.occurredAt.toISOString())).toEqual(times);
  });

  it("coalesces the cold-user reads of concurrent requests into one statement", async () => {
    const statements: string[] = [];
    const off = t.db.onStatement((sql) => statements.push(sql));
    let answers;
    try {
      answers = await Promise.all([readUsersWithHistories(t.db, ["u1"]), readUsersWithHistories(t.db, ["u2", "nobody"]), readUsersWithHistories(t.db, ["u1"])]);
    } finally {
      off();
    }
    expect(statements).toHaveLength(1);
    expect(answers.map((found) => found.map((f) => f.user.externalId))).toEqual([["u1"], ["u2"], ["u1"]]);
    expect(answers[1]).toEqual(await findUsersWithHistoriesByExternalIds(t.db, ["u2"]));
  });

  it("reads a user this replica has not cached, with their history, in one statement", async () => {
    await server.run(RECS("u3"));
    enableUserStateCache(t.db).invalidate([(await t.db.prisma.user.findUniqueOrThrow({ where: { externalId: "u3" } })).id]);
    const statements: string[] = [];
    const off = t.db.onStatement((sql) => statements.push(sql));
    try {
      expect((await server.run(RECS("u3"))).errors).toBeUndefined();
    } finally {
      off();
    }
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/FROM users u\s+LEFT JOIN interactions i/);
  });

  it("serves a warm request from the user's cached ranked list until a write or a new model version", async () => {
    const cache = enableUserStateCache(t.db);
    const lists = () => ({ hits: cache.derivedHits, misses: cache.derivedMisses });
    const before = ids(await server.run(RECS("u2")));
    const start = lists();
    expect(ids(await server.run(RECS("u2")))).toEqual(before);
    expect(lists()).toEqual({ hits: start.hits + 1, misses: start.misses });
    // Naming items to exclude scores afresh (the cached list only knows the history).
    const excluding = await server.run(`{ recommendations(userId: "u2", first: 9, strategy: ITEM_KNN, filter: { excludeItems: ["${before[0]}"] }) { item { id } } }`);
    expect(ids(excluding)).toEqual(before.slice(1));
    expect(lists()).toEqual({ hits: start.hits + 1, misses: start.misses });
    // A newly activated version is another key: scored again, then cached.
    await trainAndActivate(t.db, ["item-knn"], 7);
    expect(ids(await server.run(RECS("u2")))).toEqual(before);
    expect(lists()).toEqual({ hits: start.hits + 1, misses: start.misses + 1 });
    await server.run(RECS("u2"));
    expect(lists()).toEqual({ hits: start.hits + 2, misses: start.misses + 1 });
  });

  it("looks items up by id in the catalog cache: a warm similarItems costs no statement", async () => {
    const query = `{ similarItems(itemId: "s1", first: 3) { item { id title } } }`;
    const cold = await counted(query);
    expect(cold.answer.errors).toBeUndefined();
    expect(await counted(query)).toEqual({ answer: cold.answer, statements: 0 });
  });

  it("answers a warm many-user page with items, features and reasons' items without SQL", async () => {
    const query = `{ users(ids: ["u1", "u3", "u4"]) { id recommendations(first: 3, strategy: ITEM_KNN) {
      item { title features { facet value } } reasons { __typename ... on BecauseYouInteracted { item { id } weight } } } } }`;
    const cold = await counted(query);
    expect(cold.answer.errors).toBeUndefined();
    expect(JSON.stringify(cold.answer)).toContain("BecauseYouInteracted");
    expect(await counted(query)).toEqual({ answer: cold.answer, statements: 0 });
  });

  it("forgets a deleted user", async () => {
    await server.run(RECS("jo"));
    await server.run(`mutation { deleteUser(id: "jo") { id } }`);
    expect(await server.run(`{ user(id: "jo") { id } }`)).toEqual({ data: { user: null } });
  });

  if (target === "postgres") {
    it("hears another replica's write before that write is answered, and clears itself when its listener drops", async () => {
      const replica: Database = await createDatabase({ databaseUrl: t.url!, poolSize: 2 });
      const other = await startTestServer(replica);
      const resets: string[] = [];
      await enableCatalogCache(replica).refresh(replica);
      const cache = enableUserStateCache(replica);
      const heard: string[] = [];
      const stop = await replica.listen!(USERS_CHANGED_CHANNEL, (p) => {
        heard.push(p);
        cache.onMessage(p);
      }, () => {
        resets.push("reset");
        cache.clear();
      });
      try {
        const before = ids(await other.run(RECS("u1")));
        expect((await (async () => {
          const statements: string[] = [];
          const off = replica.onStatement((s) => statements.push(s));
          await other.run(RECS("u1"));
          off();
          return statements.length;
        })())).toBe(0);
        const target = before[0];
        await server.run(`mutation { recordInteractions(interactions: [{ userId: "u1", itemId: "${target}", type: LIKE }]) { accepted } }`);
        // NOTIFY is delivered at commit; give the socket a moment.
        for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        expect(heard.length).toBeGreaterThan(0);
        expect(ids(await other.run(RECS("u1")))).not.toContain(target);
        // Kill the listening connection from the server side: the cache is cleared, and it listens again.
        await t.db.sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN ${USERS_CHANGED_CHANNEL}' AND datname = current_database()`);
        for (let i = 0; i < 100 && resets.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        expect(resets.length).toBeGreaterThan(0);
        const reconnected = async () =>
          (await t.db.sql.query(`SELECT 1 FROM pg_stat_activity WHERE query = 'LISTEN ${USERS_CHANGED_CHANNEL}' AND datname = current_database()`)).length;
        for (let i = 0; i < 100 && (await reconnected()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
        expect(await reconnected()).toBe(1);
      } finally {
        await stop();
        await other.stop();
        await replica.close();
      }
    });
  }
});
