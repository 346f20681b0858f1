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
//
// Besides the active versions it holds the versions that running
// experiments' arms name ("name@version", active or not): pin() loads them,
// and version() serves one. They are kept apart, so active-version
// behaviour (get, all, reload) does not see them.
import type { Database } from "../db/Database";
import { loadActiveModelVersions, loadModelVersion } from "../db/modelRepository";
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
  // Versions pinned by experiments, by "name@version".
  private pinned: ReadonlyMap<string, ServedModel> = new Map();
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

  // Exactly this version: the active one when it is, else a pinned one.
  version(name: string, version: number): ServedModel | undefined {
    const active = this.served.models.get(name);
    if (active?.version === version) return active;
    return this.pinned.get(`${name}@${version}`);
  }

  // Holds exactly these versions ("name@version") besides the active ones,
  // loading those it does not hold yet (one at a time: a pin happens when an
  // experiment starts, not per request) and letting go of the others.
  // Returns the labels that could not be loaded, with why.
  async pin(labels: readonly { name: string; version: number }[]): Promise<{ label: string; message: string }[]> {
    const next = new Map<string, ServedModel>();
    const failed: { label: string; message: string }[] = [];
    for (const { name, version } of labels) {
      const label = `${name}@${version}`;
      const held = this.pinned.get(label) ?? next.get(label);
      if (held) {
        next.set(label, held);
        continue;
      }
      try {
        const stored = await loadModelVersion(this.db, name, version);
        if (!stored) throw new Error(`there is no version ${version} of ${name}`);
        next.set(label, servedModelFrom(stored));
      } catch (error) {
        failed.push({ label, message: error instanceof Error ? error.message : String(error) });
      }
    }
    this.pinned = next;
    return failed;
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
