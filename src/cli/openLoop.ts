// The open-loop load generator of `npm run bench:serve` (latency at a fixed
// offered load), run as a process of its own: `openLoop()` spawns this file
// and hands it the request bodies, made beforehand, on stdin. Each request
// is due at start + n/rate and is sent then (checked every millisecond) on
// a pool of keep-alive sockets, whatever the earlier answers are doing, and
// its latency counts from when it was due, so a generator or server that
// falls behind shows in the figures (no coordinated omission). autocannon's
// overallRate sends each connection's share in bursts, which measures the
// bursts' own queueing.
//
// Why a process of its own: a late send counts as latency, so the
// generator's own pauses land in the figures. In the bench's process, whose
// heap holds everything the saturation runs left behind, its garbage
// collection pauses added tens of milliseconds to the p99 of a server that
// answered in under 2 ms; a fresh process that builds nothing per request
// holds a small heap and pauses briefly.
import { spawn } from "node:child_process";
import http from "node:http";

export interface OpenLoopFigures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  graphqlErrors: number;
}

interface Job {
  url: string;
  bodies: string[];
  rate: number;
  sockets: number;
}

// Sends bodies.length requests at `rate` a second from a child process.
export function openLoop(url: string, bodies: string[], rate: number, sockets: number): Promise<OpenLoopFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", __filename], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => (out += chunk));
    child.on("error", reject);
    // "close": the child has exited and its output has been read to the end.
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`the open-loop generator exited with code ${code}`));
      try {
        resolve(JSON.parse(out) as OpenLoopFigures);
      } catch (error) {
        reject(new Error(`the open-loop generator printed no figures: ${(error as Error).message}`));
      }
    });
    child.stdin.end(JSON.stringify({ url, bodies, rate, sockets } satisfies Job));
  });
}

function generate(job: Job): Promise<OpenLoopFigures> {
  const target = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.sockets });
  const total = job.bodies.length;
  const latencies = new Float64Array(total);
  let errors = 0;
  let non2xx = 0;
  let graphqlErrors = 0;
  let sent = 0;
  let answered = 0;
  return new Promise((resolve) => {
    const started = performance.now();
    const finish = () => {
      agent.destroy();
      const sorted = latencies.subarray(0, answered).sort();
      const at = (q: number) => (sorted.length > 0 ? Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1)) : NaN);
      resolve({ requestsPerSecond: answered / ((performance.now() - started) / 1000), p50: at(0.5), p99: at(0.99), errors, non2xx, graphqlErrors });
    };
    const send = (n: number, due: number) => {
      const body = job.bodies[n];
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => {
            latencies[answered] = performance.now() - due;
            if (res.statusCode !== 200) non2xx++;
            else if (text.includes('"errors"')) graphqlErrors++;
            if (++answered + errors === total) finish();
          });
        },
      );
      req.on("error", () => {
        if (answered + ++errors === total) finish();
      });
      req.end(body);
    };
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && started + (sent * 1000) / job.rate <= now) {
        send(sent, started + (sent * 1000) / job.rate);
        sent++;
      }
      if (sent >= total) clearInterval(timer);
    }, 1);
  });
}

if (require.main === module) {
  let input = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => (input += chunk));
  process.stdin.on("end", () => {
    void generate(JSON.parse(input) as Job).then((figures) => process.stdout.write(JSON.stringify(figures)));
  });
}
