// Entry of an iALS training thread (see ialsThreads.ts).
import { workerData } from "node:worker_threads";
import { runIalsWorker, type IalsWorkerData } from "./ialsThreads";

runIalsWorker(workerData as IalsWorkerData);
