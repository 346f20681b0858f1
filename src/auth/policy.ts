// Who may call what. Every root field of the schema has a rule here (a test
// checks it, so a field added later cannot slip through: one without a rule
// is admin-only). Clients act for one user: the rule says which user ids a
// call touches, and any other is FORBIDDEN. Below the root, a User's fields
// other than `id` are readable by a client only for its own user, so
// `similarUsers { user { interactions } }` cannot read anyone else's history.
import { GraphQLError, defaultFieldResolver, type GraphQLFieldResolver } from "graphql";
import type { Principal, Role } from "./Principal";
import { ErrorCode } from "../graphql/errors";

export type Operation = "Query" | "Mutation";

export interface Rule {
  // Roles allowed besides admin (and "open", when auth is off).
  roles: readonly Exclude<Role, "admin" | "open">[];
  // For clients: the external user ids the call touches, from its arguments.
  clientUsers?: (args: any) => readonly unknown[];
}

const ANYONE: Rule = { roles: ["service", "client"] };
const SERVICE: Rule = { roles: ["service"] };
const ADMIN: Rule = { roles: [] };
const forUser = (pick: (args: any) => readonly unknown[]): Rule => ({ roles: ["service", "client"], clientUsers: pick });

export const POLICY: Readonly<Record<Operation, Readonly<Record<string, Rule>>>> = {
  Query: {
    ok: ANYONE,
    viewer: ANYONE,
    // The catalog is what every app shows.
    item: ANYONE,
    itemsById: ANYONE,
    items: ANYONE,
    features: ANYONE,
    catalogStats: ANYONE,
    similarItems: ANYONE,
    popular: ANYONE,
    // A user's own data.
    user: forUser((a) => [a.id]),
    users: forUser((a) => a.ids ?? []),
    recommendations: forUser((a) => [a.userId]),
    // An anonymous session (no userId) reads no one's data.
    upNext: forUser((a) => (a.userId != null ? [a.userId] : [])),
    similarUsers: forUser((a) => [a.userId]),
    predictRating: forUser((a) => [a.userId]),
    page: forUser((a) => [a.userId]),
    exportUser: forUser((a) => [a.id]),
    // Operations.
    models: SERVICE,
    job: SERVICE,
    activeModels: SERVICE,
    retrainSchedule: SERVICE,
    // Aggregates over every user's feedback.
    onlineMetrics: SERVICE,
    exploration: SERVICE,
    // Replays every user's logged traffic.
    offPolicyEstimate: ADMIN,
    // Experiments decide what users are served: admin only.
    experiment: ADMIN,
    experiments: ADMIN,
  },
  Mutation: {
    ok: ANYONE,
    upsertItems: SERVICE,
    upsertUsers: SERVICE,
    recordInteractions: forUser((a) => (Array.isArray(a.interactions) ? a.interactions.map((i: { userId?: unknown }) => i?.userId) : [])),
    issueUserToken: SERVICE,
    deleteUser: ADMIN,
    trainModel: ADMIN,
    activateModel: ADMIN,
    rollbackModel: ADMIN,
    // Changes what every user is shown.
    setExploration: ADMIN,
    createExperiment: ADMIN,
    startExperiment: ADMIN,
    stopExperiment: ADMIN,
  },
};

export class ForbiddenError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.FORBIDDEN } });
  }
}

interface HasPrincipal {
  principal: Principal;
}

export function authorize(principal: Principal, operation: Operation, field: string, args: unknown): void {
  if (principal.role === "open" || principal.role === "admin") return;
  const rule = POLICY[operation][field] ?? ADMIN;
  if (!rule.roles.includes(principal.role)) {
    throw new ForbiddenError(`A ${principal.role} key may not call ${operation === "Query" ? "query" : "mutation"} ${field}`);
  }
  if (principal.role === "client") {
    if (!rule.clientUsers) return;
    const others = rule.clientUsers(args).filter((id) => id !== principal.userId);
    if (others.length > 0) {
      throw new ForbiddenError(`A client key acts for user ${JSON.stringify(principal.userId)} only; ${field} asked about ${JSON.stringify(others[0])}`);
    }
  }
}

type ResolverMap = Record<string, unknown>;

// Wraps the root resolvers of `resolvers` with their rule, and every field of
// User but `id` with the client's own-user check. `userFields` are the User
// fields of the schema (those without a resolver get the default one).
export function withAuthPolicy<R extends ResolverMap>(resolvers: R, rootFields: Record<Operation, readonly string[]>, userFields: readonly string[]): R {
  const out: ResolverMap = { ...resolvers };
  for (const operation of ["Query", "Mutation"] as const) {
    const map: Record<string, unknown> = { ...((resolvers[operation] as Record<string, unknown>) ?? {}) };
    for (const field of rootFields[operation]) {
      const resolve = (map[field] as GraphQLFieldResolver<unknown, HasPrincipal>) ?? defaultFieldResolver;
      map[field] = (parent: unknown, args: unknown, ctx: HasPrincipal, info: any) => {
        authorize(ctx.principal, operation, field, args);
        return resolve(parent, args as Record<string, unknown>, ctx, info);
      };
    }
    out[operation] = map;
  }
  const user: Record<string, unknown> = { ...((resolvers.User as Record<string, unknown>) ?? {}) };
  for (const field of userFields) {
    if (field === "id") continue;
    const resolve = (user[field] as GraphQLFieldResolver<{ externalId: string }, HasPrincipal>) ?? defaultFieldResolver;
    user[field] = (parent: { externalId: string }, args: unknown, ctx: HasPrincipal, info: any) => {
      const principal = ctx.principal;
      if (principal.role === "client" && parent.externalId !== principal.userId) {
        throw new ForbiddenError(`A client key acts for user ${JSON.stringify(principal.userId)} only; it may read only the id of user ${JSON.stringify(parent.externalId)}`);
      }
      return resolve(parent, args as Record<string, unknown>, ctx, info);
    };
  }
  out.User = user;
  return out as R;
}
