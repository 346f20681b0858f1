// Compiled execution: graphql-jit turns each operation into plain JavaScript
// once, and Apollo Server 5 runs it through its gateway seam (a `gateway`
// whose load() returns the schema and an executor); a field whose resolver
// only reads a property is compiled as that read (propertyFields.ts). Parsing, validation
// (graphql-armor, the list-cost rule), plugins and error formatting stay
// Apollo's; only execution changes. Compiled operations are kept in a
// bounded LRU by source and operation name; an operation graphql-jit cannot
// compile runs on graphql-js instead (and is remembered as such).
import type { GatewayInterface } from "@apollo/server-gateway-interface";
import { execute, getVariableValues, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import { installGatewayRequestContext } from "./gatewayRequestContext";
import { propertyFields, type PropertyFields } from "./propertyFields";

export type ExecutorName = "jit" | "graphql-js";

type Runner = { kind: "compiled"; query: CompiledQuery["query"] } | { kind: "fallback" };

export interface JitStats {
  compiled: number;
  fallbacks: number;
  hits: number;
  evictions: number;
  size: number;
}

export class CompiledOperations {
  private readonly cache = new Map<string, Runner>();
  readonly stats: JitStats = { compiled: 0, fallbacks: 0, hits: 0, evictions: 0, size: 0 };
  // The key of the operation used last (the LRU's newest entry).
  private newest: string | undefined;
  // Fields compiled as the property reads they are (propertyFields.ts).
  private readonly properties: PropertyFields | undefined;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly maxEntries: number,
  ) {
    this.properties = propertyFields(schema);
  }

  runner(source: string, document: DocumentNode, operationName: string | null): Runner {
    const key = `${operationName ?? ""}\u0000${source}`;
    const cached = this.cache.get(key);
    if (cached) {
      // Most recently used last: Map keeps insertion order. The operation
      // used last is left where it is (a Map delete and set reallocates
      // its table: for one hot operation, on every request).
      if (key !== this.newest) {
        this.cache.delete(key);
        this.cache.set(key, cached);
        this.newest = key;
      }
      this.stats.hits++;
      return cached;
    }
    const rewritten = this.properties?.rewrite(document);
    const compiled = compileQuery(rewritten ? this.properties!.schema : this.schema, rewritten ?? document, operationName ?? undefined, { disablingCapturingStackErrors: true });
    let runner: Runner;
    if (isCompiledQuery(compiled)) {
      runner = { kind: "compiled", query: compiled.query };
      this.stats.compiled++;
    } else {
      runner = { kind: "fallback" };
      this.stats.fallbacks++;
    }
    this.cache.set(key, runner);
    this.newest = key;
    if (this.cache.size > this.maxEntries) {
      this.cache.delete(this.cache.keys().next().value!);
      this.stats.evictions++;
    }
    this.stats.size = this.cache.size;
    return runner;
  }
}

// The gateway Apollo Server 5 takes: the schema at once, and an executor.
export function jitGateway(schema: GraphQLSchema, options: { maxCachedOperations: number }): GatewayInterface & { operations: CompiledOperations } {
  // Apollo's per-request gateway context, built without a hidden class per request.
  installGatewayRequestContext();
  const operations = new CompiledOperations(schema, options.maxCachedOperations);
  const executor = async (requestContext: {
    source: string;
    document: DocumentNode;
    operationName: string | null;
    operation: OperationDefinitionNode;
    context: unknown;
    request: { variables?: Record<string, unknown> };
  }): Promise<ExecutionResult> => {
    const runner = operations.runner(requestContext.source, requestContext.document, requestContext.operationName);
    const variables = requestContext.request.variables ?? {};
    if (runner.kind === "compiled") {
      const result = await runner.query(undefined, requestContext.context, variables);
      // No data: the variables did not coerce. graphql-js's coercion words
      // the errors (and marks them on the variable definition, which Apollo
      // turns into BAD_USER_INPUT and HTTP 400), so clients see the same
      // answer from either executor. Costs nothing when the variables are good.
      if (!("data" in result) && result.errors?.length) {
        const coerced = getVariableValues(schema, requestContext.operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
        if (coerced.errors) return { errors: coerced.errors };
      }
      return result.errors?.length ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
    }
    return execute({
      schema,
      document: requestContext.document,
      operationName: requestContext.operationName,
      contextValue: requestContext.context,
      variableValues: variables,
    });
  };
  return {
    operations,
    async load() {
      return { executor: executor as never };
    },
    onSchemaLoadOrUpdate(callback) {
      // Apollo needs the schema before it answers anything ("You must call
      // start() before getSchemaDerivedData()" otherwise).
      callback({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => {};
    },
    async stop() {},
  };
}

// graphql-jit's errors are GraphQLErrors by prototype only: no `extensions`
// object unless the resolver's error had one, and locations without the
// nodes graphql-js derives them from. Apollo's formatting reads
// `extensions.code` (and would answer a bare "Internal server error" without
// calling formatError, so nothing would be logged), hence a real one, with
// the same message, path, locations, original error and extensions.
function asGraphQLError(error: GraphQLError): GraphQLError {
  const copy = new GraphQLError(error.message, {
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    ...(error.extensions ? { extensions: error.extensions } : {}),
  });
  if (error.locations) (copy as { locations?: GraphQLError["locations"] }).locations = error.locations;
  return copy;
}
