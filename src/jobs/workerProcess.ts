// The in-server job worker as a child process (`src/cli/worker.ts`), so a
// fit — seconds to minutes of CPU — never blocks the API's event loop
// (/healthz and every request stay responsive while a model trains). Used
// with a PostgreSQL server; the embedded PGlite is one process's database and
// keeps its worker in-process. The child tells the parent when it activated a
// version (IPC), so this replica reloads at once; it is restarted if it dies.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Logger } from "../logger";

export interface WorkerProcess {
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export function startWorkerProcess(logger: Logger, onActivated: () => Promise<void>, env: NodeJS.ProcessEnv = process.env): WorkerProcess {
  const script = path.resolve(__dirname, "../cli/worker.ts");
  let child: ChildProcess | undefined;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  const start = () => {
    const c = fork(script, [], { execArgv: process.execArgv, env: { ...env, MARQUEE_WORKER_CHILD: "1" }, stdio: ["ignore", "ignore", "inherit", "ipc"] });
    child = c;
    c.on("message", (message) => {
      if ((message as { type?: string })?.type === "activated") {
        onActivated().catch((error) => logger.warn("could not reload models after an activation", { error: (error as Error)?.message }));
      }
    });
    c.on("exit", (code, signal) => {
      if (child === c) child = undefined;
      if (stopping) return;
      logger.warn("the job worker process exited; restarting it", { code, signal });
      restartTimer = setTimeout(start, 1000);
      restartTimer.unref();
    });
  };
  start();
  return {
    get pid() {
      return child?.pid;
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => c.kill("SIGKILL"), 30_000);
        c.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        // The worker finishes the job in hand, then exits.
        c.kill("SIGTERM");
      });
    },
  };
}
