// The page shell every dashboard page shares: head, nav, who is signed in.
import { ASSET_PATH } from "./assets";
import { html, type Html } from "./html";

export type Section = "catalog" | "models" | "users" | "online" | "live" | "none";

export interface PageOptions {
  title: string;
  section: Section;
  body: Html;
  // Shown in the header with a sign-out button when auth is on.
  who?: string;
  signedIn?: boolean;
  scripts?: string[];
}

const NAV: { section: Section; href: string; label: string }[] = [
  { section: "catalog", href: "/dashboard", label: "Catalog" },
  { section: "models", href: "/dashboard/models", label: "Models" },
  { section: "users", href: "/dashboard/users", label: "User explorer" },
  { section: "online", href: "/dashboard/online", label: "Online" },
  { section: "live", href: "/dashboard/live", label: "Live" },
];

export function page(options: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Marquee dashboard</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${ASSET_PATH}/dashboard.css">
${(options.scripts ?? []).map((s) => html`<script src="${ASSET_PATH}/${s}" defer></script>`)}
</head>
<body>
<header>
  <div class="brand">Marquee</div>
  <nav>${NAV.map((n) => html`<a href="${n.href}"${n.section === options.section ? html` aria-current="page"` : ""}>${n.label}</a>`)}</nav>
  ${options.signedIn
    ? html`<div class="who">${options.who ? html`<span>${options.who}</span>` : ""}<form class="inline" method="post" action="/dashboard/logout"><button type="submit">Sign out</button></form></div>`
    : ""}
</header>
<main>
<h1>${options.title}</h1>
${options.body}
</main>
</body>
</html>
`.text;
}
