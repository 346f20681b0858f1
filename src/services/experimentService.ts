// The experiment use cases: create, start, stop, read. Mutations refresh
// this process's registry of running experiments before they answer, so
// the next request here already follows the change (other replicas follow
// on their next watch tick).
import type { ServiceContext } from "./ServiceContext";
import { BadUserInputError, NotFoundError } from "../graphql/errors";
import {
  findExperiment,
  findExperimentByName,
  insertExperiment,
  isUniqueViolation,
  listExperiments,
  markStarted,
  markStopped,
  type ExperimentRow,
  type ExperimentStatus,
} from "../db/experimentRepository";
import { experimentRegistryOf } from "../serving/experimentRegistry";
import { checkExperimentInput, type CreateExperimentInput } from "./experimentInput";
import { experimentView, type ExperimentView } from "./experimentView";
import { checkId } from "./validation";

type Ctx = ServiceContext & { now: Date };

async function experimentOrNotFound(ctx: Ctx, id: string): Promise<ExperimentRow> {
  checkId("id", id);
  // Ids are serial integers: anything else names no experiment.
  const row = /^\d{1,9}$/.test(id) ? await findExperiment(ctx.db, Number(id)) : null;
  if (!row) throw new NotFoundError("experiment", [id], "id");
  return row;
}

async function refreshRegistry(ctx: Ctx): Promise<void> {
  await experimentRegistryOf(ctx.db).refreshSerially();
}

export async function createExperiment(ctx: Ctx, input: CreateExperimentInput): Promise<ExperimentView> {
  const checked = await checkExperimentInput(ctx.db, input);
  if (await findExperimentByName(ctx.db, checked.name)) throw new BadUserInputError("input.name", checked.name, "an experiment of that name exists");
  try {
    return experimentView(ctx.db, await insertExperiment(ctx.db, checked, ctx.now), ctx.now);
  } catch (error) {
    if (isUniqueViolation(error, "experiments_name_key")) throw new BadUserInputError("input.name", checked.name, "an experiment of that name exists");
    throw error;
  }
}

export async function startExperiment(ctx: Ctx, id: string): Promise<ExperimentView> {
  const row = await experimentOrNotFound(ctx, id);
  if (row.status === "RUNNING") throw new BadUserInputError("id", id, `experiment ${JSON.stringify(row.name)} is already running`);
  if (row.status === "STOPPED") throw new BadUserInputError("id", id, `experiment ${JSON.stringify(row.name)} is stopped; a stopped experiment cannot run again (create a new one)`);
  const overlapping = (await listExperiments(ctx.db, ["RUNNING"])).find((e) => e.surface === row.surface);
  const overlap = (name: string) => new BadUserInputError("id", id, `experiment ${JSON.stringify(name)} is running on surface ${row.surface}; stop it first (one experiment per surface)`);
  if (overlapping) throw overlap(overlapping.name);
  try {
    if (!(await markStarted(ctx.db, row.id, ctx.now))) throw new BadUserInputError("id", id, `experiment ${JSON.stringify(row.name)} is no longer a draft`);
  } catch (error) {
    if (isUniqueViolation(error, "experiments_one_running_per_surface")) throw overlap("another");
    throw error;
  }
  await refreshRegistry(ctx);
  return experimentView(ctx.db, (await findExperiment(ctx.db, row.id))!, ctx.now);
}

export async function stopExperiment(ctx: Ctx, id: string): Promise<ExperimentView> {
  const row = await experimentOrNotFound(ctx, id);
  if (row.status === "STOPPED") throw new BadUserInputError("id", id, `experiment ${JSON.stringify(row.name)} is stopped already`);
  await markStopped(ctx.db, row.id, ctx.now, "stopped by stopExperiment");
  await refreshRegistry(ctx);
  return experimentView(ctx.db, (await findExperiment(ctx.db, row.id))!, ctx.now);
}

export async function experiment(ctx: Ctx, id: string): Promise<ExperimentView> {
  return experimentView(ctx.db, await experimentOrNotFound(ctx, id), ctx.now);
}

export async function experiments(ctx: Ctx, status: ExperimentStatus | null | undefined): Promise<ExperimentView[]> {
  return (await listExperiments(ctx.db, status ? [status] : null)).map((row) => experimentView(ctx.db, row, ctx.now));
}
