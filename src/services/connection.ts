// Builds a Relay connection from a page fetched with one extra row (limit + 1),
// which tells whether there is a next page without a second query.
export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  // Counted only when selected: a getter, so both executors (graphql-js and
  // graphql-jit, which reads properties without calling them) run it only then.
  readonly totalCount: Promise<number>;
}

class LazyConnection<T> implements Connection<T> {
  constructor(
    readonly edges: { cursor: string; node: T }[],
    readonly nodes: T[],
    readonly pageInfo: Connection<T>["pageInfo"],
    private readonly count: () => Promise<number>,
  ) {}

  get totalCount(): Promise<number> {
    return this.count();
  }
}

export function toConnection<T>(
  rows: T[],
  limit: number,
  hasPrevious: boolean,
  cursorOf: (row: T) => string,
  totalCount: () => Promise<number>,
): Connection<T> {
  const nodes = rows.slice(0, limit);
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return new LazyConnection(
    edges,
    nodes,
    {
      hasNextPage: rows.length > limit,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount,
  );
}
