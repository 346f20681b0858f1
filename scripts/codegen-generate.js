// Generates the resolver types (src/graphql/generated/resolvers-types.ts) from
// the SDL with graphql-codegen, as configured in codegen.ts. `npm run generate`
// runs this before start, test, typecheck and build, so it skips the work when
// a stamp says the SDL, codegen.ts and the codegen packages are unchanged.
// Everything runs locally from node_modules: no network.
//
// `--force` regenerates whatever the stamp says. `--check` writes nothing: it
// regenerates in memory and fails when the file on disk differs (the unit
// test test/unit/codegen.test.ts runs it).
//
// The generated file holds types only (resolvers import it with `import type`),
// so a production install without devDependencies (the Dockerfile's
// `npm ci --omit=dev`) runs fine without it: there this script does nothing.
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const configFile = path.join(root, "codegen.ts");
const schemaDir = path.join(root, "src", "schema");
const outDir = path.join(root, "src", "graphql", "generated");
const outFile = path.join(outDir, "resolvers-types.ts");
const stampFile = path.join(outDir, ".codegen-stamp");

function installedVersion(pkg) {
  try {
    return require(`${pkg}/package.json`).version;
  } catch {
    return null;
  }
}

const check = process.argv.includes("--check");
const packages = ["@graphql-codegen/cli", "@graphql-codegen/typescript", "@graphql-codegen/typescript-resolvers", "graphql"];
const versions = packages.map(installedVersion);
if (!check && (versions.includes(null) || !fs.existsSync(configFile))) {
  // Without the dev tools nobody type-checks, and nothing imports the types at run time.
  process.exit(0);
}

// The same files as codegen.ts's `schema: "src/schema/*.graphql"`.
const sdlFiles = fs.readdirSync(schemaDir).filter((f) => f.endsWith(".graphql")).sort();
const hash = crypto.createHash("sha256");
for (const [i, pkg] of packages.entries()) hash.update(`${pkg}@${versions[i]}\n`);
hash.update(fs.readFileSync(configFile));
for (const f of sdlFiles) hash.update(`\n${f}\n`).update(fs.readFileSync(path.join(schemaDir, f)));
const stamp = hash.digest("hex");

const force = process.argv.includes("--force");
if (!force && !check && fs.existsSync(outFile) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp) process.exit(0);

async function main() {
  const { generate, loadCodegenConfig } = require("@graphql-codegen/cli");
  const { config } = await loadCodegenConfig({ configFilePath: configFile });
  if (check) {
    const outputs = await generate({ ...config, cwd: root }, false);
    const stale = outputs.filter((o) => !fs.existsSync(path.resolve(root, o.filename)) || fs.readFileSync(path.resolve(root, o.filename), "utf8") !== o.content);
    for (const o of stale) console.error(`${o.filename} is not what codegen.ts makes from src/schema/*.graphql: run \`npm run generate\``);
    process.exit(stale.length === 0 ? 0 : 1);
  }
  // Remove the stamp first: a failed run must not leave the old one claiming success.
  fs.rmSync(stampFile, { force: true });
  await generate({ ...config, cwd: root }, true);
  fs.writeFileSync(stampFile, stamp);
}

main().catch((error) => {
  console.error(`graphql-codegen failed (codegen.ts, src/schema/*.graphql):\n${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
