// The synthetic generator for scale runs: the sizes asked for, deterministic
// for a seed, popularity skewed, and users' interactions concentrated on
// their own taste cluster.
import { openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { generateInteractions, generateItems, generateUsers, type SyntheticSpec } from "../../src/db/syntheticRepository";
import { parseSyntheticArgs } from "../../src/cli/synthetic";

const SPEC: SyntheticSpec = { users: 300, items: 200, perUser: 20, tastes: 5, seed: 7 };

async function generate(spec: SyntheticSpec): Promise<TestDatabase> {
  const t = await openTestDatabase("pglite");
  await generateItems(t.db, spec);
  await generateUsers(t.db, spec, 1, spec.users);
  await generateInteractions(t.db, spec, 1, 150);
  await generateInteractions(t.db, spec, 151, spec.users);
  return t;
}

describe("synthetic catalog", () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = [await generate(SPEC), await generate(SPEC)];
  }, 120_000);
  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
  });

  it("has the users and items asked for, about perUser interactions each, the same for the same seed", async () => {
    const counts = await a.db.sql.query<{ users: number; items: number; interactions: number; features: number }>(
      `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM items) AS items,
              (SELECT count(*)::int FROM interactions) AS interactions, (SELECT count(*)::int FROM item_features) AS features`,
    );
    expect(counts[0]).toMatchObject({ users: 300, items: 200, features: 200 });
    expect(counts[0].interactions).toBeGreaterThan(300 * 20 * 0.5);
    expect(counts[0].interactions).toBeLessThan(300 * 20 * 2);
    const rows = (db: TestDatabase) =>
      db.db.sql.query(`SELECT u.external_id, it.external_id AS item, i.type::text, i.value, i.occurred_at FROM interactions i JOIN users u ON u.id = i.user_id JOIN items it ON it.id = i.item_id ORDER BY 1, 2, 3, 5`);
    expect(await rows(a)).toEqual(await rows(b));
  });

  it("skews popularity and keeps users to their tastes", async () => {
    const [top] = await a.db.sql.query<{ share: number }>(
      `SELECT (SELECT count(*) FROM interactions i JOIN (SELECT item_id FROM interactions GROUP BY 1 ORDER BY count(*) DESC LIMIT 20) t USING (item_id))::float8
              / (SELECT count(*) FROM interactions) AS share`,
    );
    // The most popular 10% of items take far more than 10% of interactions.
    expect(top.share).toBeGreaterThan(0.3);
    const [own] = await a.db.sql.query<{ share: number }>(
      `SELECT avg(CASE WHEN f.value = 'taste-' || (u.attributes->>'taste') THEN 1 ELSE 0 END)::float8 AS share
         FROM interactions i JOIN users u ON u.id = i.user_id JOIN item_features x ON x.item_id = i.item_id JOIN features f ON f.id = x.feature_id`,
    );
    // 80% drawn from the own cluster, plus a fifth of the other 20% landing there by chance.
    expect(own.share).toBeGreaterThan(0.75);
    expect(own.share).toBeLessThan(0.9);
  });

  it("parses its arguments", () => {
    expect(parseSyntheticArgs(["--users", "10", "--items", "5"])).toEqual({ users: 10, items: 5, perUser: 20, tastes: 50, seed: 1 });
    expect(() => parseSyntheticArgs(["--users", "-3"])).toThrow('--users must be a positive integer; got "-3"');
  });
});
