// Entry of a training thread (see threadPool.ts).
import { workerData } from "node:worker_threads";
import { runThreadWorker } from "./threadPool";

runThreadWorker(workerData as Parameters<typeof runThreadWorker>[0]);
