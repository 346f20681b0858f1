// The running experiments, held in memory by each server process so that
// routing a request to its arm costs no SQL statement: loaded at start,
// refreshed on the active-version watch tick and at once after this
// process's own experiment mutations. refresh() also pins the model
// versions the arms name in the ModelStore, so an arm serves exactly its
// version, active or not. Each process also counts its own requests,
// errors and latencies per arm (ArmGuard) for the guardrails.
import type { Database } from "../db/Database";
import type { Logger } from "../logger";
import { listExperiments, type ExperimentRow, type Guardrails } from "../db/experimentRepository";
import type { StrategyName } from "./servingAlgorithms";
import { modelStoreOf } from "./ModelStore";
import { ArmGuard } from "./armGuard";

export interface RunningArm {
  name: string;
  strategy: StrategyName | null;
  // The model version an arm names.
  model: { name: string; version: number } | null;
  stopped: boolean;
  // The rollups' arm label: "<experiment>/<arm>".
  label: string;
}

export interface RunningExperiment {
  id: number;
  name: string;
  surface: string;
  guardrails: Guardrails;
  // The control first.
  arms: RunningArm[];
  weights: number[];
}

// "name@version" -> its parts (validated when the experiment was created).
export function parseModelLabel(label: string): { name: string; version: number } | null {
  const m = /^([^@]+)@(\d+)$/.exec(label);
  return m ? { name: m[1], version: Number(m[2]) } : null;
}

export function armLabel(experiment: string, arm: string): string {
  return `${experiment}/${arm}`;
}

function running(row: ExperimentRow): RunningExperiment {
  return {
    id: row.id,
    name: row.name,
    surface: row.surface,
    guardrails: row.guardrails,
    arms: row.arms.map((a) => ({
      name: a.name,
      strategy: a.strategy as StrategyName | null,
      model: a.model ? parseModelLabel(a.model) : null,
      stopped: a.stoppedAt !== null,
      label: armLabel(row.name, a.name),
    })),
    weights: row.arms.map((a) => a.weight),
  };
}

export class ExperimentRegistry {
  private bySurface: ReadonlyMap<string, RunningExperiment> = new Map();
  private readonly guards = new Map<string, ArmGuard>();
  private refreshing: Promise<void> | undefined;
  // Where a model version that cannot be loaded is reported (the app's).
  logger: Logger | undefined;

  constructor(private readonly db: Database) {}

  // The experiment running on a surface (at most one: starting checks).
  running(surface: string): RunningExperiment | undefined {
    return this.bySurface.get(surface);
  }

  all(): RunningExperiment[] {
    return [...this.bySurface.values()];
  }

  // This process's counts for an arm (by its label), made on first use.
  guard(label: string): ArmGuard {
    let guard = this.guards.get(label);
    if (!guard) this.guards.set(label, (guard = new ArmGuard()));
    return guard;
  }

  peekGuard(label: string): ArmGuard | undefined {
    return this.guards.get(label);
  }

  // Reads the running experiments (one statement) and pins their models;
  // swaps the set in one assignment. Returns the model versions that could
  // not be loaded (their arms are served as the control meanwhile).
  async refresh(): Promise<{ label: string; message: string }[]> {
    const rows = await listExperiments(this.db, ["RUNNING"]);
    const experiments = rows.map(running);
    const models = experiments.flatMap((e) => e.arms.flatMap((a) => (a.model ? [a.model] : [])));
    const failed = await modelStoreOf(this.db).pin(models);
    for (const f of failed) {
      this.logger?.error("could not load a model version an experiment arm names; its users are served as the control", { model: f.label, error: f.message });
    }
    this.bySurface = new Map(experiments.map((e) => [e.surface, e]));
    // Counts of arms no longer running are let go.
    const live = new Set(experiments.flatMap((e) => e.arms.map((a) => a.label)));
    for (const label of this.guards.keys()) if (!live.has(label)) this.guards.delete(label);
    return failed;
  }

  // Refreshes, one at a time (a caller arriving meanwhile waits for the
  // next one, which sees its change).
  async refreshSerially(): Promise<{ label: string; message: string }[]> {
    const previous = this.refreshing ?? Promise.resolve();
    let result: { label: string; message: string }[] = [];
    const next = previous.catch(() => undefined).then(async () => {
      result = await this.refresh();
    });
    this.refreshing = next;
    try {
      await next;
    } finally {
      if (this.refreshing === next) this.refreshing = undefined;
    }
    return result;
  }
}

const registries = new WeakMap<Database, ExperimentRegistry>();

export function experimentRegistryOf(db: Database): ExperimentRegistry {
  let registry = registries.get(db);
  if (!registry) registries.set(db, (registry = new ExperimentRegistry(db)));
  return registry;
}
