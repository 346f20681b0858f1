// exploration_settings: how each surface explores (setExploration).
import type { Database } from "./Database";

export interface ExplorationSettingRow {
  surface: string;
  rate: number;
  poolSize: number;
  updatedAt: Date;
}

export async function readExplorationSettings(db: Database): Promise<ExplorationSettingRow[]> {
  const rows = await db.sql.query<{ surface: string; rate: number | string; pool_size: number; updated_at: Date | string }>(
    `SELECT surface, rate, pool_size, updated_at FROM exploration_settings ORDER BY surface`,
  );
  return rows.map((r) => ({ surface: r.surface, rate: Number(r.rate), poolSize: Number(r.pool_size), updatedAt: new Date(r.updated_at) }));
}

export async function writeExplorationSetting(db: Database, surface: string, rate: number, poolSize: number, now: Date): Promise<ExplorationSettingRow> {
  const [r] = await db.sql.query<{ surface: string; rate: number | string; pool_size: number; updated_at: Date | string }>(
    `INSERT INTO exploration_settings (surface, rate, pool_size, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (surface) DO UPDATE SET rate = EXCLUDED.rate, pool_size = EXCLUDED.pool_size, updated_at = EXCLUDED.updated_at
     RETURNING surface, rate, pool_size, updated_at`,
    [surface, rate, poolSize, now.toISOString()],
  );
  return { surface: r.surface, rate: Number(r.rate), poolSize: Number(r.pool_size), updatedAt: new Date(r.updated_at) };
}
