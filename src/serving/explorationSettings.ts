// Each process's copy of exploration_settings, so an answer decides whether
// to explore without a statement: read at start (startApp), again on every
// tick of the active-version watcher (another replica's setExploration
// arrives within the watch interval) and right after this process's own
// setExploration. A process that never loaded them (a CLI) explores nowhere.
import type { Database } from "../db/Database";
import { readExplorationSettings, type ExplorationSettingRow } from "../db/explorationRepository";

// The surfaces whose answers can explore (their answers go through recommend()).
export const EXPLORABLE_SURFACES = ["recommendations", "upNext"] as const;
export type ExplorableSurface = (typeof EXPLORABLE_SURFACES)[number];

export class ExplorationSettings {
  private bySurface: ReadonlyMap<string, ExplorationSettingRow> = new Map();

  constructor(private readonly db: Database) {}

  // The surface's setting when it explores (rate > 0); undefined otherwise.
  exploring(surface: string): ExplorationSettingRow | undefined {
    const s = this.bySurface.get(surface);
    return s && s.rate > 0 ? s : undefined;
  }

  get(surface: string): ExplorationSettingRow | undefined {
    return this.bySurface.get(surface);
  }

  // Swapped in one assignment: a request sees the old set or the new one.
  async refresh(): Promise<void> {
    const rows = await readExplorationSettings(this.db);
    this.bySurface = new Map(rows.map((r) => [r.surface, r]));
  }
}

const settings = new WeakMap<Database, ExplorationSettings>();

export function explorationSettingsOf(db: Database): ExplorationSettings {
  let s = settings.get(db);
  if (!s) settings.set(db, (s = new ExplorationSettings(db)));
  return s;
}
