// GraphiQL at /graphiql: an HTML page whose scripts and styles all come from
// this server (no CDN), each answering 200 with the right content type and
// caching headers, including what those files load in turn (web workers, the
// icon font). Whether it renders in a browser is checked headless elsewhere.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startHttpApp, type LoggedLine } from "../support/testServer";
import type { App } from "../../src/app";
import { EXAMPLE_TABS } from "../../src/http/graphiql/exampleOperations";

// The first request may build the bundle with esbuild (seconds; cached after).
jest.setTimeout(120_000);

describe.each(databaseTargets().slice(0, 1))("GraphiQL (%s)", (target) => {
  let t: TestDatabase;
  let app: App & { logs: LoggedLine[] };
  let base: string;
  let html: string;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    app = await startHttpApp(t.db);
    base = app.url.replace(/\/graphql$/, "");
    const page = await fetch(`${base}/graphiql`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self'(;|$)/);
    html = await page.text();
  });
  afterAll(async () => {
    await app.stop();
    await t.dispose();
  });

  it("links only local scripts and styles, each served with its content type", async () => {
    const links = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    // The site's icon, served by the server itself (src/http/favicon.ts).
    expect(links.filter((url) => url.startsWith("/favicon"))).toEqual(["/favicon.svg"]);
    expect((await fetch(`${base}/favicon.svg`)).headers.get("content-type")).toBe("image/svg+xml");
    const urls = links.filter((url) => !url.startsWith("/favicon"));
    expect(urls.length).toBe(2);
    for (const url of urls) {
      expect(url).toMatch(/^\/graphiql\/assets\/[0-9a-f]{12}\/[\w.-]+$/);
      const r = await fetch(`${base}${url}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe(url.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");
      expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("serves the web workers the script starts and the font the styles use", async () => {
    const assets = html.match(/\/graphiql\/assets\/[0-9a-f]{12}/)![0];
    const css = await (await fetch(`${base}${assets}/graphiql.css`)).text();
    const fonts = [...css.matchAll(/url\("?\.\/([^")]+)"?\)/g)].map((m) => m[1]);
    expect(fonts.length).toBeGreaterThan(0);
    for (const file of ["editor.worker.js", "json.worker.js", "graphql.worker.js", ...fonts]) {
      const r = await fetch(`${base}${assets}/${file}`, { headers: { "accept-encoding": "identity" } });
      expect([file, r.status]).toEqual([file, 200]);
      expect(r.headers.get("content-type")).toBe(file.endsWith(".js") ? "text/javascript; charset=utf-8" : "font/ttf");
    }
    // Nothing in the bundle loads from elsewhere: no absolute script, style or worker URLs.
    const js = await (await fetch(`${base}${assets}/graphiql.js`)).text();
    expect(js).not.toMatch(/(esm\.sh|unpkg\.com|jsdelivr\.net|cdnjs)/);
  });

  it("sends the precompressed file to clients that accept gzip", async () => {
    const assets = html.match(/\/graphiql\/assets\/[0-9a-f]{12}/)![0];
    // Each body is read before the next request. Left unread while the other
    // downloaded, the first was cut off once on Node 24 under load ("other
    // side closed"), which says nothing about the server's gzip.
    const plain = await fetch(`${base}${assets}/graphiql.js`, { headers: { "accept-encoding": "identity" } });
    const plainText = await plain.text();
    const gzip = await fetch(`${base}${assets}/graphiql.js`, { headers: { "accept-encoding": "gzip" } });
    expect(gzip.headers.get("content-encoding")).toBe("gzip");
    expect(gzip.headers.get("vary")).toBe("accept-encoding");
    expect(Number(gzip.headers.get("content-length"))).toBeLessThan(Number(plain.headers.get("content-length")));
    expect(await gzip.text()).toBe(plainText); // fetch decompresses
  });

  it("answers 404 for files outside the build, and redirects an old build's URL", async () => {
    expect((await fetch(`${base}/graphiql/assets/000000000000/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base}/graphiql/assets/000000000000/nope.js`)).status).toBe(404);
    const old = await fetch(`${base}/graphiql/assets/000000000000/graphiql.js`, { redirect: "manual" });
    expect(old.status).toBe(302);
    expect(old.headers.get("location")).toMatch(/^\/graphiql\/assets\/[0-9a-f]{12}\/graphiql\.js$/);
  });

  it("opens with the example operations as tabs, the endpoint, and an Authorization hint", () => {
    const json = html.match(/<script id="graphiql-settings" type="application\/json">([^<]*)<\/script>/)![1];
    const settings = JSON.parse(json);
    expect(settings.endpoint).toBe("/graphql");
    expect(settings.tabs).toEqual(EXAMPLE_TABS);
    expect(settings.tabs.map((tab: { query: string }) => /(query|mutation) (\w+)/.exec(tab.query)![2])).toEqual([
      "Recommendations",
      "ItemsByGenre",
      "UserInteractions",
      "CatalogStats",
      "RecordInteractions",
    ]);
    expect(settings.headers).toMatch(/\/\/ "Authorization": "Bearer <your API key>"/);
  });

  it("redirects / to GraphiQL", async () => {
    const r = await fetch(`${base}/`, { redirect: "manual" });
    expect(r.status).toBe(302);
    expect(r.headers.get("location")).toBe("/graphiql");
  });
});
