// The resolver types (src/graphql/generated/resolvers-types.ts) must be the
// ones codegen.ts makes from the SDL as it is now: a stale file would let the
// typecheck pass against a schema that no longer exists. `npm run generate`
// (run by `npm test`) regenerates it when the SDL or codegen.ts changed.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { buildASTSchema, parse } from "graphql";
import config, { RESOLVER_TYPES_FILE } from "../../codegen";
import { loadTypeDefs } from "../../src/graphql/typeDefs";

const root = path.resolve(__dirname, "../..");

describe("generated resolver types", () => {
  // In a child process: @graphql-codegen/cli requires ES modules, which Jest's module loader cannot.
  it("are up to date with the SDL and codegen.ts (run `npm run generate`)", () => {
    const run = spawnSync(process.execPath, [path.join(root, "scripts", "codegen-generate.js"), "--check"], { cwd: root, encoding: "utf8" });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
  });

  it("map only types the SDL declares (codegen ignores a mapper for a renamed type)", () => {
    const schema = buildASTSchema(parse(loadTypeDefs().join("\n")));
    const output = config.generates[RESOLVER_TYPES_FILE] as { config: { mappers: Record<string, string> } };
    expect(Object.keys(output.config.mappers).filter((name) => schema.getType(name) === undefined)).toEqual([]);
  });
});
