// Model administration: thin mappings onto src/jobs/modelAdmin.
//
// AUTH: every field here is admin-only. The auth issue adds the role check
// (e.g. requireRole(ctx, "ADMIN")) at the top of each resolver below, or as
// a plugin rule covering Query.models, Query.job and these three mutations.
import type { GraphQLContext } from "../context";
import type { JobRow } from "../../db/jobRepository";
import { activateVersion, jobById, listModels, requestTraining, rollbackVersion, type ModelVersionView } from "../../jobs/modelAdmin";

export const modelResolvers = {
  Query: {
    // AUTH: admin only (see the top of this file).
    models: (_: unknown, __: unknown, ctx: GraphQLContext) => listModels(ctx.db),
    // AUTH: admin only.
    job: (_: unknown, args: { id: string }, ctx: GraphQLContext) => jobById(ctx.db, args.id),
  },
  Mutation: {
    // AUTH: admin only.
    trainModel: (_: unknown, args: { name: string; activate?: boolean | null; seed?: number | null }, ctx: GraphQLContext) =>
      requestTraining(ctx.db, args),
    // AUTH: admin only.
    activateModel: (_: unknown, args: { name: string; version: number }, ctx: GraphQLContext) => activateVersion(ctx.db, args.name, args.version),
    // AUTH: admin only.
    rollbackModel: (_: unknown, args: { name: string }, ctx: GraphQLContext) => rollbackVersion(ctx.db, args.name),
  },
  Job: {
    id: (job: JobRow) => String(job.id),
    // The version the job saved, as it is now (it may have been activated or rolled back since).
    modelVersion: async (job: JobRow, _: unknown, ctx: GraphQLContext): Promise<ModelVersionView | null> => {
      const model = job.result?.model;
      const version = job.result?.version;
      if (job.status !== "SUCCEEDED" || typeof model !== "string" || typeof version !== "number") return null;
      const info = (await listModels(ctx.db)).find((m) => m.name === model);
      return info?.versions.find((v) => v.version === version) ?? null;
    },
  },
};
