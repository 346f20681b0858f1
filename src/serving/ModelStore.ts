// The active model of every name, held in memory by each server process.
// reload() reads the active versions from the database, rebuilds them, and
// only then swaps the whole set in one assignment: a request sees either the
// old set or the new one, never a mix, and a failed reload leaves the old set
// serving. The later slice (job queue, multi-replica polling) calls reload()
// when it notices model_versions changed.
import type { Database } from "../db/Database";
import { loadActiveModels } from "../db/modelRepository";
import type { ServedModel } from "./ServedModel";
import { servedModelFrom } from "./ServedModel";

export class ModelStore {
  private models: ReadonlyMap<string, ServedModel> = new Map();
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly db: Database) {}

  get(name: string): ServedModel | undefined {
    return this.models.get(name);
  }

  all(): ServedModel[] {
    return [...this.models.values()];
  }

  reload(): Promise<void> {
    if (!this.running) {
      this.running = this.load().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // Asked while a reload runs: that one may have read the database before
    // the change the caller is reacting to, so run once more after it
    // (however many callers ask meanwhile).
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.reload();
      });
    return this.queued;
  }

  private async load(): Promise<void> {
    const stored = await loadActiveModels(this.db);
    // Deserialise everything first; only then swap, in one assignment.
    this.models = new Map(stored.map((s) => [s.name, servedModelFrom(s)]));
  }
}

// One store per database handle. The service reaches it through the
// database its context carries, so wiring needs no change to the context:
// startApp calls loadModelStore(db) once at start.
const stores = new WeakMap<Database, ModelStore>();

export function modelStoreOf(db: Database): ModelStore {
  let store = stores.get(db);
  if (!store) stores.set(db, (store = new ModelStore(db)));
  return store;
}

export async function loadModelStore(db: Database): Promise<ModelStore> {
  const store = modelStoreOf(db);
  await store.reload();
  return store;
}
