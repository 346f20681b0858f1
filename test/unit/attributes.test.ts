import { checkAttributes } from "../../src/services/validation";

describe("checkAttributes", () => {
  it("accepts ordinary nested JSON, emoji and right-to-left text", () => {
    const value = { plan: "family", tags: ["😀", "שלום"], nested: { n: 1, ok: true, none: null } };
    expect(checkAttributes("attributes", value)).toBe(value);
    expect(checkAttributes("attributes", null)).toEqual({});
  });

  it("names the path of an unstorable string, key or number", () => {
    expect(() => checkAttributes("users[0].attributes", { a: ["ok", "bad \uD800"] })).toThrow(
      'Invalid users[0].attributes.a[1]: must be valid Unicode (no lone surrogates); got "bad \\ud800"',
    );
    expect(() => checkAttributes("attributes", { "k\u0000": 1 })).toThrow("Invalid attributes key: must not contain NUL characters");
    expect(() => checkAttributes("attributes", { x: { y: "a\u0000b" } })).toThrow("Invalid attributes.x.y: must not contain NUL characters");
    expect(() => checkAttributes("attributes", { n: Infinity })).toThrow("Invalid attributes.n: must be a finite number; got Infinity");
  });

  it("bounds depth and size", () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 25; i++) deep = (deep.x = {}) as Record<string, unknown>;
    expect(() => checkAttributes("attributes", root)).toThrow("must be nested at most 20 deep");
    expect(() => checkAttributes("attributes", { big: "x".repeat(70_000) })).toThrow(/at most 65536/);
    expect(() => checkAttributes("attributes", [1] as unknown as Record<string, unknown>)).toThrow("Invalid attributes: must be a JSON object; got [1]");
  });
});
