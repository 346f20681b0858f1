// In-process signals between who enqueues a job and the worker of the same
// process, per database handle: the trainModel mutation wakes the local
// worker so the job starts now rather than at its next poll. Workers in other
// processes find the job by polling.
import type { Database } from "../db/Database";

const listeners = new WeakMap<Database, Set<() => void>>();

export function onWake(db: Database, listener: () => void): () => void {
  let set = listeners.get(db);
  if (!set) listeners.set(db, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

export function wakeWorkers(db: Database): void {
  for (const listener of listeners.get(db) ?? []) listener();
}
