// Builds GraphiQL (React, Monaco and their web workers) into static files
// once, with esbuild, so the page loads nothing from a CDN. The output goes to
// a folder named after a hash of everything that shapes it (our entry file and
// the versions of the packages bundled), so an upgrade builds anew and the
// files can be cached by browsers forever.
//   npx tsx src/http/graphiql/buildGraphiqlAssets.ts   prebuilds (Dockerfile)
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

export const ENTRY_FILE = path.join(__dirname, "browser", "main.js");

// Files the page asks for directly; the fonts and workers are found from these.
export const PAGE_SCRIPT = "graphiql.js";
export const PAGE_STYLE = "graphiql.css";

export interface GraphiqlAssets {
  // The hash in the assets' URL path.
  key: string;
  dir: string;
  files: ReadonlySet<string>;
}

const BUNDLED_PACKAGES = ["graphiql", "@graphiql/react", "@graphiql/toolkit", "react", "react-dom", "monaco-editor", "monaco-graphql", "esbuild"];

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
  } catch {
    // Packages without "./package.json" in their exports: find the folder by hand.
    const file = path.join(path.dirname(require.resolve("react/package.json")), "..", name, "package.json");
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
  }
}

export function assetsKey(): string {
  const hash = crypto.createHash("sha256").update(fs.readFileSync(ENTRY_FILE));
  for (const name of BUNDLED_PACKAGES) hash.update(`${name}@${packageVersion(name)};`);
  return hash.digest("hex").slice(0, 12);
}

export function defaultCacheDir(): string {
  return path.join(path.dirname(require.resolve("react/package.json")), "..", ".cache", "marquee-graphiql");
}

function listFiles(dir: string): Set<string> {
  return new Set(fs.readdirSync(dir).filter((f) => !f.endsWith(".gz")));
}

export async function buildGraphiqlAssets(cacheDir: string = defaultCacheDir()): Promise<GraphiqlAssets> {
  const key = assetsKey();
  const dir = path.join(cacheDir, key);
  if (fs.existsSync(path.join(dir, PAGE_SCRIPT))) return { key, dir, files: listFiles(dir) };
  // Build into a private folder and rename it into place: two processes
  // building at once each produce a whole folder, and one of them wins.
  const tmp = `${dir}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const esbuild = await import("esbuild");
    await esbuild.build({
      entryPoints: {
        graphiql: ENTRY_FILE,
        "editor.worker": require.resolve("monaco-editor/esm/vs/editor/editor.worker.js"),
        "json.worker": require.resolve("monaco-editor/esm/vs/language/json/json.worker.js"),
        "graphql.worker": require.resolve("monaco-graphql/esm/graphql.worker.js"),
      },
      bundle: true,
      format: "esm",
      minify: true,
      target: "es2022",
      outdir: tmp,
      loader: { ".ttf": "file", ".woff": "file", ".woff2": "file" },
      assetNames: "[name]-[hash]",
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "silent",
      legalComments: "linked",
    });
    // Precompressed copies: the script is several megabytes.
    for (const file of fs.readdirSync(tmp)) {
      if (/\.(js|css|ttf|txt)$/.test(file)) {
        fs.writeFileSync(path.join(tmp, `${file}.gz`), zlib.gzipSync(fs.readFileSync(path.join(tmp, file)), { level: 9 }));
      }
    }
    try {
      fs.renameSync(tmp, dir);
    } catch (error) {
      if (!fs.existsSync(path.join(dir, PAGE_SCRIPT))) throw error;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return { key, dir, files: listFiles(dir) };
}

if (require.main === module) {
  const started = performance.now();
  buildGraphiqlAssets().then(
    (assets) => process.stdout.write(`GraphiQL assets in ${assets.dir} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`),
    (error) => {
      process.stderr.write(`GraphiQL build failed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
