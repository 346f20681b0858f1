// The active model of every name, held in memory by each server process.
// reload() reads the active versions from the database, rebuilds them, and
// only then swaps the whole set in one assignment: a request sees either the
// old set or the new one, never a mix, and a reload that cannot read the
// database leaves the old set serving. A version that cannot be rebuilt
// (an artifact missing, an algorithm this build does not know) fails alone:
// its name keeps the version it served before, if any, and the failure is
// kept (failure(name)) so that answers served without it can say why.
// activeVersionWatcher calls reload() when model_versions changes, and logs
// and retries a failed version.
import type { Database } from "../db/Database";
import { loadActiveModelVersions } from "../db/modelRepository";
import type { ServedModel } from "./ServedModel";
import { servedModelFrom } from "./ServedModel";

// An active version this process could not load.
export interface LoadFailure {
  readonly name: string;
  readonly version: number;
  readonly revision: number;
  readonly message: string;
}

interface Served {
  readonly models: ReadonlyMap<string, ServedModel>;
  readonly failures: ReadonlyMap<string, LoadFailure>;
}

export class ModelStore {
  private served: Served = { models: new Map(), failures: new Map() };
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly db: Database) {}

  get(name: string): ServedModel | undefined {
    return this.served.models.get(name);
  }

  all(): ServedModel[] {
    return [...this.served.models.values()];
  }

  // Why the active version of `name` is not the one served, if it failed to load.
  failure(name: string): LoadFailure | undefined {
    return this.served.failures.get(name);
  }

  failures(): LoadFailure[] {
    return [...this.served.failures.values()];
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
    const { loaded, unreadable } = await loadActiveModelVersions(this.db);
    // Deserialise everything first; only then swap, in one assignment.
    const models = new Map<string, ServedModel>();
    const failures = new Map<string, LoadFailure>();
    const failed = (name: string, version: number, revision: number, error: unknown) =>
      failures.set(name, { name, version, revision, message: error instanceof Error ? error.message : String(error) });
    for (const u of unreadable) failed(u.name, u.version, u.revision, u.error);
    for (const stored of loaded) {
      try {
        models.set(stored.name, servedModelFrom(stored));
      } catch (error) {
        failed(stored.name, stored.version, stored.revision, error);
      }
    }
    // Better the version served until now than none.
    for (const name of failures.keys()) {
      const previous = this.served.models.get(name);
      if (previous) models.set(name, previous);
    }
    this.served = { models, failures };
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
