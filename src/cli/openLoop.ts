// The open-loop load generator of `npm run bench:serve` (latency at a fixed
// offered load), run as a process of its own: `openLoop()` spawns this file
// and hands it the request bodies, made beforehand, on stdin. Each request
// is due at start + n/rate and is sent then (checked every millisecond) on
// a pool of keep-alive connections (one request at a time on each; one due
// while all are busy waits for the first free), whatever the earlier answers are doing, and
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
import net from "node:net";

export interface OpenLoopFigures {
  requestsPerSecond: number;
  // Latency from when each request was due (the figure the bench reports).
  p50: number;
  p99: number;
  // Its two parts, p99 of each: how late the generator itself took a request
  // up (its timer firing late: its own pauses, or the machine's cores busy
  // elsewhere), and from then to the answer (waiting for a free connection,
  // the network and the server).
  generatorLagP99?: number;
  pickupToAnswerP99?: number;
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

// One keep-alive connection carrying one request at a time, written as raw
// HTTP/1.1 and read by its content-length: Node's http client cost about
// 0.1 ms of CPU per request here, and at a few thousand requests a second
// its own pauses were most of the p99 it measured (a bare node:http server
// answering a constant, 3,500 requests/s: p99 24-69 ms through http.request,
// 2.1-9.1 ms this way).
class Connection {
  private socket!: net.Socket;
  private pending: Buffer | undefined;
  // The request in flight (its number), or -1.
  current = -1;
  // Closed by the generator (not the server): not reopened.
  private closed = false;

  constructor(
    private readonly target: URL,
    private readonly onAnswer: (connection: Connection, n: number, status: number, body: string) => void,
    private readonly onFailure: (connection: Connection, n: number) => void,
  ) {
    this.connect();
  }

  private connect(): void {
    this.socket = net.connect(Number(this.target.port || 80), this.target.hostname);
    this.socket.setNoDelay(true);
    this.pending = undefined;
    this.socket.on("data", (data: Buffer) => this.read(data));
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      if (this.closed) return;
      // The server closed it (or it broke): the request in flight failed; carry on with a new one.
      const n = this.current;
      this.current = -1;
      this.connect();
      if (n !== -1) this.onFailure(this, n);
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  send(n: number, path: string, body: string): void {
    this.current = n;
    this.socket.write(`POST ${path} HTTP/1.1\r\nhost: ${this.target.host}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  private read(data: Buffer): void {
    let buffer = this.pending ? Buffer.concat([this.pending, data]) : data;
    for (;;) {
      const head = buffer.indexOf("\r\n\r\n");
      if (head < 0) break;
      const text = buffer.toString("latin1", 0, head);
      const length = /\r\ncontent-length: *(\d+)/i.exec(text);
      if (!length) {
        // Not an answer this generator reads (no content-length): count it failed.
        this.socket.destroy();
        return;
      }
      const end = head + 4 + Number(length[1]);
      if (buffer.length < end) break;
      const n = this.current;
      this.current = -1;
      this.onAnswer(this, n, Number(text.slice(9, 12)), buffer.toString("utf8", head + 4, end));
      buffer = buffer.subarray(end);
    }
    this.pending = buffer.length > 0 ? buffer : undefined;
  }
}

// The number a warm-up request carries, and how many each connection sends.
const WARM_UP = -2;
const WARM_UP_ROUNDS = 4;

function generate(job: Job): Promise<OpenLoopFigures> {
  const target = new URL(job.url);
  const total = job.bodies.length;
  const latencies = new Float64Array(total);
  // When the generator's timer took each request up, and the two parts of
  // each answered request's latency (see OpenLoopFigures).
  const pickedUp = new Float64Array(total);
  const lags = new Float64Array(total);
  const fromPickup = new Float64Array(total);
  let errors = 0;
  let non2xx = 0;
  let graphqlErrors = 0;
  let sent = 0;
  let answered = 0;
  return new Promise((resolve) => {
    let started = 0;
    const due = (n: number) => started + (n * 1000) / job.rate;
    // Requests due while every connection was busy, oldest first.
    const waiting: number[] = [];
    let head = 0;
    const idle: Connection[] = [];
    const finish = () => {
      for (const c of connections) c.close();
      const quantile = (values: Float64Array, q: number) => {
        const sorted = values.subarray(0, answered).sort();
        return sorted.length > 0 ? Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1)) : NaN;
      };
      resolve({
        requestsPerSecond: answered / ((performance.now() - started) / 1000),
        p50: quantile(latencies, 0.5),
        p99: quantile(latencies, 0.99),
        generatorLagP99: quantile(lags, 0.99),
        pickupToAnswerP99: quantile(fromPickup, 0.99),
        errors,
        non2xx,
        graphqlErrors,
      });
    };
    const next = (connection: Connection) => {
      if (head < waiting.length) connection.send(waiting[head], target.pathname, job.bodies[waiting[head++]]);
      else idle.push(connection);
      if (answered + errors === total) finish();
    };
    // Before the clock starts, every connection is opened and carries
    // WARM_UP_ROUNDS requests one after another, not counted: the first
    // tenth of a second of a cold start (50 connections accepted at once,
    // the generator's own code not yet compiled) was 220 of the 235
    // slowest requests of an 8 s run at 2,400 requests/s.
    const roundsLeft = new Map<Connection, number>();
    let warming = job.sockets;
    const warmed = (connection: Connection) => {
      const left = roundsLeft.get(connection)!;
      if (left > 0) {
        roundsLeft.set(connection, left - 1);
        connection.send(WARM_UP, target.pathname, job.bodies[0]);
        return;
      }
      idle.push(connection);
      if (--warming === 0) start();
    };
    const connections = Array.from(
      { length: job.sockets },
      () =>
        new Connection(
          target,
          (connection, n, status, body) => {
            if (n === WARM_UP) return warmed(connection);
            const now = performance.now();
            lags[answered] = pickedUp[n] - due(n);
            fromPickup[answered] = now - pickedUp[n];
            latencies[answered++] = now - due(n);
            if (status !== 200) non2xx++;
            else if (body.includes('"errors"')) graphqlErrors++;
            next(connection);
          },
          (connection, n) => {
            if (n === WARM_UP) return warmed(connection);
            errors++;
            next(connection);
          },
        ),
    );
    const start = () => {
      started = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        while (sent < total && due(sent) <= now) {
          pickedUp[sent] = now;
          const connection = idle.pop();
          if (connection) connection.send(sent, target.pathname, job.bodies[sent]);
          else waiting.push(sent);
          sent++;
        }
        if (sent >= total) clearInterval(timer);
      }, 1);
    };
    if (total === 0) return finish();
    for (const c of connections) {
      roundsLeft.set(c, WARM_UP_ROUNDS - 1);
      c.send(WARM_UP, target.pathname, job.bodies[0]);
    }
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
