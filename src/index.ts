// `npm start`: read the configuration, start the server, print where it is.
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logger";
import { startApp } from "./app";
import cluster from "node:cluster";
import { superviseProcesses, type ReadyMessage } from "./cluster";
import { applyRuntimeTuning } from "./runtimeTuning";

async function main(): Promise<void> {
  const started = performance.now();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Marquee cannot start: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // In every server process (a cluster's workers run this too), before the app starts.
  applyRuntimeTuning(config);
  const logger = createLogger(config.logLevel);
  if (config.processes > 1 && cluster.isPrimary) {
    superviseProcesses(config, logger, (url, count) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(`Marquee is ready at ${url} (${count} processes; started in ${seconds} s)\n`);
    });
    return;
  }
  const app = await startApp(config, logger);
  if (cluster.isWorker) {
    process.send!({ type: "marquee-ready", url: app.url } satisfies ReadyMessage);
  } else {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`Marquee is ready at ${app.url} (${app.db.description}; started in ${seconds} s)\n`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("stopping", { signal });
    try {
      await app.stop();
      process.exit(0);
    } catch (error) {
      logger.error("stopping failed", { error: (error as Error)?.message, stack: (error as Error)?.stack });
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

process.on("unhandledRejection", (reason) => {
  process.stderr.write(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}\n`);
});

main().catch((error) => {
  process.stderr.write(`Marquee failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
