// Settings of the server process's JavaScript engine, applied once at start
// (src/index.ts), right after the configuration is read and before the app
// starts.
//
// Allocation-site pretenuring off (MARQUEE_V8_PRETENURING=false, the
// default). V8 allocates objects straight in the old generation from an
// allocation site whose objects it has seen survive young collections. Under
// a burst (many requests in flight at once) a request's own allocation sites
// qualify, and from then on every request allocates part of its objects in
// the old generation, where they die unseen until the next full collection;
// meanwhile they keep what they point to in the young generation alive, so
// each scavenge copies and promotes whole requests. Measured on ML-100K after
// 8 s at saturation, then 3,600 requests/s (BENCHMARKS.md, Serving): with
// pretenuring, a scavenge promoted 3.3-3.7 MB and paused 6-7 ms in about half
// the runs (also on bare Apollo answering constants); without it, 0.3 MB and
// 1.7-3.0 ms in every run. The server's long-lived data (models, caches) is
// typed arrays and maps built once, which pretenuring does not help.
import v8 from "node:v8";
import type { Config } from "./config";

export function applyRuntimeTuning(config: Pick<Config, "v8Pretenuring">, setFlags: (flags: string) => void = v8.setFlagsFromString): string[] {
  const flags = config.v8Pretenuring ? [] : ["--no-allocation-site-pretenuring"];
  for (const flag of flags) setFlags(flag);
  return flags;
}
