// Generates the code the repository does not hold, only when its inputs
// changed: the Prisma client (src/generated/prisma, by prisma-generate.js) and
// the resolver types (src/graphql/generated/resolvers-types.ts, by
// codegen-generate.js). `npm ci` runs it once (postinstall); start, test,
// typecheck and every CLI script run it first. When nothing changed it reads a
// few small files, compares them with one stamp and exits without loading a
// generator (one node start-up, tens of milliseconds).
//
// What each part is made from (its stamp is a sha256 of all of it):
//   prisma:  prisma/schema.prisma, prisma.config.ts, prisma-generate.js and the
//            installed versions of prisma and @prisma/client;
//   codegen: codegen.ts, src/schema/*.graphql, codegen-generate.js and the
//            installed versions of @graphql-codegen/cli, its two plugins and graphql.
// A part is regenerated when its stamp differs or its output file is missing.
// Without the codegen packages (a production install, `npm ci --omit=dev`)
// the resolver types are skipped: they hold types only, and nothing that runs
// imports them.
//
//   node scripts/generate.js            generate what is stale
//   node scripts/generate.js --force    regenerate both parts
//   node scripts/generate.js --status   print each part's state; exit 1 if one is stale; writes nothing
//   --root <dir>                        another project folder (tests)
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const STAMP_FILE = path.join("src", "generated", ".generate-stamp.json");

const PARTS = {
  prisma: {
    script: "prisma-generate.js",
    files: () => ["prisma/schema.prisma", "prisma.config.ts"],
    packages: ["prisma", "@prisma/client"],
    output: path.join("src", "generated", "prisma", "client.ts"),
    required: true,
  },
  codegen: {
    script: "codegen-generate.js",
    // The same files as codegen.ts's `schema: "src/schema/*.graphql"`.
    files: (root) => [
      "codegen.ts",
      ...fs.readdirSync(path.join(root, "src", "schema")).filter((f) => f.endsWith(".graphql")).sort().map((f) => `src/schema/${f}`),
    ],
    packages: ["@graphql-codegen/cli", "@graphql-codegen/typescript", "@graphql-codegen/typescript-resolvers", "graphql"],
    output: path.join("src", "graphql", "generated", "resolvers-types.ts"),
    required: false,
  },
};

// Read from the file, not require(): some packages do not export ./package.json.
function installedVersion(root, name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")).version ?? null;
  } catch {
    return null;
  }
}

// The stamp of one part, or null when its generator is not installed.
function partStamp(root, part) {
  const versions = part.packages.map((name) => installedVersion(root, name));
  if (versions.includes(null)) return null;
  const hash = crypto.createHash("sha256");
  part.packages.forEach((name, i) => hash.update(`${name}@${versions[i]}\n`));
  for (const file of [...part.files(root), `scripts/${part.script}`]) {
    hash.update(`\n${file}\n`).update(fs.readFileSync(path.join(root, file)));
  }
  return hash.digest("hex");
}

function readStamps(root) {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(root, STAMP_FILE), "utf8"));
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

function writeStamps(root, stamps) {
  fs.mkdirSync(path.dirname(path.join(root, STAMP_FILE)), { recursive: true });
  fs.writeFileSync(path.join(root, STAMP_FILE), `${JSON.stringify(stamps, null, 2)}\n`);
}

// Each part's state: "fresh", "stale" (will be generated) or "unavailable" (generator not installed).
function status(root, { force = false } = {}) {
  const stored = readStamps(root);
  return Object.entries(PARTS).map(([name, part]) => {
    const stamp = partStamp(root, part);
    if (stamp === null) {
      if (part.required) throw new Error(`${part.packages.join(" or ")} is not installed: run npm ci`);
      return { name, state: "unavailable", stamp };
    }
    const fresh = !force && stored[name] === stamp && fs.existsSync(path.join(root, part.output));
    return { name, state: fresh ? "fresh" : "stale", stamp };
  });
}

function generate(root, options = {}) {
  const { spawnSync } = require("node:child_process");
  const parts = status(root, options);
  const ran = [];
  for (const { name, state, stamp } of parts) {
    if (state !== "stale") continue;
    // Forget the old stamp first: a failed run must not leave it claiming success.
    const stamps = readStamps(root);
    delete stamps[name];
    writeStamps(root, stamps);
    const result = spawnSync(process.execPath, [path.join(root, "scripts", PARTS[name].script)], { cwd: root, stdio: "inherit" });
    if (result.status !== 0) return { ok: false, ran, failed: name };
    writeStamps(root, { ...readStamps(root), [name]: stamp });
    ran.push(name);
  }
  return { ok: true, ran };
}

module.exports = { STAMP_FILE, PARTS, partStamp, status, generate };

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--root");
  const root = at >= 0 ? path.resolve(args[at + 1]) : path.join(__dirname, "..");
  try {
    if (args.includes("--status")) {
      const parts = status(root);
      for (const p of parts) process.stdout.write(`${p.name}: ${p.state}\n`);
      process.exit(parts.some((p) => p.state === "stale") ? 1 : 0);
    }
    const result = generate(root, { force: args.includes("--force") });
    if (!result.ok) {
      process.stderr.write(`generate: ${result.failed} failed (see above)\n`);
      process.exit(1);
    }
  } catch (error) {
    process.stderr.write(`generate: ${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  }
}
