// MARQUEE_PROCESSES=N (PostgreSQL only): N server processes share the port
// through node:cluster, so one machine's cores all serve (one Node event loop
// uses one core). Each process is an ordinary stateless replica as
// docs/SCALING.md describes: it loads the active models itself, keeps its
// own caches, and hears of other replicas' writes and activations through
// PostgreSQL (NOTIFY and the active-version watch), exactly as separate
// machines would. Connections are dealt round-robin by the primary.
//
// The first process starts alone and does what must happen once: migrations,
// the demo catalog and its first training, and the training-job worker. The
// rest start when it is ready, without the demo or a job worker. Per-key rate
// limits are counted in each process, so each gets its share (limit / N); a
// client that sends everything down one keep-alive connection reaches one
// process and so gets limit / N.
// A process that dies is started again (at most 5 times a minute); SIGINT or
// SIGTERM to the primary stops them all gracefully.
import cluster, { type Worker } from "node:cluster";
import type { Config } from "./config";
import type { Logger } from "./logger";

const MAX_RESTARTS_PER_MINUTE = 5;
// A process's own stop waits up to 5 s for requests in flight; then it is killed.
const STOP_GRACE_MS = 15_000;

export interface ReadyMessage {
  type: "marquee-ready";
  url: string;
}

export function isReadyMessage(message: unknown): message is ReadyMessage {
  return typeof message === "object" && message !== null && (message as ReadyMessage).type === "marquee-ready";
}

// The environment of process `index`: the first is the full server, the rest only serve.
export function processEnv(config: Config, index: number): Record<string, string> {
  const share = (perSecond: number) => String(perSecond === 0 ? 0 : Math.max(1, Math.ceil(perSecond / config.processes)));
  const env: Record<string, string> = {
    MARQUEE_PROCESSES: "1",
    MARQUEE_RATE_LIMIT_CLIENT: share(config.auth.rateLimits.client.perSecond),
    MARQUEE_RATE_LIMIT_SERVICE: share(config.auth.rateLimits.service.perSecond),
    MARQUEE_RATE_LIMIT_ADMIN: share(config.auth.rateLimits.admin.perSecond),
  };
  if (index > 0) {
    env.MARQUEE_DEMO_DATA = "false";
    env.MARQUEE_WORKER = "false";
  }
  return env;
}

// Runs in the primary: starts the processes and keeps them running; calls onReady once all have started.
export function superviseProcesses(config: Config, logger: Logger, onReady: (url: string, count: number) => void): void {
  const count = config.processes;
  const indexOf = new Map<Worker, number>();
  const readyOnce = new Set<number>();
  const restarts: number[] = [];
  let stopping = false;

  const start = (index: number): void => {
    if (stopping) return;
    const worker = cluster.fork(processEnv(config, index));
    indexOf.set(worker, index);
    worker.on("message", (message: unknown) => {
      if (!isReadyMessage(message) || readyOnce.has(index)) return;
      readyOnce.add(index);
      // The first process has migrated the database (and loaded the demo): the rest may start.
      if (index === 0) for (let k = 1; k < count; k++) start(k);
      if (readyOnce.size === count) onReady(message.url, count);
    });
  };

  // Each process stops gracefully (in-flight requests, its job worker); one
  // that has not exited after STOP_GRACE_MS is killed. The primary exits
  // non-zero if asked to, or if a process did not stop cleanly.
  const stopAll = (exitCode: number): void => {
    if (stopping) return;
    stopping = true;
    const workers = [...indexOf.keys()];
    if (workers.length === 0) process.exit(exitCode);
    let left = workers.length;
    let code = exitCode;
    const force = setTimeout(() => {
      for (const worker of workers) if (!worker.isDead()) worker.process.kill("SIGKILL");
    }, STOP_GRACE_MS);
    force.unref();
    for (const worker of workers) {
      // A process still starting has no handler yet: SIGTERM ends it, which is a clean stop too.
      worker.once("exit", (workerCode, signal) => {
        if (workerCode !== 0 && signal !== "SIGTERM" && code === 0) code = 1;
        if (--left === 0) process.exit(code);
      });
      worker.process.kill("SIGTERM");
    }
  };

  cluster.on("exit", (worker, code, signal) => {
    const index = indexOf.get(worker);
    indexOf.delete(worker);
    if (stopping || index === undefined) return;
    const now = Date.now();
    while (restarts.length > 0 && restarts[0] < now - 60_000) restarts.shift();
    // A process that never started (bad configuration, no database) would fail again.
    if (!readyOnce.has(index) || restarts.length >= MAX_RESTARTS_PER_MINUTE) {
      logger.error("a server process exited; stopping", { process: index, code, signal, everStarted: readyOnce.has(index) });
      stopAll(1);
      return;
    }
    restarts.push(now);
    logger.error("a server process exited; starting it again", { process: index, code, signal });
    start(index);
  });

  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
  start(0);
}
