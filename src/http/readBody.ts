import type { IncomingMessage } from "node:http";

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

// Reads the request body, refusing more than `limit` bytes without buffering them.
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError(`request body of ${declared} bytes exceeds the limit of ${limit}`));
      req.resume();
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError(`request body exceeds the limit of ${limit} bytes`));
        return;
      }
      parts.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(parts).toString("utf8"));
    });
    req.on("error", (error) => {
      if (!failed) reject(error);
    });
  });
}
