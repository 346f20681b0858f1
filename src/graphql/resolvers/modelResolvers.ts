// Model administration: thin mappings onto src/jobs/modelAdmin.
//
// AUTH: every field here is admin-only. The auth issue adds the role check
// (e.g. requireRole(ctx, "ADMIN")) at the top of each resolver below, or as
// a plugin rule covering Query.models, Query.job and these three mutations.
import type { Resolvers } from "../generated/resolvers-types";
import { activateVersion, jobById, listModels, requestTraining, rollbackVersion } from "../../jobs/modelAdmin";
import { checkText } from "../../services/validation";
import { findJob } from "../../db/jobRepository";
import { retrainScheduleView } from "../../jobs/retrainScheduleView";

// Model names are looked up in SQL: storable text (no NUL), bounded.
const modelName = (name: string) => checkText("name", name, 100);

export const modelResolvers = {
  Query: {
    // AUTH: admin only (see the top of this file).
    models: (_, __, ctx) => listModels(ctx.db),
    // AUTH: admin only.
    job: (_, args, ctx) => jobById(ctx.db, args.id),
    retrainSchedule: (_, __, ctx) => retrainScheduleView(ctx.db, ctx.config.retrain),
  },
  Mutation: {
    // AUTH: admin only.
    trainModel: (_, args, ctx) => requestTraining(ctx.db, args),
    // AUTH: admin only.
    activateModel: (_, args, ctx) => activateVersion(ctx.db, modelName(args.name), args.version),
    // AUTH: admin only.
    rollbackModel: (_, args, ctx) => rollbackVersion(ctx.db, modelName(args.name)),
  },
  RetrainRound: {
    // A handful per round; a job removed since is left out.
    jobs: async (round, _, ctx) => (await Promise.all(round.jobIds.map((id) => findJob(ctx.db, id)))).filter((j) => j !== null),
  },
  Job: {
    id: (job) => String(job.id),
    // The version the job saved, as it is now (it may have been activated or rolled back since).
    modelVersion: async (job, _, ctx) => {
      const model = job.result?.model;
      const version = job.result?.version;
      if (job.status !== "SUCCEEDED" || typeof model !== "string" || typeof version !== "number") return null;
      const info = (await listModels(ctx.db)).find((m) => m.name === model);
      return info?.versions.find((v) => v.version === version) ?? null;
    },
  },
} satisfies Resolvers;
