// The server process's engine settings (src/runtimeTuning.ts): allocation-site
// pretenuring is turned off unless MARQUEE_V8_PRETENURING asks for V8's default,
// and the flag given is one this Node's V8 has.
import { execFileSync } from "node:child_process";
import { loadConfig } from "../../src/config";
import { applyRuntimeTuning } from "../../src/runtimeTuning";

describe("applyRuntimeTuning", () => {
  it("turns allocation-site pretenuring off by default", () => {
    const set: string[] = [];
    expect(applyRuntimeTuning(loadConfig({}, "/"), (f) => set.push(f))).toEqual(["--no-allocation-site-pretenuring"]);
    expect(set).toEqual(["--no-allocation-site-pretenuring"]);
  });

  it("leaves V8's default with MARQUEE_V8_PRETENURING=true", () => {
    const set: string[] = [];
    expect(applyRuntimeTuning(loadConfig({ MARQUEE_V8_PRETENURING: "true" }, "/"), (f) => set.push(f))).toEqual([]);
    expect(set).toEqual([]);
  });

  it("names a flag this Node's V8 has (setFlagsFromString ignores one it does not)", () => {
    const options = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" });
    expect(options).toMatch(/^\s+--allocation-site-pretenuring \(/m);
  });
});
