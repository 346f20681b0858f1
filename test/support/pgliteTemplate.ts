// PGlite's initdb costs seconds; build one migrated database once per run of
// the suite (globalSetup), dump its data folder, and start every test file's
// embedded database from that dump. The dump's name carries a hash of the
// migrations, so a changed migration builds a new one.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readMigrations } from "../../src/db/migrate";

export function templatePath(): string {
  const hash = crypto.createHash("sha256");
  for (const m of readMigrations()) hash.update(m.name).update(m.checksum);
  return path.join(os.tmpdir(), `marquee-test-pglite-${hash.digest("hex").slice(0, 16)}.tar.gz`);
}

export async function buildTemplate(): Promise<string> {
  const file = templatePath();
  if (fs.existsSync(file)) return file;
  const { createDatabase } = await import("../../src/db/createDatabase");
  const { migrate } = await import("../../src/db/migrate");
  const db = await createDatabase({});
  await migrate(db.sql);
  const dump = await db.dumpDataDir!();
  await db.close();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(tmp, file);
  return file;
}
