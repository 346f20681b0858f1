// What the simulated audience and its operator do to a Marquee server, all
// through its public GraphQL API over HTTP: load the catalog and histories,
// train, ask for recommendations, send clicks back with their impression,
// and read what the server measured.
import { sleep } from "../reliability/harness";

export class GraphqlFailure extends Error {
  constructor(
    message: string,
    readonly errors: unknown,
  ) {
    super(message);
  }
}

export async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(600_000),
  });
  const text = await response.text();
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new GraphqlFailure(`HTTP ${response.status}: ${text.slice(0, 300)}`, undefined);
  }
  if (body.errors?.length) {
    throw new GraphqlFailure(body.errors.map((e) => `${e.extensions?.code ?? "?"}: ${e.message}`).join("; "), body.errors);
  }
  return body.data as T;
}

export interface ShownList {
  user: string;
  impressionId: string;
  items: string[];
}

// One list per user, `perRequest` users per HTTP request (aliases): each
// alias is an answer of its own, with its own impression.
export async function serve(url: string, users: readonly string[], options: { first: number; strategy?: string; perRequest?: number }): Promise<ShownList[]> {
  // 15: the server's default limit on aliases per operation.
  const per = options.perRequest ?? 15;
  const out: ShownList[] = [];
  for (let start = 0; start < users.length; start += per) {
    const chunk = users.slice(start, start + per);
    const strategy = options.strategy ? `, strategy: ${options.strategy}` : "";
    const fields = chunk.map((_, k) => `u${k}: recommendations(userId: $u${k}, first: ${options.first}${strategy}) { impressionId item { id } }`);
    const query = `query Serve(${chunk.map((_, k) => `$u${k}: ID!`).join(", ")}) { ${fields.join(" ")} }`;
    const data = await gql<Record<string, { impressionId: string; item: { id: string } }[]>>(
      url,
      query,
      Object.fromEntries(chunk.map((u, k) => [`u${k}`, u])),
    );
    chunk.forEach((user, k) => {
      const list = data[`u${k}`];
      if (list.length > 0) out.push({ user, impressionId: list[0].impressionId, items: list.map((r) => r.item.id) });
    });
  }
  return out;
}

export interface Click {
  user: string;
  item: string;
  impressionId?: string;
  position?: number;
  occurredAt?: string;
}

export async function recordClicks(url: string, clicks: readonly Click[], type = "PLAY"): Promise<void> {
  const BATCH = 5000;
  for (let start = 0; start < clicks.length; start += BATCH) {
    const interactions = clicks.slice(start, start + BATCH).map((c) => ({
      userId: c.user,
      itemId: c.item,
      type,
      ...(c.impressionId ? { impressionId: c.impressionId } : {}),
      ...(c.position ? { position: c.position } : {}),
      ...(c.occurredAt ? { occurredAt: c.occurredAt } : {}),
    }));
    await gql(url, `mutation Record($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { accepted } }`, { i: interactions });
  }
}

export interface TrainedVersion {
  name: string;
  version: number;
  isActive: boolean;
  metrics: Record<string, unknown>;
  challenge?: { outcome: string; reason: string } | null;
}

// Queues a training job and waits for it; returns the version it saved.
export async function train(url: string, name: string, options: { activate?: boolean; params?: Record<string, unknown>; challenge?: boolean } = {}): Promise<TrainedVersion> {
  const challenge = options.challenge ? ", challenge: true" : "";
  const job = await gql<{ trainModel: { id: string } }>(
    url,
    `mutation Train($name: String!, $activate: Boolean, $params: JSON) { trainModel(name: $name, activate: $activate, params: $params${challenge}) { id } }`,
    { name, activate: options.activate ?? true, params: options.params ?? null },
  );
  return waitForJob(url, job.trainModel.id);
}

export async function waitForJob(url: string, id: string, timeoutMs = 600_000): Promise<TrainedVersion> {
  const started = Date.now();
  for (;;) {
    const { job } = await gql<{ job: { status: string; error: string | null; modelVersion: TrainedVersion | null } }>(
      url,
      `query Job($id: ID!) { job(id: $id) { status error modelVersion { name version isActive metrics } } }`,
      { id },
    );
    if (job.status === "SUCCEEDED" && job.modelVersion) return job.modelVersion;
    if (job.status === "FAILED" || job.status === "CANCELLED") throw new Error(`training job ${id} ${job.status}: ${job.error}`);
    if (Date.now() - started > timeoutMs) throw new Error(`training job ${id} still ${job.status} after ${timeoutMs} ms`);
    await sleep(200);
  }
}
