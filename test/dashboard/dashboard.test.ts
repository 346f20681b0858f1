// The dashboard end to end: a real server with auth on over the demo catalog
// and its trained models. Plain HTTP for sign-in, roles, CSRF and the
// activation; then headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core) for each page: real data in the DOM, rendered SVG charts,
// nothing fetched from another origin, no console error, and a screenshot in
// test-artifacts/dashboard/.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { memoryLogger, postGraphQL, startHttpApp, type LoggedLine } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { generateDemoCatalog } from "../../src/demo/demoCatalog";
import { startServing } from "../../src/serving/startServing";
import { trainModel } from "../../src/serving/trainModel";
import { createApiKey } from "../../src/auth/apiKeys";
import { blendWeights, itemsByKind } from "../../src/db/dashboardRepository";
import { listModels } from "../../src/jobs/modelAdmin";
import { histogramQuantile } from "../../src/http/dashboard/liveFigures";
import { formatNumber } from "../../src/http/dashboard/html";
import type { App } from "../../src/app";
import { impressionLogOf } from "../../src/serving/impressionLog";
import { challengeChampion } from "../../src/jobs/challengerGate";

const CHROMIUM = "/usr/bin/chromium";
const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
const SCREENSHOTS = path.resolve(__dirname, "../../test-artifacts/dashboard");
const RATING_SCALE = { min: 0.5, max: 5 };

if (!HAS_CHROMIUM) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the dashboard's browser tests: ${CHROMIUM} is absent (apt-get install chromium).`);
}

describe("histogramQuantile", () => {
  it("interpolates inside the bucket the quantile falls in, like Prometheus", () => {
    const buckets = [{ le: 0.01, count: 50 }, { le: 0.1, count: 100 }, { le: Infinity, count: 100 }];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.01);
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.01 + 0.09 * (49 / 50));
    expect(histogramQuantile(0.99, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }])).toBeNull();
    expect(histogramQuantile(0.99, [{ le: 1, count: 0 }, { le: Infinity, count: 3 }])).toBe(1);
  });
});

describe.each(databaseTargets())("dashboard on %s", (target) => {
  let t: TestDatabase;
  let app: App & { logs: LoggedLine[] };
  let base: string;
  const keys: Record<"admin" | "service" | "client", string> = { admin: "", service: "", client: "" };

  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, generateDemoCatalog(42));
    const logs: LoggedLine[] = [];
    await startServing(t.db, memoryLogger(logs), { trainIfNone: true, ratingScale: RATING_SCALE });
    // A second, inactive version of `popular` for the activation tests, with a training parameter of its own.
    const second = await trainModel(t.db, "popular", { seed: 7, ratingScale: RATING_SCALE, params: { halfLifeDays: 30 } });
    // ...judged by the challenger gate as a challenger: an off-policy estimate
    // far below the champion's refuses it whatever its held-out figures, so v1 keeps serving.
    await challengeChampion(t.db, second.version, { margin: 0.02, offPolicyCheck: async () => ({ metric: "ctr", champion: 0.05, challenger: 0.01 }) });
    for (const role of ["admin", "service", "client"] as const) keys[role] = (await createApiKey(t.db, { role, name: `dashboard ${role}` })).key;
    app = await startHttpApp(t.db, { MARQUEE_AUTH: "on", MARQUEE_WORKER: "false" });
    base = app.url.replace(/\/graphql$/, "");
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await t?.dispose();
  });

  const get = (p: string, headers: Record<string, string> = {}) => fetch(`${base}${p}`, { headers, redirect: "manual" });
  const bearer = (role: keyof typeof keys) => ({ authorization: `Bearer ${keys[role]}` });
  const postForm = (p: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${base}${p}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: base, ...headers },
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
    });
  const activeVersion = async (name: string) => {
    const r = await postGraphQL(app.url, { query: `{ activeModels { name version } }` }, bearer("admin"));
    return (r.json.data.activeModels as { name: string; version: number }[]).find((m) => m.name === name)?.version;
  };

  // The held-out half of the gate's reason, from the versions' stored figures.
  const heldOutComparison = async (champion: number, challenger: number) => {
    const popular = (await listModels(t.db)).find((m) => m.name === "popular")!;
    const figure = (v: number) => popular.versions.find((x) => x.version === v)!.metrics["ndcg@10"] as number;
    const ok = figure(challenger) >= figure(champion) * 0.98;
    return `ndcg@10 ${figure(challenger).toFixed(4)} ${ok ? "&gt;=" : "&lt;"} champion v${champion}&#39;s ${figure(champion).toFixed(4)} - 2%`;
  };

  describe("over HTTP", () => {
    it("asks for a key (401 with the sign-in form), and sends the security headers on every page", async () => {
      const r = await get("/dashboard/models");
      expect(r.status).toBe(401);
      const text = await r.text();
      expect(text).toContain('action="/dashboard/login"');
      expect(text).toContain('name="next" value="/dashboard/models"');
      expect(r.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
      expect(r.headers.get("content-security-policy")).toMatch(/script-src 'self'(;|$)/);
      expect(r.headers.get("referrer-policy")).toBe("same-origin");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      const ok = await get("/dashboard", bearer("service"));
      expect(ok.status).toBe(200);
      expect(ok.headers.get("content-security-policy")).toBe(r.headers.get("content-security-policy"));
      expect(await ok.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=/i);
      const css = await get("/dashboard/assets/dashboard.css");
      expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    });

    it("signs in with a key into an HttpOnly SameSite=Strict cookie, and signs out", async () => {
      const wrong = await postForm("/dashboard/login", { key: "mq_000000000000_nope", next: "/dashboard/live" });
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain("not valid");
      const r = await postForm("/dashboard/login", { key: keys.service, next: "/dashboard/live" });
      expect(r.status).toBe(303);
      expect(r.headers.get("location")).toBe("/dashboard/live");
      const cookie = r.headers.get("set-cookie")!;
      expect(cookie).toMatch(/^marquee_key=[^;]+; Path=\/dashboard; HttpOnly; SameSite=Strict/);
      expect(cookie).not.toMatch(/Secure/);
      // Behind TLS (as the proxy says) the cookie is Secure too.
      const tls = await postForm("/dashboard/login", { key: keys.service }, { "x-forwarded-proto": "https" });
      expect(tls.headers.get("set-cookie")).toMatch(/; Secure/);
      const withCookie = await get("/dashboard/live", { cookie: cookie.split(";")[0] });
      expect(withCookie.status).toBe(200);
      expect(await withCookie.text()).toContain("service ·");
      const out = await postForm("/dashboard/logout", {}, { cookie: cookie.split(";")[0] });
      expect(out.status).toBe(303);
      expect(out.headers.get("set-cookie")).toMatch(/^marquee_key=; .*Max-Age=0/);
      // An open redirect is not possible through `next`.
      const away = await postForm("/dashboard/login", { key: keys.service, next: "//evil.example/x" });
      expect(away.headers.get("location")).toBe("/dashboard");
      // Nor a sign-in from another site.
      const foreign = await postForm("/dashboard/login", { key: keys.service }, { origin: "https://evil.example" });
      expect(foreign.status).toBe(403);
    });

    it("refuses a client key (403), through the header or the form", async () => {
      const r = await get("/dashboard", bearer("client"));
      expect(r.status).toBe(403);
      expect(await r.text()).toContain("client key may not view the dashboard");
      const form = await postForm("/dashboard/login", { key: keys.client });
      expect(form.status).toBe(403);
      expect(form.headers.get("set-cookie")).toBeNull();
    });

    it("lets an admin activate a version (the served model swaps), not a service key nor another origin", async () => {
      expect(await activeVersion("popular")).toBe(1);
      const service = await postForm("/dashboard/models/activate", { name: "popular", version: "2" }, bearer("service"));
      expect(service.status).toBe(403);
      expect(await service.text()).toContain("Only an admin");
      const foreign = await postForm("/dashboard/models/activate", { name: "popular", version: "2" }, { ...bearer("admin"), origin: "https://evil.example" });
      expect(foreign.status).toBe(403);
      const noOrigin = await fetch(`${base}/dashboard/models/activate`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...bearer("admin") },
        body: "name=popular&version=2",
        redirect: "manual",
      });
      expect(noOrigin.status).toBe(403);
      expect(await activeVersion("popular")).toBe(1);

      const r = await postForm("/dashboard/models/activate", { name: "popular", version: "2" }, bearer("admin"));
      expect(r.status).toBe(303);
      expect(r.headers.get("location")).toBe("/dashboard/models?activated=popular%402");
      expect(await activeVersion("popular")).toBe(2);
      const shown = await (await get("/dashboard/models?activated=popular%402", bearer("admin"))).text();
      expect(shown).toContain("Activated popular@2");
      expect(shown).toMatch(/data-model-panel="popular">\s*<h2>popular <span class="badge active" data-active-version>serving v2</);

      // And back, so the pages below show the demo's first versions.
      expect((await postForm("/dashboard/models/activate", { name: "popular", version: "1" }, bearer("admin"))).status).toBe(303);
      expect(await activeVersion("popular")).toBe(1);
    });

    it("answers bad input with a page that says what was wrong, never a 500", async () => {
      const unknownVersion = await postForm("/dashboard/models/activate", { name: "popular", version: "99" }, bearer("admin"));
      expect(unknownVersion.status).toBe(400);
      expect(await unknownVersion.text()).toContain("There is no version 99 of model &quot;popular&quot;.");
      const badVersion = await postForm("/dashboard/models/activate", { name: "popular", version: "two" }, bearer("admin"));
      expect(badVersion.status).toBe(400);
      expect(await badVersion.text()).toContain("Version must be a positive whole number");
      const unknownUser = await get("/dashboard/users?user=%3Cscript%3Enobody&strategy=ITEM_KNN", bearer("service"));
      expect(unknownUser.status).toBe(404);
      const text = await unknownUser.text();
      expect(text).toContain('No user with id "&lt;script&gt;nobody"');
      expect(text).not.toContain("<script>nobody");
      const badStrategy = await get("/dashboard/users?user=demo-user-001&strategy=MAGIC", bearer("service"));
      expect(badStrategy.status).toBe(200);
      expect(await badStrategy.text()).toContain('Unknown strategy "MAGIC"; showing HYBRID');
      expect((await get("/dashboard/nope", bearer("service"))).status).toBe(404);
      expect(app.logs.filter((l) => l.level === "error")).toEqual([]);
    });

    it("says when a strategy falls back: once above the user's list, on every row, and in the live figures", async () => {
      // The demo trains no `vae`: NEURAL is served by POPULAR.
      const r = await get("/dashboard/users?user=demo-user-001&strategy=NEURAL", bearer("service"));
      expect(r.status).toBe(200);
      const text = await r.text();
      expect(text).toContain("<div class=\"notice warning\" data-fallback>NEURAL is served by <strong>POPULAR</strong>: vae is not trained.</div>");
      expect(text.match(/<li data-reason="Fallback">/g)).toHaveLength(10);
      expect(text).toContain('<span class="badge fallback" title="vae is not trained">fallback</span> NEURAL served by POPULAR');
      // Its own model serves HYBRID: no notice.
      expect(await (await get("/dashboard/users?user=demo-user-001&strategy=HYBRID", bearer("service"))).text()).not.toContain("data-fallback");
      const live = await (await get("/dashboard/live", bearer("service"))).text();
      expect(live).toMatch(/<tbody data-fallbacks>.*<tr><td>NEURAL<\/td><td>POPULAR<\/td><td>dashboard<\/td><td class="num">\d+<\/td><td class="num">[1-9]\d*<\/td><\/tr>/s);
    });

    it("shows the challenger gate's decision under the version it judged", async () => {
      const text = await (await get("/dashboard/models", bearer("service"))).text();
      const row = text.match(/<tr class="challenge" data-challenge-of="popular@2">.*?<\/tr>/s)?.[0];
      expect(row).toContain('<span class="badge refused" data-challenge-outcome="REFUSED">refused</span>');
      const reason = `${await heldOutComparison(1, 2)}; off-policy ctr 0.0100 &lt; champion&#39;s 0.0500 - 2%`;
      expect(row).toContain(`<span data-challenge-reason>${reason}</span>`);
      // Versions not trained as challengers carry no such row.
      expect(text).not.toContain('data-challenge-of="popular@1"');
    });

    it("is open with auth off (the embedded demo's default): no sign-in, and the activate buttons show", async () => {
      const open = await startHttpApp(t.db, { MARQUEE_AUTH: "off", MARQUEE_WORKER: "false" });
      try {
        const openBase = open.url.replace(/\/graphql$/, "");
        const models = await fetch(`${openBase}/dashboard/models`);
        expect(models.status).toBe(200);
        const text = await models.text();
        expect(text).toContain('data-activate="popular@2"');
        expect(text).not.toContain("Sign out");
        const login = await fetch(`${openBase}/dashboard/login`, { redirect: "manual" });
        expect(login.status).toBe(303);
        expect(login.headers.get("location")).toBe("/dashboard");
      } finally {
        await open.stop();
      }
    });
  });

  (HAS_CHROMIUM ? describe : describe.skip)("in Chromium", () => {
    let browser: Browser;
    let context: BrowserContext;
    const foreign: string[] = [];
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      });
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const origin = new URL(base).origin;
      context.on("request", (request) => {
        if (new URL(request.url()).origin !== origin) foreign.push(request.url());
      });
      context.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text());
      });
      context.on("weberror", (error) => consoleErrors.push(String(error.error())));
    }, 30_000);
    afterAll(async () => {
      await context?.close();
      await browser?.close();
    });
    afterEach(() => {
      const [requests, errors] = [foreign.splice(0), consoleErrors.splice(0)];
      expect(requests).toEqual([]);
      expect(errors).toEqual([]);
    });

    const shot = async (page: Page, name: string) => {
      const file = path.join(SCREENSHOTS, target === "pglite" ? `${name}.png` : `${name}.${target}.png`);
      await page.screenshot({ path: file, fullPage: true });
      expect(fs.statSync(file).size).toBeGreaterThan(20_000);
    };
    const chartElements = (page: Page, chart: string) => page.locator(`svg[data-chart="${chart}"] rect.bar, svg[data-chart="${chart}"] circle.point`).count();
    // The size chart text is drawn at on screen, in CSS pixels: its font size
    // times how much the chart's SVG is scaled to fit its panel. The smallest
    // on the page, and any axis whose labels repeat.
    const chartText = (page: Page) =>
      page.evaluate(() => {
        // No DOM types in this TypeScript program: the page's globals, untyped.
        const { document, getComputedStyle } = globalThis as any;
        let smallest = Infinity;
        const repeated: string[] = [];
        for (const svg of Array.from(document.querySelectorAll("svg.chart")) as any[]) {
          const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          const ticks: string[] = [];
          for (const text of Array.from(svg.querySelectorAll("text")) as any[]) {
            smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
            if (text.classList.contains("tick")) ticks.push(text.textContent ?? "");
          }
          if (new Set(ticks).size !== ticks.length) repeated.push(`${svg.dataset.chart}: ${ticks.join(" ")}`);
        }
        return { smallest, repeated };
      });
    const expectReadableCharts = async (page: Page) => {
      const { smallest, repeated } = await chartText(page);
      // 12 px ticks on a 1280-pixel-wide window; nothing below 11 px.
      expect(smallest).toBeGreaterThanOrEqual(11);
      expect(repeated).toEqual([]);
    };

    it("signs in through the form with an admin key", async () => {
      const page = await context.newPage();
      await page.goto(`${base}/dashboard`);
      expect(await page.locator("form[action='/dashboard/login']").count()).toBe(1);
      // The 401 of the sign-in page itself is expected.
      expect(consoleErrors.splice(0)).toEqual([expect.stringContaining("status of 401")]);
      await page.fill("input[name=key]", keys.admin);
      await Promise.all([page.waitForURL(`${base}/dashboard`), page.click("button[type=submit]")]);
      expect(await page.locator("header .who").innerText()).toContain("admin");
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === "marquee_key")).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/dashboard" });
      await page.close();
    });

    it("catalog: the demo's items per kind, top features and interactions over time", async () => {
      const page = await context.newPage();
      await page.goto(`${base}/dashboard`);
      const kinds = await itemsByKind(t.db);
      expect(kinds.length).toBeGreaterThanOrEqual(3);
      for (const k of kinds) {
        expect(await page.locator(`tr[data-kind="${k.kind}"] td[data-count]`).innerText()).toBe(formatNumber(k.items));
      }
      const totalItems = kinds.reduce((sum, k) => sum + k.items, 0);
      expect(await page.locator('[data-total="items"]').innerText()).toBe(formatNumber(totalItems));
      expect(await page.locator("tr[data-feature]").count()).toBe(15);
      expect(await chartElements(page, "items-by-kind")).toBe(kinds.length);
      expect(await chartElements(page, "interactions-over-time")).toBeGreaterThan(5);
      expect(await page.locator('svg[data-chart="interactions-over-time"] polyline.line').count()).toBe(1);
      await expectReadableCharts(page);
      await shot(page, "catalog");
      await page.close();
    });

    it("models: every trained model, the active version marked, metric charts and activate buttons", async () => {
      const page = await context.newPage();
      await page.goto(`${base}/dashboard/models`);
      const trained = (await listModels(t.db)).filter((m) => m.versions.length > 0);
      expect(trained.map((m) => m.name)).toEqual(expect.arrayContaining(["content", "hybrid", "item-knn", "popular"]));
      for (const m of trained) {
        const panel = page.locator(`[data-model-panel="${m.name}"]`);
        expect(await panel.locator("[data-active-version]").innerText()).toBe(`serving v${m.active!.version}`);
        expect(await panel.locator("tr[data-active]").getAttribute("data-version")).toBe(String(m.active!.version));
      }
      // popular has an inactive v2: an admin sees its button.
      expect(await page.locator('[data-activate="popular@2"]').count()).toBe(1);
      expect(await chartElements(page, "metric-fitSeconds")).toBe(trained.reduce((n, m) => n + m.versions.length, 0));
      // Every version carries its held-out figures (trainModel's holdout evaluation).
      const versions = trained.reduce((n, m) => n + m.versions.length, 0);
      expect(await chartElements(page, "metric-ndcg@10")).toBe(versions);
      expect(await chartElements(page, "metric-recall@10")).toBe(versions);
      const popular2 = trained.find((m) => m.name === "popular")!.versions.find((v) => v.version === 2)!;
      expect(await page.locator('tr[data-model="popular"][data-version="2"]').innerText()).toContain(`ndcg@10: ${(popular2.metrics["ndcg@10"] as number).toPrecision(4)}`);
      // Each version's training parameters; the one set for popular v2 is marked.
      const param = (model: string, version: number, name: string) => page.locator(`tr[data-params-of="${model}@${version}"] li[data-param="${name}"]`);
      expect(await param("popular", 2, "halfLifeDays").innerText()).toBe("halfLifeDays 30");
      expect(await param("popular", 2, "halfLifeDays").getAttribute("class")).toBe("given");
      expect(await param("popular", 2, "weighting").getAttribute("class")).toBeNull();
      expect(await param("popular", 1, "halfLifeDays").innerText()).toBe("halfLifeDays 0");
      expect(await param("ials", 1, "nFactors").innerText()).toBe("nFactors 48");
      expect(await param("item-knn", 1, "similarity").innerText()).toBe("similarity jaccard");
      expect(await param("item-knn", 1, "baseline.regU").innerText()).toBe("baseline.regU 15");
      for (const m of trained) {
        for (const v of m.versions) expect(await page.locator(`tr[data-params-of="${m.name}@${v.version}"] li[data-param]`).count()).toBe(Object.keys(v.params).length + (v.params.baseline ? 5 : 0));
      }
      await expectReadableCharts(page);
      // The hybrid's blend weights, as stored with the version, beside its algorithm.
      const hybrid = trained.find((m) => m.name === "hybrid")!.active!;
      const blend = (await blendWeights(t.db)).find((b) => b.modelVersionId === hybrid.id)!;
      expect(blend.components).toEqual(["ease", "ials"]);
      const blendText = blend.components.map((c, i) => `${c} ${Number(blend.weights[i].toPrecision(3))}`).join(" · ");
      expect(await page.locator('tr[data-model="hybrid"][data-active] [data-blend]').innerText()).toBe(`blend: ${blendText}`);
      // What the page explains follows from the stored figures: the blend's
      // weights (all on one part, whose figures it then has, or a mix), and
      // which models rank above the hybrid that serves HYBRID (content on
      // the demo, whose users are made of feature tastes).
      const ease = trained.find((m) => m.name === "ease")!.active!;
      const content = trained.find((m) => m.name === "content")!.active!;
      const sameAsEase = ["ndcg@10", "recall@10", "precision@10", "coverage"].every((k) => hybrid.metrics[k] === ease.metrics[k]);
      if (blend.weights[1] === 0 && sameAsEase) {
        expect(await page.locator('[data-finding="blend-equals-part"]').innerText()).toContain(`its blend weights are ${blendText}, all on ease, so it ranks as ease alone`);
      } else {
        expect(await page.locator('[data-finding="blend-equals-part"]').count()).toBe(0);
        expect(await page.locator('[data-finding="blend-weights"]').innerText()).toContain(`blends ease and ials with the weights ${blendText}`);
      }
      const ndcg = (v: { metrics: Record<string, unknown> }) => v.metrics["ndcg@10"] as number;
      const above = trained.map((m) => m.active!).filter((v) => ndcg(v) > ndcg(hybrid));
      expect(above.map((v) => v.name)).toContain("content");
      const aboveText = await page.locator('[data-finding="above-served"]').innerText();
      for (const v of above) expect(aboveText).toContain(`${v.name} (${ndcg(v).toFixed(3)})`);
      expect(aboveText).toContain(`hybrid v${hybrid.version} (${ndcg(hybrid).toFixed(3)}) on held-out nDCG@10`);
      expect(ndcg(content)).toBeGreaterThan(ndcg(hybrid));
      expect(await page.locator('[data-finding="content-leads"]').innerText()).toContain("The built-in demo catalog is made that way");
      await shot(page, "models");
      await page.close();
    });

    it("user explorer: demo-user-001's history beside 10 recommendations with reasons, by strategy", async () => {
      const page = await context.newPage();
      await page.goto(`${base}/dashboard/users`);
      await page.fill("input[name=user]", "demo-user-001");
      await page.selectOption("select[name=strategy]", "ITEM_KNN");
      await Promise.all([page.waitForURL(/user=demo-user-001/), page.click("form.explorer button[type=submit]")]);
      expect(await page.locator("[data-user]").innerText()).toBe("demo-user-001");
      const history = await page.locator("tr[data-history-item] [data-title]").allInnerTexts();
      expect(history.length).toBeGreaterThan(5);
      expect(await page.locator("tr[data-recommendation]").count()).toBe(10);
      // Each item-kNN recommendation is explained by items of the user's own history.
      const because = await page.locator('tr[data-recommendation] li[data-reason="BecauseYouInteracted"] strong').allInnerTexts();
      expect(because.length).toBeGreaterThanOrEqual(10);
      const r = await postGraphQL(app.url, { query: `{ user(id: "demo-user-001") { interactions(first: 100) { nodes { item { title } } } } }` }, bearer("admin"));
      const everSeen = new Set((r.json.data.user.interactions.nodes as { item: { title: string } }[]).map((n) => n.item.title));
      for (const title of because) expect(everSeen.has(title)).toBe(true);
      // Each reason says what the user did with the item, and its share of the
      // weight of the items named for that recommendation (the shares add up
      // to 100%, give or take rounding); the note explains the figure.
      for (const row of await page.locator("tr[data-recommendation]").all()) {
        const reasons = row.locator('li[data-reason="BecauseYouInteracted"]');
        const shares = (await reasons.locator("[data-share]").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-share")))));
        expect(Math.abs(shares.reduce((a, b) => a + b, 0) - 100)).toBeLessThanOrEqual(shares.length);
        for (const text of await reasons.allInnerTexts()) expect(text).toMatch(/^Because you (rated|bought|played|liked|viewed|skipped|disliked|interacted with)( \(\d+ times\))? .+ \d+%$/);
      }
      expect(await page.locator("[data-because-note]").innerText()).toContain("share of the weight of the items named for the recommendation");
      // A rating is shown on the scale (the demo's is 0.5..5).
      const rated = await page.locator('li[data-reason="BecauseYouInteracted"]', { hasText: "Because you rated" }).first().innerText();
      expect(rated).toMatch(/^Because you rated .+ \d(\.5)?\/5 /);
      await shot(page, "users");
      // Another strategy through its tab.
      await Promise.all([page.waitForURL(/strategy=POPULAR/), page.click('.tabs a[href*="strategy=POPULAR"]')]);
      expect(await page.locator("tr[data-recommendation]").count()).toBe(10);
      expect(await page.locator('li[data-reason="Popular"]').count()).toBe(10);
      await page.close();
    });

    it("online: answers and CTR@10 per hour, and by surface, strategy and model with intervals", async () => {
      // Answers served and a play that came from one of them.
      let shown: { item: { id: string }; impressionId: string }[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await postGraphQL(app.url, { query: `{ recommendations(userId: "demo-user-00${1 + i}", first: 10, strategy: ITEM_KNN) { item { id } impressionId } }` }, bearer("service"));
        shown = r.json.data.recommendations;
      }
      await postGraphQL(app.url, { query: `{ similarItems(itemId: "demo-movie-001", first: 5) { rank } }` }, bearer("service"));
      const played = await postGraphQL(
        app.url,
        { query: `mutation($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { created } }`, variables: { i: [{ userId: "demo-user-004", itemId: shown[0].item.id, type: "PLAY", impressionId: shown[0].impressionId }] } },
        bearer("service"),
      );
      expect(played.json).toEqual({ data: { recordInteractions: { created: 1 } } });
      await impressionLogOf(app.db)!.flush();
      const expected = await t.db.sql.query<{ surface: string; strategy: string; model: string; impressions: string }>(
        `SELECT surface, strategy, model, sum(impressions)::text AS impressions FROM impression_hourly WHERE hour > now() - interval '48 hours' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      );
      const page = await context.newPage();
      await page.goto(`${base}/dashboard/online`);
      const rows = page.locator("tr[data-online-row]");
      expect(await rows.count()).toBe(expected.length);
      for (const e of expected) {
        const row = page.locator(`tr[data-online-row="${e.surface}|${e.strategy}|${e.model}"]`);
        expect(await row.locator("[data-impressions]").innerText()).toBe(formatNumber(Number(e.impressions)));
      }
      const knn = page.locator(`tr[data-online-row^="recommendations|ITEM_KNN|item-knn@"]`);
      expect(await knn.locator("[data-ctr]").innerText()).toMatch(/^\d+\.\d% \(\d+\.\d%–\d+\.\d%\)$/);
      // Four demo users were shown ITEM_KNN lists; coverage and novelty as the GraphQL answer has them.
      expect(await knn.locator("[data-users]").innerText()).toBe("4");
      const from = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 47 * 3_600_000).toISOString();
      const graph = await postGraphQL(
        app.url,
        { query: `query($from: DateTime!, $to: DateTime!) { onlineMetrics(from: $from, to: $to) { strategy itemsShown itemsDistinct coverage novelty } }`, variables: { from, to: new Date(Date.parse(from) + 48 * 3_600_000).toISOString() } },
        bearer("service"),
      );
      const knnFigures = graph.json.data.onlineMetrics.find((m: { strategy: string }) => m.strategy === "ITEM_KNN");
      expect(await knn.locator("[data-items]").innerText()).toBe(`${formatNumber(knnFigures.itemsShown)} (${formatNumber(knnFigures.itemsDistinct)})`);
      expect(await knn.locator("[data-coverage]").innerText()).toBe(`${(knnFigures.coverage * 100).toFixed(1)}%`);
      expect(await knn.locator("[data-novelty]").innerText()).toBe(`${knnFigures.novelty.toFixed(2)} bits`);
      expect(knnFigures.coverage).toBeGreaterThan(0);
      expect(knnFigures.novelty).toBeGreaterThan(0);
      expect(await chartElements(page, "impressions-per-hour")).toBeGreaterThanOrEqual(1);
      expect(await chartElements(page, "ctr-per-hour")).toBeGreaterThanOrEqual(1);
      await expectReadableCharts(page);
      await shot(page, "online");
      await page.close();
    });

    it("online: experiments for an admin, each arm with its answers, metric and comparison; hidden from a service key", async () => {
      const gql = async (query: string, variables?: Record<string, unknown>) => (await postGraphQL(app.url, { query, variables }, bearer("admin"))).json;
      const created = await gql(`mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { id } }`, {
        input: { name: "<img src=x onerror=alert(1)>rails", arms: [{ name: "control", strategy: "POPULAR", weight: 1 }, { name: "knn", strategy: "ITEM_KNN", weight: 1 }] },
      });
      const id = created.data.createExperiment.id;
      try {
        await gql(`mutation($id: ID!) { startExperiment(id: $id) { status } }`, { id });
        // Requests without a strategy follow the users' arms.
        for (let i = 1; i <= 9; i++) await postGraphQL(app.url, { query: `{ recommendations(userId: "demo-user-00${i}", first: 5) { rank } }` }, bearer("service"));
        await impressionLogOf(app.db)!.flush();
        const read = (await gql(`query($id: ID!) { experiment(id: $id) { arms { name impressions } result { summary } } }`, { id })).data.experiment;
        const page = await context.newPage();
        await page.goto(`${base}/dashboard/online`);
        for (const arm of read.arms) {
          const row = page.locator(`tr[data-experiment-arm="<img src=x onerror=alert(1)>rails|${arm.name}"]`);
          expect(await row.locator("[data-arm-answers]").innerText()).toBe(formatNumber(arm.impressions));
          expect(await row.locator("[data-arm-metric]").innerText()).toMatch(/^(–|\d+\.\d% \(\d+\.\d%–\d+\.\d%\))$/);
        }
        expect(read.arms.reduce((n: number, a: { impressions: number }) => n + a.impressions, 0)).toBe(9);
        expect(await page.locator(`[data-experiment-result="<img src=x onerror=alert(1)>rails"]`).innerText()).toBe(read.result.summary);
        // The admin's name is text, never markup.
        expect(await page.locator("section.panel img").count()).toBe(0);
        await shot(page, "online-experiments");
        await page.close();
        const asService = await (await get("/dashboard/online", bearer("service"))).text();
        expect(asService).toContain("data-experiments-hidden");
        expect(asService).not.toContain("rails");
      } finally {
        await gql(`mutation($id: ID!) { stopExperiment(id: $id) { status } }`, { id });
      }
    });

    it("live: a numeric request rate and p99 after some GraphQL requests, kept current by the poller", async () => {
      for (let i = 0; i < 20; i++) {
        const r = await postGraphQL(app.url, { query: `{ recommendations(userId: "demo-user-00${1 + (i % 3)}", first: 5) { rank } }` }, bearer("service"));
        expect(r.status).toBe(200);
      }
      await postGraphQL(app.url, { query: `{ nope }` }, bearer("service"));
      const page = await context.newPage();
      await page.goto(`${base}/dashboard/live`);
      const rate = Number(await page.locator('[data-figure="graphqlRate"]').innerText());
      expect(rate).toBeGreaterThan(0);
      expect(await page.locator('[data-figure="p99"]').innerText()).toMatch(/^[\d.,]+ ms$/);
      expect(await page.locator("[data-errors] tr", { hasText: "GRAPHQL_VALIDATION_FAILED" }).count()).toBe(1);
      // The poller (live.js, from this server) replaces the figures and the chart.
      await page.waitForSelector("[data-live][data-updated]", { timeout: 6000 });
      expect(await chartElements(page, "graphql-rate")).toBeGreaterThan(0);
      // A second poll: the chart keeps one label per time.
      const updated = await page.locator("[data-live]").getAttribute("data-updated");
      await page.waitForFunction((before) => (globalThis as any).document.querySelector("[data-live]")?.getAttribute("data-updated") !== before, updated, { timeout: 6000 });
      await expectReadableCharts(page);
      // The browser asked for the pages' icon (and a client for /favicon.ico):
      // answered, and no request outside the API counts as an API error.
      expect((await fetch(`${base}/favicon.ico`)).status).toBe(200);
      expect((await fetch(`${base}/robots.txt`)).status).toBe(404);
      await page.reload();
      expect(await page.locator("[data-errors] tr", { hasText: "NOT_FOUND" }).count()).toBe(0);
      expect(await page.locator("[data-errors] tr", { hasText: "GRAPHQL_VALIDATION_FAILED" }).count()).toBe(1);
      await page.waitForSelector("[data-live][data-updated]", { timeout: 6000 });
      await shot(page, "live");
      await page.close();
    });
  });
});
