// `npm run keys -- create --role admin|service|client --name <name>`: prints
// a new API key once (only its hash is stored). `npm run keys -- list` shows
// ids, names, roles and whether revoked; `npm run keys -- revoke <id>`.
// Works on DATABASE_URL or the embedded database (migrating it first).
import { ConfigError, loadConfig } from "../config";
import { createDatabase } from "../db/createDatabase";
import { migrate } from "../db/migrate";
import { listApiKeys, revokeApiKey, type KeyRole } from "../db/apiKeyRepository";
import { createApiKey, KEY_ROLES } from "../auth/apiKeys";

const USAGE = `usage:
  npm run keys -- create --role admin|service|client --name <name>
  npm run keys -- list
  npm run keys -- revoke <key id>`;

class UsageError extends Error {}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  if (at >= 0) return args[at + 1];
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

export async function runKeys(args: string[], out: (line: string) => void, env: Record<string, string | undefined> = process.env): Promise<void> {
  const [command, ...rest] = args;
  if (!command || !["create", "list", "revoke"].includes(command)) throw new UsageError(USAGE);
  const config = loadConfig(env);
  const db = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db.sql);
    if (command === "create") {
      const role = option(rest, "role");
      const name = option(rest, "name");
      if (!role || !KEY_ROLES.includes(role as KeyRole)) throw new UsageError(`--role must be one of ${KEY_ROLES.join(", ")}\n${USAGE}`);
      if (!name) throw new UsageError(`--name is required\n${USAGE}`);
      const created = await createApiKey(db, { role: role as KeyRole, name });
      out(`created ${role} key ${created.id} (${name}); it is shown only now:`);
      out(created.key);
    } else if (command === "list") {
      const keys = await listApiKeys(db);
      if (keys.length === 0) out("no keys");
      for (const k of keys) {
        out(`${k.id}  ${k.role.padEnd(7)}  ${k.createdAt.toISOString()}  ${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : "active"}  ${k.name}`);
      }
    } else {
      const id = rest[0];
      if (!id) throw new UsageError(`revoke needs a key id\n${USAGE}`);
      out((await revokeApiKey(db, id)) ? `revoked ${id} (every replica refuses it within 5 s)` : `no active key with id ${id}`);
    }
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  runKeys(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).catch((error) => {
    const known = error instanceof ConfigError || error instanceof UsageError;
    process.stderr.write(`keys: ${known ? error.message : (error as Error)?.stack ?? String(error)}\n`);
    process.exit(known ? 2 : 1);
  });
}
