// Runs `prisma generate`. Prisma's CLI insists on having its native schema
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

// Skip the work when the generated client already matches the schema and
// the installed Prisma (npm start and npm test run this every time).
const root = path.join(__dirname, "..");
const schemaFile = path.join(root, "prisma", "schema.prisma");
const stampFile = path.join(root, "src", "generated", "prisma", ".schema-stamp");
const stamp = require("node:crypto")
  .createHash("sha256")
  .update(fs.readFileSync(schemaFile))
  .update(require("prisma/package.json").version)
  .digest("hex");
const force = process.argv.includes("--force");
if (!force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp) process.exit(0);

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !realEngineExists()) {
  const placeholder = path.join(os.tmpdir(), "marquee-no-schema-engine");
  fs.writeFileSync(placeholder, "placeholder: prisma generate does not run the schema engine\n");
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}
const cli = require.resolve("prisma/build/index.js");
const args = process.argv.slice(2).filter((a) => a !== "--force");
const result = spawnSync(process.execPath, [cli, "generate", ...args], { stdio: "inherit", env });
if (result.status === 0) fs.writeFileSync(stampFile, stamp);
process.exit(result.status ?? 1);
