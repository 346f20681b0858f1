// The createHash Marquee puts in place of @apollo/utils.createhash's
// (src/graphql/queryHash.ts) gives node:crypto's answers for every use, the
// query hash's shape included (and the same again when remembered); and
// installing it replaces the function Apollo's request pipeline calls, once.
import crypto from "node:crypto";
import { apolloCreateHashModule, createHash, installQueryHash } from "../../src/graphql/queryHash";

const sha256 = (data: crypto.BinaryLike) => crypto.createHash("sha256").update(data);

describe("query hash", () => {
  it("hashes a query text as Apollo does (sha256, hex), and the same again", () => {
    const query = "query($u: ID!) { recommendations(userId: $u, first: 10) { item { id title } score } }";
    const expected = sha256(query).digest("hex");
    // The well-known digest of "abc", worked out independently of node:crypto.
    expect((createHash("sha256") as crypto.Hash).update("abc").digest("hex")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect((createHash("sha256") as crypto.Hash).update(query).digest("hex")).toBe(expected);
    expect((createHash("sha256") as crypto.Hash).update(query).digest("hex")).toBe(expected);
    // A text that differs by one character is not answered from the memory.
    expect((createHash("sha256") as crypto.Hash).update(query + " ").digest("hex")).toBe(sha256(query + " ").digest("hex"));
    // Non-ASCII text hashes as UTF-8, as node:crypto does.
    expect((createHash("sha256") as crypto.Hash).update("{ films(title: \"Amélie 🎬\") }").digest("hex")).toBe(sha256("{ films(title: \"Amélie 🎬\") }").digest("hex"));
  });

  it("gives node:crypto's answer for every other use", () => {
    const two = (createHash("sha256") as crypto.Hash).update("ab").update("c").digest("hex");
    expect(two).toBe(sha256("abc").digest("hex"));
    expect((createHash("sha256") as crypto.Hash).update("abc").digest()).toEqual(sha256("abc").digest());
    expect((createHash("sha256") as crypto.Hash).update("abc").digest("base64")).toBe(sha256("abc").digest("base64"));
    expect((createHash("sha256") as crypto.Hash).update(Buffer.from("abc")).digest("hex")).toBe(sha256("abc").digest("hex"));
    expect((createHash("sha256") as crypto.Hash).update("616263", "hex").digest("hex")).toBe(sha256("abc").digest("hex"));
    expect((createHash("sha256") as crypto.Hash).digest("hex")).toBe(sha256("").digest("hex"));
    expect((createHash("sha512") as crypto.Hash).update("abc").digest("hex")).toBe(crypto.createHash("sha512").update("abc").digest("hex"));
  });

  it("is installed where Apollo's request pipeline reads it, once", () => {
    const mod = apolloCreateHashModule();
    const shipped = mod.createHash;
    expect(shipped).not.toBe(createHash);
    try {
      installQueryHash();
      expect(mod.createHash).toBe(createHash);
      installQueryHash();
      expect(mod.createHash).toBe(createHash);
      // Apollo's own gives the same digest for a query text.
      expect((shipped("sha256") as crypto.Hash).update("{ __typename }").digest("hex")).toBe((createHash("sha256") as crypto.Hash).update("{ __typename }").digest("hex"));
    } finally {
      mod.createHash = shipped;
    }
  });
});
