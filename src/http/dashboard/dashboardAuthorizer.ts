// Who is looking at the dashboard. The API key comes from the
// `Authorization: Bearer` header (scripts, tests) or the `marquee_key` cookie
// the login form sets (browsers), and is checked by the API's own
// Authenticator (one verifier and key cache per process). Admins and services may view; a client key may not (it acts for
// one user, and the dashboard shows every user); only admins may activate.
import type http from "node:http";
import { bearerKey, type Authenticator } from "../../auth/authenticate";
import type { Role } from "../../auth/Principal";

export const KEY_COOKIE = "marquee_key";

export type Viewer =
  | { ok: true; role: Role; keyId?: string }
  // 401: no key or a bad one (the login form); 403: a valid key whose role may not view.
  | { ok: false; status: 401 | 403; message: string };

export interface DashboardAuthorizer {
  // False when auth is off: everyone is "open" and there is no login.
  readonly enabled: boolean;
  authorize(req: http.IncomingMessage): Promise<Viewer>;
  // Checks a key typed into the login form.
  verifyKey(key: string): Promise<Viewer>;
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function canView(role: Role): boolean {
  return role === "admin" || role === "service" || role === "open";
}

export function canActivate(role: Role): boolean {
  return role === "admin" || role === "open";
}

export function dashboardAuthorizer(auth: Pick<Authenticator, "enabled" | "verifyKey">): DashboardAuthorizer {
  async function verifyKey(key: string): Promise<Viewer> {
    const verified = await auth.verifyKey(key.trim());
    if (!verified) return { ok: false, status: 401, message: "The API key is not valid (unknown, revoked or malformed)." };
    if (!canView(verified.role)) {
      return { ok: false, status: 403, message: `A ${verified.role} key may not view the dashboard; sign in with an admin or service key.` };
    }
    return { ok: true, role: verified.role, keyId: verified.id };
  }
  return {
    enabled: auth.enabled,
    verifyKey,
    async authorize(req) {
      if (!auth.enabled) return { ok: true, role: "open" };
      const header = req.headers.authorization;
      const fromHeader = bearerKey(Array.isArray(header) ? header[0] : header);
      const key = fromHeader || cookieValue(req.headers.cookie, KEY_COOKIE);
      if (!key) return { ok: false, status: 401, message: "Sign in with an API key (admin or service) to view the dashboard." };
      return verifyKey(key);
    },
  };
}
