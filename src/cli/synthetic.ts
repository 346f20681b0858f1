// `npm run synthetic -- --users 1000000 --items 100000 --per-user 20 [--tastes 50] [--seed 1]`:
// fills DATABASE_URL (or the embedded database) with a synthetic catalog for
// scale runs: latent tastes, power-law popularity and activity (see
// src/db/syntheticRepository.ts). Rows are generated inside PostgreSQL, in
// batches of users, with a progress bar; re-running adds nothing twice.
import { ConfigError, loadConfig } from "../config";
import { openDatabase } from "../app";
import { createLogger } from "../logger";
import { generateInteractions, generateItems, generateUsers, type SyntheticSpec } from "../db/syntheticRepository";
import { analyzeTables } from "../db/analyzeTables";
import { createProgress } from "./progress";

function option(argv: readonly string[], name: string, fallback: number): number {
  const at = argv.indexOf(`--${name}`);
  const raw = at >= 0 ? argv[at + 1] : undefined;
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError(`--${name} must be a positive integer; got ${JSON.stringify(raw)}`);
  return value;
}

export function parseSyntheticArgs(argv: readonly string[]): SyntheticSpec {
  return {
    users: option(argv, "users", 1_000_000),
    items: option(argv, "items", 100_000),
    perUser: option(argv, "per-user", 20),
    tastes: option(argv, "tastes", 50),
    seed: option(argv, "seed", 1),
  };
}

async function main(): Promise<void> {
  const spec = parseSyntheticArgs(process.argv.slice(2));
  const config = loadConfig();
  const logger = createLogger("warn");
  // A bulk command: no statement timeout (the API keeps its own).
  const db = await openDatabase({ ...config, databaseStatementTimeoutMs: 0 }, logger);
  const started = performance.now();
  try {
    const batch = 20_000;
    await generateItems(db, spec);
    const users = createProgress("users");
    for (let from = 1; from <= spec.users; from += batch * 5) {
      const to = Math.min(spec.users, from + batch * 5 - 1);
      await generateUsers(db, spec, from, to);
      users.update(to / spec.users, `${to} users`);
    }
    users.done();
    const interactions = createProgress("interactions");
    let written = 0;
    for (let from = 1; from <= spec.users; from += batch) {
      const to = Math.min(spec.users, from + batch - 1);
      written += await generateInteractions(db, spec, from, to);
      interactions.update(to / spec.users, `${written} interactions`);
    }
    interactions.done(`${written} interactions`);
    await analyzeTables(db);
    process.stdout.write(
      `synthetic: ${spec.users} users, ${spec.items} items, ${written} interactions in ${((performance.now() - started) / 1000).toFixed(1)} s (${db.description})\n`,
    );
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`synthetic: ${error instanceof ConfigError ? error.message : (error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
