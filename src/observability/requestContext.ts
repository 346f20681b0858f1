// The request being served, reachable from anywhere below the HTTP handler
// (formatError, services, loaders) without threading it through every call,
// so each log line can carry the request id.
//
// Cost: before Node 24, AsyncLocalStorage works through async hooks on every
// promise and resource once in use; measured here on Node 20, it took 15-25%
// off the throughput of `{ __typename }`. Node 24 propagates it through V8's
// continuation data (AsyncContextFrame) at no measurable cost. Hence the
// default below; createHttpServer's `requestContext` option overrides it.
import { execArgv, versions } from "node:process";
import { AsyncLocalStorage } from "node:async_hooks";

export interface RequestState {
  readonly requestId: string;
  // The public id of the request's API key (never the key), once authenticated.
  keyId?: string;
  // Filled in by the metrics plugin from what Apollo resolved.
  operationName?: string;
  // "query", "mutation" or "subscription"; undefined when no operation was resolved.
  operationType?: string;
  // Set when the Apollo pipeline has counted this request's errors already.
  errorsCounted?: boolean;
  // The extensions.code of each error in the GraphQL answer, for the access log.
  errorCodes?: string[];
}

const storage = new AsyncLocalStorage<RequestState>();

// Whether AsyncLocalStorage is cheap here (Node 24+, unless turned off).
export function asyncContextIsCheap(): boolean {
  return Number(versions.node.split(".")[0]) >= 24 && !execArgv.includes("--no-async-context-frame");
}

export function runWithRequest<T>(state: RequestState, fn: () => T): T {
  return storage.run(state, fn);
}

export function currentRequest(): RequestState | undefined {
  return storage.getStore();
}

// The same state, found from the GraphQL context object Apollo hands to
// plugins: this link works whether or not the AsyncLocalStorage is in use.
// A symbol-keyed property, because Apollo passes plugins a shallow copy of
// the context (Object.assign copies symbol keys; a WeakMap would miss it).
const STATE = Symbol("marquee.requestState");

export function bindRequestState(context: object, state: RequestState): void {
  (context as { [STATE]?: RequestState })[STATE] = state;
}

export function requestStateOf(context: object): RequestState | undefined {
  return (context as { [STATE]?: RequestState })[STATE];
}
