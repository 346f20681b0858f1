// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the
// embedded database in MARQUEE_DATA_DIR) and says what it did.
import { ConfigError, loadConfig } from "../config";
import { createDatabase } from "../db/createDatabase";
import { migrate, MigrationError } from "../db/migrate";

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const result = await migrate(db.sql);
    for (const name of result.applied) process.stdout.write(`applied ${name}\n`);
    process.stdout.write(
      `${db.description}: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied` +
        (result.unknown.length ? `, ${result.unknown.length} unknown to this code (${result.unknown.join(", ")})` : "") +
        "\n",
    );
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  const known = error instanceof ConfigError || error instanceof MigrationError;
  process.stderr.write(`db:migrate failed: ${known ? error.message : (error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
