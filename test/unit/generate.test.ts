// scripts/generate.js regenerates the Prisma client and the resolver types
// only when what they are made from changed. Run for real in a copy of the
// project (its node_modules linked): the first run generates both, an
// unchanged project is skipped (nothing rewritten), a changed SDL regenerates
// only the resolver types, a changed Prisma schema only the client, a missing
// output is regenerated; and a generator's version is part of the stamp.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Plain CommonJS, shared with npm's scripts (not part of the TypeScript program).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const generateScript = require("../../scripts/generate.js") as {
  STAMP_FILE: string;
  PARTS: Record<"prisma" | "codegen", unknown>;
  partStamp(root: string, part: unknown): string | null;
  status(root: string): { name: string; state: string }[];
};

const ROOT = path.resolve(__dirname, "../..");
const CLIENT = "src/generated/prisma/client.ts";
const TYPES = "src/graphql/generated/resolvers-types.ts";

jest.setTimeout(180_000);

function copyProject(into: string): void {
  for (const rel of ["prisma/schema.prisma", "prisma.config.ts", "codegen.ts"]) {
    fs.mkdirSync(path.dirname(path.join(into, rel)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, rel), path.join(into, rel));
  }
  fs.cpSync(path.join(ROOT, "src", "schema"), path.join(into, "src", "schema"), { recursive: true });
  fs.cpSync(path.join(ROOT, "scripts"), path.join(into, "scripts"), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(into, "node_modules"), "dir");
}

describe("scripts/generate.js in a copy of the project", () => {
  let dir: string;
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(dir, "scripts", "generate.js"), ...args], { cwd: dir, encoding: "utf8" });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const mtime = (rel: string) => fs.statSync(path.join(dir, rel)).mtimeMs;
  const state = () => run("--status").out.trim().split("\n");

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "marquee-generate-"));
    copyProject(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("generates both parts on the first run and records their stamps", () => {
    expect(state()).toEqual(["prisma: stale", "codegen: stale"]);
    expect(run("--status").status).toBe(1);
    const first = run();
    expect(first.status).toBe(0);
    expect(fs.existsSync(path.join(dir, CLIENT))).toBe(true);
    expect(fs.readFileSync(path.join(dir, TYPES), "utf8")).toContain("export type Resolvers");
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, generateScript.STAMP_FILE), "utf8"))).sort()).toEqual(["codegen", "prisma"]);
    expect(state()).toEqual(["prisma: fresh", "codegen: fresh"]);
    expect(run("--status").status).toBe(0);
  });

  it("skips an unchanged project without writing anything", () => {
    const before = [mtime(CLIENT), mtime(TYPES), mtime(generateScript.STAMP_FILE)];
    expect(run()).toEqual({ status: 0, out: "" });
    expect([mtime(CLIENT), mtime(TYPES), mtime(generateScript.STAMP_FILE)]).toEqual(before);
  });

  it("regenerates only the resolver types when the SDL changed", () => {
    const client = mtime(CLIENT);
    fs.appendFileSync(path.join(dir, "src/schema/catalog.graphql"), "\nextend type Query {\n  stampProbe: Int\n}\n");
    expect(state()).toEqual(["prisma: fresh", "codegen: stale"]);
    expect(run().status).toBe(0);
    expect(fs.readFileSync(path.join(dir, TYPES), "utf8")).toContain("stampProbe");
    expect(mtime(CLIENT)).toBe(client);
    expect(state()).toEqual(["prisma: fresh", "codegen: fresh"]);
  });

  it("regenerates only the Prisma client when schema.prisma changed", () => {
    const types = mtime(TYPES);
    fs.appendFileSync(path.join(dir, "prisma/schema.prisma"), "\nmodel StampProbe {\n  id Int @id\n}\n");
    expect(state()).toEqual(["prisma: stale", "codegen: fresh"]);
    expect(run().status).toBe(0);
    expect(fs.existsSync(path.join(dir, "src/generated/prisma/models/StampProbe.ts"))).toBe(true);
    expect(mtime(TYPES)).toBe(types);
    expect(state()).toEqual(["prisma: fresh", "codegen: fresh"]);
  });

  it("regenerates an output that was deleted, and everything with --force", () => {
    fs.rmSync(path.join(dir, TYPES));
    expect(state()).toEqual(["prisma: fresh", "codegen: stale"]);
    expect(run().status).toBe(0);
    expect(fs.existsSync(path.join(dir, TYPES))).toBe(true);
    // The stamp covers the inputs, not the output's content: an edited output
    // stays until --force regenerates it.
    const generated = fs.readFileSync(path.join(dir, TYPES), "utf8");
    fs.writeFileSync(path.join(dir, TYPES), "// edited by hand\n");
    const client = mtime(CLIENT);
    expect(run()).toEqual({ status: 0, out: "" });
    expect(fs.readFileSync(path.join(dir, TYPES), "utf8")).toBe("// edited by hand\n");
    expect(run("--force").status).toBe(0);
    expect(fs.readFileSync(path.join(dir, TYPES), "utf8")).toBe(generated);
    expect(mtime(CLIENT)).toBeGreaterThan(client);
  });

  it("leaves no stamp for a part whose generator failed, so the next run tries again", () => {
    fs.appendFileSync(path.join(dir, "src/schema/catalog.graphql"), "\ntype Broken {\n  field: NoSuchType\n}\n");
    const failed = run();
    expect(failed.status).toBe(1);
    expect(failed.out).toContain("generate: codegen failed");
    expect(JSON.parse(fs.readFileSync(path.join(dir, generateScript.STAMP_FILE), "utf8")).codegen).toBeUndefined();
    expect(state()).toEqual(["prisma: fresh", "codegen: stale"]);
  });
});

describe("a part's stamp", () => {
  let dir: string;
  const setVersion = (name: string, version: string) => {
    fs.mkdirSync(path.join(dir, "node_modules", name), { recursive: true });
    fs.writeFileSync(path.join(dir, "node_modules", name, "package.json"), JSON.stringify({ name, version }));
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "marquee-stamp-"));
    fs.mkdirSync(path.join(dir, "prisma"));
    fs.mkdirSync(path.join(dir, "scripts"));
    fs.writeFileSync(path.join(dir, "prisma", "schema.prisma"), "// schema\n");
    fs.writeFileSync(path.join(dir, "prisma.config.ts"), "// config\n");
    fs.writeFileSync(path.join(dir, "scripts", "prisma-generate.js"), "// generator\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("changes with the installed generator's version, and is null without it", () => {
    const prisma = generateScript.PARTS.prisma;
    expect(generateScript.partStamp(dir, prisma)).toBeNull();
    setVersion("prisma", "7.10.1");
    expect(generateScript.partStamp(dir, prisma)).toBeNull(); // @prisma/client still missing
    setVersion("@prisma/client", "7.10.0");
    const a = generateScript.partStamp(dir, prisma);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(generateScript.partStamp(dir, prisma)).toBe(a);
    setVersion("prisma", "7.11.0");
    expect(generateScript.partStamp(dir, prisma)).not.toBe(a);
  });

  it("reports Prisma missing as an error, and codegen missing (a production install) as unavailable", () => {
    fs.mkdirSync(path.join(dir, "src", "schema"), { recursive: true });
    expect(() => generateScript.status(dir)).toThrow("prisma or @prisma/client is not installed: run npm ci");
    setVersion("prisma", "7.10.1");
    setVersion("@prisma/client", "7.10.0");
    expect(generateScript.status(dir).map((p) => `${p.name}: ${p.state}`)).toEqual(["prisma: stale", "codegen: unavailable"]);
  });
});
