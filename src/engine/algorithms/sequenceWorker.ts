// Entry of a next-item model's training thread (see sequenceThreads.ts).
import { workerData } from "node:worker_threads";
import { runSequenceWorker, type SequenceWorkerData } from "./sequenceThreads";

runSequenceWorker(workerData as SequenceWorkerData);
