// Apollo Server 5 hashes every request's query text (sha256, hex; its
// requestPipeline.js computeQueryHash) through @apollo/utils.createhash,
// whose createHash calls `module.require("crypto")` on every call. Under a
// module loader with hooks (tsx, which `npm start` runs under) each of those
// requires walks the loader's resolve hooks: 2.4% of a warm
// `recommendations` request's CPU and 3.7% of `{ __typename }`'s, plus the
// hash itself (BENCHMARKS.md, Serving).
//
// installQueryHash() replaces that one export, in the module Apollo reads it
// from at each call, with a createHash that holds `crypto` once and keeps the
// hex sha256 of recent query texts (a client sends the same few operations
// again and again). Any other use (another algorithm, bytes, several
// updates, another encoding) is plain node:crypto.
import crypto from "node:crypto";
import { createRequire } from "node:module";

// Query texts at most this long are remembered, at most this many at once
// (oldest out first): at most 16 MB of held strings.
const MAX_REMEMBERED_LENGTH = 16 * 1024;
const MAX_REMEMBERED = 1000;
const remembered = new Map<string, string>();

function sha256Hex(text: string): string {
  let hex = remembered.get(text);
  if (hex !== undefined) return hex;
  hex = crypto.createHash("sha256").update(text).digest("hex");
  if (text.length <= MAX_REMEMBERED_LENGTH) {
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
    remembered.set(text, hex);
  }
  return hex;
}

// A sha256 that answers the one shape Apollo's query hash uses (one string,
// digested as hex) from sha256Hex, and hands anything else to node:crypto
// with what it was given so far.
class Sha256 {
  private text: string | undefined;
  private hash: crypto.Hash | undefined;

  update(data: crypto.BinaryLike, encoding?: crypto.Encoding): this {
    if (this.hash === undefined && this.text === undefined && typeof data === "string" && encoding === undefined) {
      this.text = data;
      return this;
    }
    const hash = this.real();
    if (typeof data === "string" && encoding !== undefined) hash.update(data, encoding);
    else hash.update(data);
    return this;
  }

  digest(): Buffer;
  digest(encoding: crypto.BinaryToTextEncoding): string;
  digest(encoding?: crypto.BinaryToTextEncoding): Buffer | string {
    if (this.hash === undefined && encoding === "hex") return sha256Hex(this.text ?? "");
    const hash = this.real();
    return encoding === undefined ? hash.digest() : hash.digest(encoding);
  }

  private real(): crypto.Hash {
    if (this.hash === undefined) {
      this.hash = crypto.createHash("sha256");
      if (this.text !== undefined) this.hash.update(this.text);
      this.text = undefined;
    }
    return this.hash;
  }
}

export function createHash(kind: string): Sha256 | crypto.Hash {
  return kind === "sha256" ? new Sha256() : crypto.createHash(kind);
}

type CreateHashModule = { createHash: (kind: string) => unknown };

// The @apollo/utils.createhash that @apollo/server itself resolves.
export function apolloCreateHashModule(): CreateHashModule {
  return createRequire(require.resolve("@apollo/server"))("@apollo/utils.createhash") as CreateHashModule;
}

export function installQueryHash(): void {
  const mod = apolloCreateHashModule();
  if (mod.createHash === createHash) return;
  if (typeof mod.createHash !== "function") {
    throw new Error("@apollo/utils.createhash has no createHash function to replace: see src/graphql/queryHash.ts");
  }
  mod.createHash = createHash;
}
