// The open-loop generator of bench:serve (src/cli/openLoop.ts), against a
// local node:http server: every request is sent and answered, statuses and
// GraphQL errors are counted, a server that stops answering shows in the
// latency from when each request was due (no coordinated omission), a
// connection the server closes fails only the request it carried, and the
// warm-up before the clock (each connection's first requests) is not counted;
// the latency's parts say whether the generator or the server was late.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { openLoop } from "../../src/cli/openLoop";

async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (text += c));
    req.on("end", () => resolve(text));
  });
}

describe("open-loop generator", () => {
  it("sends every body at the rate and counts what comes back", async () => {
    const seen: string[] = [];
    const server = await serve(async (req, res) => {
      const body = await readBody(req);
      seen.push(`${req.method} ${req.url} ${req.headers["content-type"]} ${body}`);
      const n = Number(JSON.parse(body).n);
      // One in ten answers is a 400, one in ten a 200 carrying errors.
      res.statusCode = n % 10 === 3 ? 400 : 200;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(n % 10 === 7 ? { errors: [{ message: "no" }] } : { data: { n, text: "é".repeat(n % 5) } }));
    });
    try {
      const bodies = Array.from({ length: 200 }, (_, n) => JSON.stringify({ n }));
      const started = Date.now();
      const figures = await openLoop(server.url, bodies, 400, 4);
      const elapsed = Date.now() - started;
      // Each of the 4 connections warmed up with 4 requests of the first body, not counted.
      expect(seen).toHaveLength(200 + 16);
      expect(seen.filter((x) => x.endsWith(' {"n":0}'))).toHaveLength(1 + 16);
      expect([...new Set(seen)].sort()).toEqual(bodies.map((b) => `POST /graphql application/json ${b}`).sort());
      expect(figures).toMatchObject({ errors: 0, non2xx: 20, graphqlErrors: 20 });
      // 200 requests at 400/s take half a second to send (plus the generator's start).
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(figures.requestsPerSecond).toBeGreaterThan(250);
      expect(figures.requestsPerSecond).toBeLessThan(450);
    } finally {
      await server.close();
    }
  }, 30_000);

  it("counts latency from when a request was due, not from when a connection was free", async () => {
    const server = await serve(async (req, res) => {
      // The sixth request holds its connection, the only one, for 300 ms:
      // the requests due meanwhile (every 10 ms) wait, and that wait counts.
      if ((await readBody(req)) === "stall") await new Promise((r) => setTimeout(r, 300));
      res.end("{}");
    });
    try {
      const bodies = Array.from({ length: 60 }, (_, n) => (n === 5 ? "stall" : "{}"));
      const figures = await openLoop(server.url, bodies, 100, 1);
      expect(figures.errors).toBe(0);
      // About 30 of 60 requests were due during the stall and waited up to 300 ms.
      expect(figures.p99).toBeGreaterThanOrEqual(250);
      // The wait is the server's (from pickup to answer), not the generator's:
      // it took every request up within a few ms of its due time.
      expect(figures.pickupToAnswerP99).toBeGreaterThanOrEqual(250);
      expect(figures.generatorLagP99).toBeLessThan(50);
      const fresh = await openLoop(server.url, Array.from({ length: 60 }, () => "{}"), 100, 1);
      expect(fresh.p99).toBeLessThan(250);
    } finally {
      await server.close();
    }
  }, 30_000);

  it("fails only the request whose connection the server closed", async () => {
    let n = 0;
    const server = await serve(async (req, res) => {
      n++;
      if ((await readBody(req)) === "close") {
        req.socket.destroy();
        return;
      }
      res.end('{"data":{}}');
    });
    try {
      const figures = await openLoop(server.url, Array.from({ length: 40 }, (_, k) => (k === 5 ? "close" : "{}")), 200, 2);
      expect(figures).toMatchObject({ errors: 1, non2xx: 0, graphqlErrors: 0 });
      // 40 counted, and 2 connections x 4 warm-up requests.
      expect(n).toBe(48);
    } finally {
      await server.close();
    }
  }, 30_000);
});
