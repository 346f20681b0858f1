// GET /graphiql: the page; GET /graphiql/assets/<build key>/<file>: its
// script, styles, web workers and font, built on first use (or beforehand by
// buildGraphiqlAssets.ts). Asset URLs carry the build's hash, so browsers may
// keep them for a year; the page itself is revalidated every time.
import fs from "node:fs";
import path from "node:path";
import type http from "node:http";
import { buildGraphiqlAssets, type GraphiqlAssets } from "./buildGraphiqlAssets";
import { renderGraphiqlPage } from "./graphiqlPage";

export const GRAPHIQL_PATH = "/graphiql";

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".ttf": "font/ttf",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

// Everything the page loads comes from this server; browsers enforce it.
// Monaco sets inline styles, hence 'unsafe-inline' for styles only.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export interface GraphiqlRouteOptions {
  // Where built assets are kept (default: node_modules/.cache/marquee-graphiql).
  cacheDir?: string;
  endpoint?: string;
}

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, pathname: string) => Promise<boolean>;

function send(res: http.ServerResponse, status: number, headers: Record<string, string | number>, body?: string | Buffer, head = false): void {
  res.writeHead(status, headers);
  res.end(head ? undefined : body);
}

export function createGraphiqlRoute(options: GraphiqlRouteOptions = {}): RouteHandler {
  const endpoint = options.endpoint ?? "/graphql";
  let building: Promise<GraphiqlAssets> | undefined;
  const assets = () => {
    building ??= buildGraphiqlAssets(options.cacheDir).catch((error) => {
      building = undefined; // try again on the next request
      throw error;
    });
    return building;
  };

  return async (req, res, pathname) => {
    if (pathname !== GRAPHIQL_PATH && pathname !== `${GRAPHIQL_PATH}/` && !pathname.startsWith(`${GRAPHIQL_PATH}/assets/`)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }, "Use GET");
      return true;
    }
    const head = req.method === "HEAD";
    let built: GraphiqlAssets;
    try {
      built = await assets();
    } catch (error) {
      send(res, 503, { "content-type": "text/plain; charset=utf-8", "retry-after": 5 }, `GraphiQL could not be built: ${(error as Error).message}\n`, head);
      return true;
    }
    if (!pathname.startsWith(`${GRAPHIQL_PATH}/assets/`)) {
      const html = renderGraphiqlPage(`${GRAPHIQL_PATH}/assets/${built.key}`, endpoint);
      send(res, 200, {
        "content-type": "text/html; charset=utf-8",
        "content-length": Buffer.byteLength(html),
        "cache-control": "no-cache",
        "content-security-policy": CONTENT_SECURITY_POLICY,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
      }, html, head);
      return true;
    }
    const [key, file, ...rest] = pathname.slice(`${GRAPHIQL_PATH}/assets/`.length).split("/");
    // Only files of this build, by exact name: no path can leave the folder.
    if (rest.length > 0 || !file || !built.files.has(file)) {
      send(res, 404, { "content-type": "text/plain; charset=utf-8" }, "Not found\n", head);
      return true;
    }
    if (key !== built.key) {
      // An old page after an upgrade: send it to the current build.
      send(res, 302, { location: `${GRAPHIQL_PATH}/assets/${built.key}/${file}`, "cache-control": "no-cache" }, undefined, head);
      return true;
    }
    const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? "")) && fs.existsSync(path.join(built.dir, `${file}.gz`));
    const body = await fs.promises.readFile(path.join(built.dir, gzip ? `${file}.gz` : file));
    send(res, 200, {
      "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
      "content-length": body.length,
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
      vary: "accept-encoding",
      ...(gzip ? { "content-encoding": "gzip" } : {}),
    }, body, head);
    return true;
  };
}
