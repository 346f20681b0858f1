// The dashboard under /dashboard: server-rendered pages (catalog overview,
// models, user explorer, live figures), their local assets, and sign-in with
// an API key kept in an HttpOnly cookie. Every page forbids inline script and
// anything from another origin (Content-Security-Policy); the one state
// change (activating a model version) is a same-origin POST by an admin.
import type http from "node:http";
import type { TLSSocket } from "node:tls";
import { GraphQLError } from "graphql";
import type { Config } from "../../config";
import type { Database } from "../../db/Database";
import { activateVersion } from "../../jobs/modelAdmin";
import { processMetrics, type Metrics } from "../../observability/metrics";
import type { RouteHandler } from "../graphiql/createGraphiqlRoute";
import { readBody } from "../readBody";
import { ASSET_PATH, DASHBOARD_CSS, LIVE_JS } from "./assets";
import { canActivate, KEY_COOKIE, type DashboardAuthorizer, type Viewer } from "./dashboardAuthorizer";
import { html, type Html } from "./html";
import { page, type Section } from "./layout";
import { liveBody, liveJson } from "./livePage";
import { LiveSampler } from "./liveFigures";
import { loginBody, messageBody } from "./loginPage";
import { modelsBody } from "./modelsPage";
import { overviewBody } from "./overviewPage";
import { onlineBody } from "./onlinePage";
import { createLoaders } from "../../loaders/createLoaders";
import { usersBody } from "./usersPage";

export const DASHBOARD_PATH = "/dashboard";

// No inline script or style, nothing from elsewhere; forms post only here.
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": DASHBOARD_CSP,
  "referrer-policy": "same-origin",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

const FORM_LIMIT_BYTES = 16 * 1024;

export interface DashboardRouteOptions {
  db: Database;
  config: Config;
  authorize: DashboardAuthorizer;
  // Where the live page's figures come from (default: the process's, as /metrics).
  metrics?: Metrics;
}

type Signed = Extract<Viewer, { ok: true }>;

function send(req: http.IncomingMessage, res: http.ServerResponse, status: number, headers: Record<string, string | number>, body?: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, ...(body !== undefined ? { "content-length": Buffer.byteLength(body) } : {}) });
  res.end(req.method === "HEAD" ? undefined : body);
}

function redirect(res: http.ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location, "cache-control": "no-store", ...headers });
  res.end();
}

function isHttps(req: http.IncomingMessage): boolean {
  return (req.socket as TLSSocket).encrypted === true || String(req.headers["x-forwarded-proto"] ?? "").split(",")[0].trim() === "https";
}

function keyCookie(req: http.IncomingMessage, value: string, maxAgeSeconds?: number): string {
  return [
    `${KEY_COOKIE}=${encodeURIComponent(value)}`,
    `Path=${DASHBOARD_PATH}`,
    "HttpOnly",
    "SameSite=Strict",
    ...(isHttps(req) ? ["Secure"] : []),
    ...(maxAgeSeconds !== undefined ? [`Max-Age=${maxAgeSeconds}`] : []),
  ].join("; ");
}

// Against cross-site request forgery (besides SameSite=Strict): a POST must
// come from a page of this host, as its Origin (or, without one, Referer) says.
export function sameOrigin(req: http.IncomingMessage): boolean {
  if (req.headers["sec-fetch-site"] === "cross-site") return false;
  const host = req.headers.host;
  const source = typeof req.headers.origin === "string" ? req.headers.origin : req.headers.referer;
  if (!host || !source || source === "null") return false;
  try {
    return new URL(source).host === host;
  } catch {
    return false;
  }
}

// Where to go after signing in: a dashboard path only (no open redirect).
function safeNext(value: string | null | undefined): string {
  return value && /^\/dashboard(?:[/?]|$)/.test(value) && !value.includes("\\") ? value : DASHBOARD_PATH;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(req, FORM_LIMIT_BYTES));
}

// An expected failure (a typed GraphQLError from a service) shown as a page, not a 500.
function expectedFailure(error: unknown): { status: number; message: string } | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const code = error.extensions?.code;
  if (code === "NOT_FOUND") return { status: 404, message: error.message };
  if (code === "BAD_USER_INPUT") return { status: 400, message: error.message };
  return undefined;
}

export function createDashboardRoute(options: DashboardRouteOptions): RouteHandler {
  const { db, config, authorize } = options;
  // A first snapshot now is the baseline; the periodic ones start when someone looks.
  const sampler = new LiveSampler(options.metrics ?? processMetrics());
  void sampler.sample();

  const render = (req: http.IncomingMessage, res: http.ServerResponse, status: number, title: string, section: Section, body: Html, viewer?: Signed) => {
    const text = page({
      title,
      section,
      body,
      signedIn: authorize.enabled && viewer !== undefined,
      who: viewer && viewer.role !== "open" ? `${viewer.role}${viewer.keyId ? ` · ${viewer.keyId}` : ""}` : undefined,
      scripts: section === "live" ? ["live.js"] : [],
    });
    send(req, res, status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }, text);
  };

  async function login(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (!authorize.enabled) return redirect(res, DASHBOARD_PATH);
    if (req.method !== "POST") {
      return render(req, res, 200, "Sign in", "none", loginBody(undefined, safeNext(url.searchParams.get("next"))));
    }
    if (!sameOrigin(req)) {
      req.resume();
      return render(req, res, 403, "Sign in", "none", loginBody("The sign-in form must be sent from this site.", DASHBOARD_PATH));
    }
    const form = await readForm(req);
    const next = safeNext(form.get("next"));
    const viewer = await authorize.verifyKey(form.get("key") ?? "");
    if (!viewer.ok) return render(req, res, viewer.status, "Sign in", "none", loginBody(viewer.message, next));
    redirect(res, next, { "set-cookie": keyCookie(req, form.get("key")!.trim()) });
  }

  async function activate(req: http.IncomingMessage, res: http.ServerResponse, viewer: Signed): Promise<void> {
    if (!canActivate(viewer.role)) {
      req.resume();
      return render(req, res, 403, "Models", "models", messageBody(`Only an admin may activate a model version; you are signed in as ${viewer.role}.`), viewer);
    }
    if (!sameOrigin(req)) {
      req.resume();
      return render(req, res, 403, "Models", "models", messageBody("Refused: the activation must be sent from this dashboard (Origin does not match)."), viewer);
    }
    const form = await readForm(req);
    const name = (form.get("name") ?? "").trim();
    const versionText = (form.get("version") ?? "").trim();
    const version = /^\d{1,9}$/.test(versionText) ? Number(versionText) : NaN;
    let problem: string | undefined;
    if (name === "" || name.length > 100) problem = `Model name must be 1 to 100 characters; got ${JSON.stringify(name.slice(0, 100))}.`;
    else if (!Number.isSafeInteger(version) || version < 1) problem = `Version must be a positive whole number; got ${JSON.stringify(versionText.slice(0, 20))}.`;
    if (problem === undefined) {
      try {
        const activated = await activateVersion(db, name, version);
        return redirect(res, `${DASHBOARD_PATH}/models?activated=${encodeURIComponent(`${activated.name}@${activated.version}`)}`);
      } catch (error) {
        const expected = expectedFailure(error);
        if (!expected) throw error;
        problem = expected.status === 404 ? `There is no version ${version} of model "${name}".` : expected.message;
      }
    }
    const notice = html`<div class="notice error" data-error>${problem}</div>`;
    render(req, res, 400, "Models", "models", await modelsBody(db, true, notice), viewer);
  }

  async function pageFor(req: http.IncomingMessage, res: http.ServerResponse, pathname: string, url: URL, viewer: Signed): Promise<void> {
    const path = pathname.length > DASHBOARD_PATH.length && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
    if (path === `${DASHBOARD_PATH}/models/activate`) {
      if (req.method !== "POST") return send(req, res, 405, { allow: "POST", "content-type": "text/plain; charset=utf-8" }, "Use POST\n");
      return activate(req, res, viewer);
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      req.resume();
      return send(req, res, 405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }, "Use GET\n");
    }
    switch (path) {
      case DASHBOARD_PATH: {
        const bucket = url.searchParams.get("bucket") === "day" ? "day" : "week";
        return render(req, res, 200, "Catalog", "catalog", await overviewBody(db, bucket), viewer);
      }
      case `${DASHBOARD_PATH}/models`: {
        const activated = url.searchParams.get("activated");
        const notice = activated ? html`<div class="notice" data-notice>Activated ${activated.slice(0, 120)}: this process serves it now; other replicas follow within their watch interval.</div>` : undefined;
        return render(req, res, 200, "Models", "models", await modelsBody(db, canActivate(viewer.role), notice), viewer);
      }
      case `${DASHBOARD_PATH}/users`: {
        const { status, body } = await usersBody(db, config, { userId: url.searchParams.get("user") ?? "", strategy: url.searchParams.get("strategy") ?? "" });
        return render(req, res, status, "User explorer", "users", body, viewer);
      }
      case `${DASHBOARD_PATH}/online`:
        // Experiments are admin-only in the API: the same here (canActivate: admin, or auth off).
        return render(req, res, 200, "Online", "online", await onlineBody({ db, config, loaders: createLoaders(db) }, new Date(), canActivate(viewer.role)), viewer);
      case `${DASHBOARD_PATH}/live`:
        sampler.start();
        return render(req, res, 200, "Live", "live", liveBody(await sampler.figures()), viewer);
      case `${DASHBOARD_PATH}/live.json`: {
        sampler.start();
        const text = JSON.stringify(liveJson(await sampler.figures()));
        return send(req, res, 200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }, text);
      }
      default:
        return render(req, res, 404, "Not found", "none", messageBody(`There is no dashboard page ${path}.`), viewer);
    }
  }

  return async (req, res, pathname) => {
    if (pathname !== DASHBOARD_PATH && !pathname.startsWith(`${DASHBOARD_PATH}/`)) return false;
    const url = new URL(req.url ?? "/", "http://localhost");
    if (pathname.startsWith(`${ASSET_PATH}/`)) {
      const file = pathname.slice(ASSET_PATH.length + 1);
      const asset = file === "dashboard.css" ? { type: "text/css; charset=utf-8", body: DASHBOARD_CSS } : file === "live.js" ? { type: "text/javascript; charset=utf-8", body: LIVE_JS } : undefined;
      if (!asset) send(req, res, 404, { "content-type": "text/plain; charset=utf-8" }, "Not found\n");
      else send(req, res, 200, { "content-type": asset.type, "cache-control": "no-cache" }, asset.body);
      return true;
    }
    if (pathname === `${DASHBOARD_PATH}/login`) {
      await login(req, res, url);
      return true;
    }
    if (pathname === `${DASHBOARD_PATH}/logout`) {
      req.resume();
      redirect(res, authorize.enabled ? `${DASHBOARD_PATH}/login` : DASHBOARD_PATH, { "set-cookie": keyCookie(req, "", 0) });
      return true;
    }
    const viewer = await authorize.authorize(req);
    if (!viewer.ok) {
      req.resume();
      const next = req.method === "GET" ? safeNext(url.pathname + url.search) : DASHBOARD_PATH;
      if (viewer.status === 401) render(req, res, 401, "Sign in", "none", loginBody(viewer.message, next));
      else render(req, res, 403, "Forbidden", "none", messageBody(viewer.message, html`<p><a href="${DASHBOARD_PATH}/logout">Sign in with another key</a></p>`));
      return true;
    }
    try {
      await pageFor(req, res, pathname, url, viewer);
    } catch (error) {
      const expected = expectedFailure(error);
      if (!expected || res.headersSent) throw error;
      render(req, res, expected.status, "Dashboard", "none", messageBody(expected.message), viewer);
    }
    return true;
  };
}
