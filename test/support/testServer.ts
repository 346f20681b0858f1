import type { ApolloServer } from "@apollo/server";
import { loadConfig, type Config } from "../../src/config";
import type { Database } from "../../src/db/Database";
import { createApolloServer } from "../../src/graphql/createApolloServer";
import { createContext, type GraphQLContext } from "../../src/graphql/context";
import { createLogger, type Logger } from "../../src/logger";
import { startApp, type App } from "../../src/app";
import type { Principal } from "../../src/auth/Principal";

export interface LoggedLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface TestServer {
  apollo: ApolloServer<GraphQLContext>;
  config: Config;
  logs: LoggedLine[];
  // Runs one operation through the real server (parsing, validation,
  // resolvers, error formatting) and returns the whole JSON answer.
  run(query: string, variables?: Record<string, unknown>, principal?: Principal): Promise<{ data?: any; errors?: any[] }>;
  stop(): Promise<void>;
}

// The suite runs under either executor (CI runs it under both):
// MARQUEE_EXECUTOR in the environment reaches every test server.
export const TEST_EXECUTOR = process.env.MARQUEE_EXECUTOR === "graphql-js" ? "graphql-js" : "jit";

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ PORT: "0", HOST: "127.0.0.1", MARQUEE_DEMO_DATA: "false", LOG_LEVEL: "debug", MARQUEE_EXECUTOR: TEST_EXECUTOR, ...overrides });
}

export function memoryLogger(logs: LoggedLine[]): Logger {
  return createLogger("debug", (line) => logs.push(JSON.parse(line)));
}

export async function startTestServer(db: Database, configOverrides: Record<string, string> = {}): Promise<TestServer> {
  const logs: LoggedLine[] = [];
  const config = testConfig(configOverrides);
  const apollo = createApolloServer(memoryLogger(logs), { introspection: true, limits: config.queryLimits, executor: config.executor });
  await apollo.start();
  return {
    apollo,
    config,
    logs,
    async run(query, variables, principal) {
      const response = await apollo.executeOperation(
        { query, variables },
        { contextValue: createContext(db, config, "test", principal) },
      );
      if (response.body.kind !== "single") throw new Error("expected a single result");
      return JSON.parse(JSON.stringify(response.body.singleResult));
    },
    stop: () => apollo.stop(),
  };
}

export async function startHttpApp(db: Database, configOverrides: Record<string, string> = {}): Promise<App & { logs: LoggedLine[] }> {
  const logs: LoggedLine[] = [];
  const app = await startApp(testConfig(configOverrides), memoryLogger(logs), db);
  return Object.assign(app, { logs });
}

export async function postGraphQL(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}
