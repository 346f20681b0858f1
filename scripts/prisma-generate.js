// Runs `prisma generate` (scripts/generate.js calls it when the schema or
// Prisma changed). Prisma's CLI insists on having its native schema
// engine even though generate does not use it, and it cannot be downloaded on
// offline machines. When the real engine is absent we point
// PRISMA_SCHEMA_ENGINE_BINARY at a placeholder file; machines that have the
// engine (or set the variable themselves) behave exactly as usual.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

function realEngineExists() {
  const dir = path.join(__dirname, "..", "node_modules", "@prisma", "engines");
  try {
    return fs.readdirSync(dir).some((f) => f.startsWith("schema-engine"));
  } catch {
    return false;
  }
}

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !realEngineExists()) {
  const placeholder = path.join(os.tmpdir(), "marquee-no-schema-engine");
  fs.writeFileSync(placeholder, "placeholder: prisma generate does not run the schema engine\n");
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}
const cli = require.resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [cli, "generate", ...process.argv.slice(2)], { cwd: path.join(__dirname, ".."), stdio: "inherit", env });
process.exit(result.status ?? 1);
