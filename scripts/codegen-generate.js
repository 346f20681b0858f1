// Generates the resolver types (src/graphql/generated/resolvers-types.ts) from
// the SDL with graphql-codegen, as configured in codegen.ts. scripts/generate.js
// runs it when the SDL, codegen.ts or the codegen packages changed.
// Everything runs locally from node_modules: no network.
//
// `--check` writes nothing: it regenerates in memory and fails when the file
// on disk differs (the unit test test/unit/codegen.test.ts runs it).
//
// The generated file holds types only (resolvers import it with `import type`),
// so a production install without devDependencies (the Dockerfile's
// `npm ci --omit=dev`) runs fine without it.
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const configFile = path.join(root, "codegen.ts");
const check = process.argv.includes("--check");

async function main() {
  const { generate, loadCodegenConfig } = require("@graphql-codegen/cli");
  const { config } = await loadCodegenConfig({ configFilePath: configFile });
  if (check) {
    const outputs = await generate({ ...config, cwd: root }, false);
    const stale = outputs.filter((o) => !fs.existsSync(path.resolve(root, o.filename)) || fs.readFileSync(path.resolve(root, o.filename), "utf8") !== o.content);
    for (const o of stale) console.error(`${o.filename} is not what codegen.ts makes from src/schema/*.graphql: run \`npm run generate\``);
    process.exit(stale.length === 0 ? 0 : 1);
  }
  await generate({ ...config, cwd: root }, true);
}

main().catch((error) => {
  console.error(`graphql-codegen failed (codegen.ts, src/schema/*.graphql):\n${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
